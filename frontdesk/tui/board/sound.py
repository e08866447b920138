"""The board's sound: who speaks the calls (``[board] speak``), and the line that says
whether sound is on, muted, or cannot work here (one line, never a traceback)."""

from __future__ import annotations

import contextlib

from frontdesk.config import Settings, default_data_dir
from frontdesk.i18n import languages
from frontdesk.services.speech import Announcer


def board_speaker(settings: Settings) -> Announcer | None:
    """The announcer ``board --speak`` uses, or None when the board is not to speak."""
    if not settings.board_speak:
        return None
    folder = default_data_dir()
    with contextlib.suppress(OSError):  # then no lock: this board speaks
        folder.mkdir(parents=True, exist_ok=True)
    return Announcer(settings.board_speak_languages, lock_path=folder / "board-speaker.lock")


def sound_text(speaker: Announcer | None, muted: bool, key: str) -> str:
    """What the board's sound line says; empty when there is nothing to say."""
    if speaker is None:
        return f"The bell is off · {key} turns it on" if muted else ""
    if muted:
        return f"Sound is off · {key} turns it on"
    if speaker.problem:
        return speaker.problem
    names = languages("speech")
    spoken = ", ".join(names.get(code, code) for code in speaker.languages)
    return f"Calls are spoken: {spoken} + the visitor's language · {key} mutes"
