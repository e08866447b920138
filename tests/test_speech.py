"""Spoken calls: the phrase per language, real espeak-ng audio for the board's calls, a
queue that never overlaps, mute, and one clear line when sound cannot work here."""

from __future__ import annotations

import array
import shutil
import threading
import wave
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from sqlalchemy import update

from frontdesk.cli import board_command, build_parser
from frontdesk.config import ConfigError, Settings, read_config_file
from frontdesk.db.models import Ticket
from frontdesk.services import Services
from frontdesk.services.speech import (
    NO_DEVICE,
    NO_ESPEAK,
    Announcer,
    Call,
    SoundFailed,
    call_languages,
    phrase,
    run_command,
    spoken_languages,
)
from frontdesk.tui.board import BoardApp
from tests.conftest import add_staff
from tests.helpers import poll_board, walk_in

ESPEAK = shutil.which("espeak-ng")
needs_espeak = pytest.mark.skipif(
    ESPEAK is None, reason="espeak-ng is not installed here (Debian: apt install espeak-ng)"
)


def only(*tools: str):  # type: ignore[no-untyped-def]
    """A `which` that finds just these tools (as if the others were not installed)."""
    return lambda name: f"/usr/bin/{name}" if name in tools else None


class Recorder:
    """Runs nothing; remembers the commands, and fails those of a broken tool."""

    def __init__(self, broken: str | None = None) -> None:
        self.commands: list[list[str]] = []
        self.broken = broken

    def __call__(self, command: Sequence[str]) -> None:
        self.commands.append(list(command))
        if self.broken and Path(command[0]).name == self.broken:
            raise SoundFailed("audio open error: No such file or directory")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("en", "Ticket A 12, desk 3"),
        ("nl", "Nummer A 12, balie 3"),
        ("pl", "Numer A 12, stanowisko 3"),
        ("uk", "Номер A 12, віконце 3"),
        ("es", "Número A 12, mostrador 3"),
        ("zh", "请 A 12 号到 3 号窗口"),
    ],
)
def test_the_phrase_as_a_person_reads_it_out(code: str, expected: str) -> None:
    assert phrase("A012", 3, code) == expected


def test_letters_one_by_one_and_the_number_as_a_number() -> None:
    assert phrase("BR007", 12, "en") == "Ticket B R 7, desk 12"
    assert phrase("W100", 2, "nl") == "Nummer W 100, balie 2"
    assert set(spoken_languages()) >= {"en", "nl", "pl", "uk", "es", "zh"}


def test_the_configured_languages_then_the_tickets_own() -> None:
    assert call_languages(["en", "nl"], None) == ["en", "nl"]
    assert call_languages(["en", "nl"], "pl") == ["en", "nl", "pl"]
    assert call_languages(["en", "nl"], "nl") == ["en", "nl"]
    assert call_languages(["nl"], "xx") == ["nl"]  # a language without speech: not spoken


def test_the_board_settings_in_the_config_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[board]\nspeak = true\nspeak_languages = ["nl", "en", "zh"]\n')
    assert read_config_file(path) == {
        "board_speak": True,
        "board_speak_languages": ("nl", "en", "zh"),
    }
    path.write_text('[board]\nspeak_languages = ["en", "klingon"]\n')
    with pytest.raises(ConfigError, match="'klingon' is not a language the board speaks"):
        read_config_file(path)
    path.write_text('[board]\nspeak = "yes"\n')
    with pytest.raises(ConfigError, match=r"board\.speak must be true or false"):
        read_config_file(path)


def test_board_speak_flag_reaches_the_browser_boards() -> None:
    args = build_parser().parse_args(["board", "--speak", "--web"])
    assert args.speak is True
    settings = Settings(db_url="sqlite:///x.sqlite3").with_overrides(board_speak=args.speak)
    assert board_command(settings)[-2:] == ["board", "--speak"]
    assert build_parser().parse_args(["board"]).speak is None  # the config file decides


@pytest.fixture
def announcer() -> Iterator[Announcer]:
    recorder = Recorder()
    speaker = Announcer(["en", "nl"], run=recorder, which=only("espeak-ng", "aplay"))
    yield speaker
    speaker.close()


def test_one_call_is_a_chime_then_each_language(announcer: Announcer) -> None:
    commands = announcer.commands(Call("A012", 3, "uk"))
    assert commands[0][:2] == ["aplay", "-q"] and commands[0][2].endswith("chime.wav")
    spoken = [c for c in commands if c[0].endswith("espeak-ng")]
    assert [(c[2], c[-1]) for c in spoken] == [
        ("en", "Ticket A 12, desk 3"),
        ("nl", "Nummer A 12, balie 3"),
        ("uk", "Номер A 12, віконце 3"),
    ]
    assert len(commands) == 1 + 2 * 3  # each language is made (-w), then played


def test_announcements_never_overlap() -> None:
    active = 0
    most = 0
    started: list[str] = []
    first_playing = threading.Event()
    release = threading.Event()
    guard = threading.Lock()

    def run(command: Sequence[str]) -> None:
        nonlocal active, most
        with guard:
            active += 1
            most = max(most, active)
            started.append(command[-1])
        if len(started) == 1:
            first_playing.set()
            release.wait(timeout=10)
        with guard:
            active -= 1

    speaker = Announcer(["en"], run=run, which=only("espeak-ng", "aplay"))
    try:
        speaker.announce("A001", 1)
        assert first_playing.wait(timeout=10)
        speaker.announce("B002", 2)  # called while the first is still being spoken
        speaker.announce("A001", 1)  # and a recall
        assert len(started) == 1  # the others wait their turn
        release.set()
        speaker.wait_idle()
    finally:
        speaker.close()
    assert most == 1
    spoken = [c for c in started if c.startswith("Ticket")]
    assert spoken == ["Ticket A 1, desk 1", "Ticket B 2, desk 2", "Ticket A 1, desk 1"]


def test_mute_drops_the_calls_and_unmute_speaks_again() -> None:
    recorder = Recorder()
    speaker = Announcer(["en"], run=recorder, which=only("espeak-ng", "aplay"))
    try:
        speaker.set_muted(True)
        speaker.announce("A001", 1)
        speaker.wait_idle()
        assert recorder.commands == []
        speaker.set_muted(False)
        speaker.announce("A002", 1)
        speaker.wait_idle()
        assert recorder.commands[-1][0] == "aplay" and len(recorder.commands) == 3
    finally:
        speaker.close()


def _problems_in_two_calls(recorder: Recorder, *tools: str) -> list[str | None]:
    """What the announcer tells while it calls two tickets with only ``tools`` installed."""
    problems: list[str | None] = []
    speaker = Announcer(["en"], run=recorder, which=only(*tools), on_problem=problems.append)
    try:
        speaker.announce("A001", 1)
        speaker.announce("A002", 1)
        speaker.wait_idle()
    finally:
        speaker.close()
    return problems


def test_no_espeak_or_no_sound_device_is_one_line() -> None:
    recorder = Recorder()
    assert _problems_in_two_calls(recorder, "aplay") == [NO_ESPEAK]
    assert [c[0] for c in recorder.commands] == ["aplay", "aplay"]  # the chime still plays
    broken = Recorder(broken="aplay")
    told = _problems_in_two_calls(broken, "espeak-ng", "aplay")
    assert told == [NO_DEVICE.format(tool="aplay")]  # once, not per call


async def test_the_board_line_says_when_sound_cannot_work(desk_services: Services) -> None:
    speaker = Announcer(["en", "nl"], run=Recorder(), which=only())
    app = BoardApp(desk_services, speaker=speaker)
    async with app.run_test(size=(80, 24)) as pilot:
        await poll_board(pilot)
        app.action_toggle_bell()  # the line is refreshed with the clock; this does it now
        app.action_toggle_bell()
        line = app.board.query_one("#board-sound")
        assert "no sound player" in str(line.content)  # type: ignore[attr-defined]
        assert line.has_class("-problem")
        await pilot.press("m")
        assert "Sound is off" in str(line.content)  # type: ignore[attr-defined]
        assert speaker.muted


def _wav_figures(path: Path) -> tuple[float, float]:
    """(seconds, RMS of the samples as a fraction of full scale)."""
    with wave.open(str(path), "rb") as audio:
        assert audio.getsampwidth() == 2
        frames = audio.readframes(audio.getnframes())
        seconds = audio.getnframes() / audio.getframerate()
    samples = array.array("h", frames)
    rms = (sum(s * s for s in samples) / max(1, len(samples))) ** 0.5 / 32768
    return seconds, rms


@needs_espeak
async def test_the_boards_call_is_real_audio_in_each_language(
    desk_services: Services, tmp_path: Path
) -> None:
    """The board's new call -> espeak-ng -w writes speech of plausible length, not silence,
    in every configured language and the ticket's own. Played sound is recorded, not played."""
    made: list[tuple[str, Path]] = []

    def run(command: Sequence[str]) -> None:
        if Path(command[0]).name != "espeak-ng":
            return  # the players: no sound device in a test
        run_command(command)
        copy = tmp_path / f"{len(made)}-{command[2]}.wav"
        shutil.copy(command[command.index("-w") + 1], copy)
        made.append((command[2], copy))

    languages = ["en", "nl", "pl", "es", "zh"]
    speaker = Announcer(languages, run=run, which=only("espeak-ng", "aplay"))
    speaker.espeak = ESPEAK
    clerk = add_staff(desk_services, "Clerk 1", "desk", desk=1)
    app = BoardApp(desk_services, speaker=speaker)
    async with app.run_test(size=(80, 24)) as pilot:
        await poll_board(pilot)  # the first picture is no news
        ticket = walk_in(desk_services, clerk, "Ana")
        with desk_services.db.write() as session:
            session.execute(update(Ticket).where(Ticket.id == ticket.id).values(language="uk"))
        desk_services.queue.call_ticket(clerk, ticket.id, 1)
        await poll_board(pilot)
        speaker.wait_idle()
    assert [code for code, _ in made] == ["en", "nl", "pl", "es", "cmn", "uk"]
    for code, path in made:
        seconds, rms = _wav_figures(path)
        assert 0.8 < seconds < 8, (code, seconds)
        assert rms > 0.01, (code, rms)


async def test_the_board_speaks_a_new_call_and_a_recall_again(desk_services: Services) -> None:
    recorder = Recorder()
    speaker = Announcer(["en", "nl"], run=recorder, which=only("espeak-ng", "aplay"))
    clerk = add_staff(desk_services, "Clerk 2", "desk", desk=2)
    waiting = walk_in(desk_services, clerk, "Ana")
    app = BoardApp(desk_services, speaker=speaker)
    async with app.run_test(size=(80, 24)) as pilot:
        await poll_board(pilot)
        desk_services.queue.call_ticket(clerk, waiting.id, 2)
        await poll_board(pilot)
        speaker.wait_idle()
        desk_services.clock.advance(minutes=1)  # type: ignore[attr-defined]
        desk_services.queue.recall(clerk, waiting.id)
        await poll_board(pilot)
        speaker.wait_idle()
        await poll_board(pilot)  # nothing new: nothing said
        speaker.wait_idle()
        await pilot.press("m")
        desk_services.clock.advance(minutes=1)  # type: ignore[attr-defined]
        desk_services.queue.recall(clerk, waiting.id)
        await poll_board(pilot)
        speaker.wait_idle()
    said = [c[-1] for c in recorder.commands if c[0].endswith("espeak-ng")]
    assert said == ["Ticket A 1, desk 2", "Nummer A 1, balie 2"] * 2  # muted: the third not
