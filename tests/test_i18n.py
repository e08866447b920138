"""The visitor texts: one catalogue per area and language, English behind every gap."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from frontdesk import i18n


@pytest.fixture
def locales(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "en.toml").write_text(
        'language = "English"\nhello = "Hello {name}"\nbye = "Bye"\n', encoding="utf-8"
    )
    (tmp_path / "demo" / "nl.toml").write_text(
        'language = "Nederlands"\nhello = "Hallo {name}"\n', encoding="utf-8"
    )
    monkeypatch.setattr(i18n, "LOCALES", tmp_path)
    i18n.catalogue.cache_clear()
    yield tmp_path
    i18n.catalogue.cache_clear()


def test_a_text_in_the_chosen_language_with_its_values(locales: Path) -> None:
    assert i18n.text("demo", "nl", "hello", name="Zoë") == "Hallo Zoë"


def test_a_missing_key_or_language_falls_back_to_english(locales: Path) -> None:
    assert i18n.text("demo", "nl", "bye") == "Bye"
    assert i18n.text("demo", "xx", "hello", name="A") == "Hello A"
    assert i18n.text("demo", None, "bye") == "Bye"


def test_languages_are_listed_by_their_own_names_english_first(locales: Path) -> None:
    assert i18n.languages("demo") == {"en": "English", "nl": "Nederlands"}
    assert i18n.languages("nothing") == {}


def test_every_shipped_catalogue_parses_and_names_its_language() -> None:
    i18n.catalogue.cache_clear()
    for path in i18n.LOCALES.glob("*/*.toml"):
        texts = i18n.catalogue(path.parent.name, path.stem)
        assert texts.get("language"), path
