"""Texts that visitors read or hear, one catalogue per language and area.

Visitors meet frontdesk at the kiosk, on the rating tablet, on the board's spoken calls and
in appointment e-mails, in a language they chose. Their texts live in TOML files, one per
area and language: ``frontdesk/locales/<area>/<code>.toml`` (``kiosk/nl.toml``). Adding a
language is adding files, not code: :func:`languages` lists the codes an area has, with the
language's own name from the file's ``language`` key.

A key missing from a language falls back to English, so a half-translated catalogue still
shows every screen. Staff screens stay in English.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

LOCALES = Path(__file__).parent / "locales"
FALLBACK = "en"


@cache
def catalogue(area: str, code: str) -> dict[str, str]:
    """The texts of one area in one language ({} when there is no such file)."""
    path = LOCALES / area / f"{code}.toml"
    if not path.is_file():
        return {}
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    return {str(key): str(value) for key, value in data.items()}


def languages(area: str) -> dict[str, str]:
    """Language code -> the language's own name ("nl" -> "Nederlands"), English first."""
    folder = LOCALES / area
    codes = sorted(path.stem for path in folder.glob("*.toml")) if folder.is_dir() else []
    codes.sort(key=lambda code: (code != FALLBACK, code))
    return {code: catalogue(area, code).get("language", code) for code in codes}


def text(area: str, code: str | None, key: str, **values: object) -> str:
    """The text ``key`` of ``area`` in language ``code`` (English when missing), filled in."""
    template = catalogue(area, code or FALLBACK).get(key)
    if template is None:
        template = catalogue(area, FALLBACK).get(key, key)
    return template.format(**values) if values else template
