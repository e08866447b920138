"""Spoken calls for the waiting room: a chime, then "Ticket A 12, desk 3" in each language.

Offline only: the speech comes from espeak-ng run as a process (Debian's ``espeak-ng``),
the chime is a short WAV made here with the ``wave`` module, and both play through
``aplay`` or ``paplay`` (whichever exists; without either, espeak-ng plays its speech
itself). Nothing goes over the network.

:class:`Announcer` queues the calls for one worker thread, so announcements never
overlap; muting drops what is queued. What cannot work (no espeak-ng, no sound device) is
reported once through ``on_problem`` as one line for the board, and the board carries on.
Only one announcer per machine speaks at a time (a lock file), so several boards on one
machine (``board --web`` starts one process per browser) do not talk over each other.

The phrase is built as a person reads a ticket out: the letter(s) one by one, then the
number as a number ("A012" -> "A 12"), from ``frontdesk/locales/speech/<code>.toml``.
"""

from __future__ import annotations

import math
import queue
import shutil
import struct
import subprocess
import tempfile
import threading
import wave
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from frontdesk.i18n import catalogue, languages, text

CHIME_RATE = 22050
SPEAK_TIMEOUT = 30.0  # seconds one espeak-ng or player run may take

NO_ESPEAK = (
    "Spoken calls are off: espeak-ng is not installed on this machine "
    "(Debian: apt install espeak-ng). Calls still show here."
)
NO_PLAYER = (
    "Sound is off: this machine has no sound player (aplay or paplay) and no espeak-ng. "
    "Calls still show here."
)
NO_DEVICE = (
    "Sound is off: no sound device works on this machine ({tool} could not play). "
    "Calls still show here."
)


class SoundFailed(Exception):
    """A command that should have made or played sound did not (its first error line)."""


Runner = Callable[[Sequence[str]], None]


def run_command(command: Sequence[str]) -> None:
    """Run a sound command to its end; a failure raises SoundFailed with its first line."""
    try:
        done = subprocess.run(
            list(command), capture_output=True, timeout=SPEAK_TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SoundFailed(type(exc).__name__) from None
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise SoundFailed(lines[-1] if lines else f"exit status {done.returncode}")


def split_label(label: str) -> tuple[str, int | None]:
    """ "B007" -> ("B", 7); "BR012" -> ("BR", 12)."""
    letters = "".join(ch for ch in label if ch.isalpha())
    digits = "".join(ch for ch in label[len(letters) :] if ch.isdigit())
    return letters, (int(digits) if digits else None)


def spoken_languages() -> list[str]:
    """The language codes that have a speech catalogue."""
    return list(languages("speech"))


def phrase(label: str, desk: int, code: str) -> str:
    """ "A012", 3, "nl" -> "Nummer A 12, balie 3"."""
    letters, number = split_label(label)
    return text(
        "speech",
        code,
        "call",
        letters=" ".join(letters.upper()),
        number="" if number is None else number,
        desk=desk,
    )


def voice(code: str) -> str:
    """The espeak-ng voice of a language ("zh" -> "cmn")."""
    return catalogue("speech", code).get("voice", code)


def call_languages(configured: Sequence[str], ticket_language: str | None) -> list[str]:
    """The configured languages, then the ticket's own when it is another (and spoken)."""
    known = set(spoken_languages())
    out = [code for code in dict.fromkeys(configured) if code in known]
    if ticket_language and ticket_language in known and ticket_language not in out:
        out.append(ticket_language)
    return out


def write_chime(path: Path) -> Path:
    """A soft two-tone chime (0.7 s, "ding-dong"), 16-bit mono WAV."""
    frames = bytearray()
    for freq, seconds in ((880.0, 0.3), (659.25, 0.4)):
        count = int(CHIME_RATE * seconds)
        for i in range(count):
            t = i / CHIME_RATE
            envelope = math.exp(-4.0 * t / seconds) * min(1.0, i / 200)
            sample = 0.45 * envelope * math.sin(2 * math.pi * freq * t)
            frames += struct.pack("<h", int(sample * 32767))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(CHIME_RATE)
        out.writeframes(bytes(frames))
    return path


@dataclass(frozen=True)
class Call:
    label: str
    desk: int
    language: str | None


def find_player(which: Callable[[str], str | None] = shutil.which) -> list[str] | None:
    """The command that plays a WAV file here: aplay, else paplay, else None."""
    if which("aplay"):
        return ["aplay", "-q"]
    if which("paplay"):
        return ["paplay"]
    return None


class Announcer:
    """Speaks calls one after the other on a worker thread of its own."""

    def __init__(
        self,
        languages: Sequence[str] = ("en", "nl"),
        *,
        run: Runner = run_command,
        which: Callable[[str], str | None] = shutil.which,
        on_problem: Callable[[str | None], None] | None = None,
        lock_path: Path | None = None,
    ) -> None:
        self.languages = tuple(languages)
        self.run = run
        self.on_problem = on_problem
        self.lock_path = lock_path
        self.espeak = which("espeak-ng")
        self.player = find_player(which)
        self.muted = False
        self.problem: str | None = None
        self._lock_file: IO[bytes] | None = None
        self._queue: queue.Queue[Call | None] = queue.Queue()
        self._folder = tempfile.TemporaryDirectory(prefix="frontdesk-speech-")
        self._chime = write_chime(Path(self._folder.name) / "chime.wav")
        self._thread = threading.Thread(target=self._work, name="announcer", daemon=True)
        self._thread.start()
        if self.espeak is None:
            self._report(NO_ESPEAK if self.player else NO_PLAYER)

    # -- the board's side -------------------------------------------------------------
    def announce(self, label: str, desk: int, language: str | None = None) -> None:
        """Queue one call (dropped while muted)."""
        if not self.muted:
            self._queue.put(Call(label, desk, language))

    def set_muted(self, muted: bool) -> None:
        """Mute: what is queued is dropped; the call being spoken finishes."""
        self.muted = muted
        if muted:
            self._drop_queued()

    def wait_idle(self) -> None:
        """Block until every queued call has been spoken (tests, closing)."""
        self._queue.join()

    def close(self) -> None:
        self._drop_queued()
        self._queue.put(None)
        self._thread.join(timeout=SPEAK_TIMEOUT)
        if self._lock_file is not None:
            self._lock_file.close()
        self._folder.cleanup()

    def commands(self, call: Call) -> list[list[str]]:
        """What one call runs, in order: the chime, then per language make and play."""
        out: list[list[str]] = []
        if self.player:
            out.append([*self.player, str(self._chime)])
        if not self.espeak:
            return out
        wav = str(Path(self._folder.name) / "call.wav")
        for code in call_languages(self.languages, call.language):
            words = phrase(call.label, call.desk, code)
            if self.player:
                out.append([self.espeak, "-v", voice(code), "-w", wav, words])
                out.append([*self.player, wav])
            else:
                out.append([self.espeak, "-v", voice(code), words])
        return out

    # -- the worker -------------------------------------------------------------------
    def _drop_queued(self) -> None:
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            self._queue.task_done()
            if item is None:  # closing: keep the stop signal
                self._queue.put(None)
                return

    def _work(self) -> None:
        while True:
            call = self._queue.get()
            try:
                if call is None:
                    return
                if not self.muted and self._may_speak():
                    self._speak(call)
            finally:
                self._queue.task_done()

    def _speak(self, call: Call) -> None:
        for command in self.commands(call):
            if self.muted:
                return
            try:
                self.run(command)
            except SoundFailed:
                tool = Path(command[0]).name
                if tool == "espeak-ng" and "-w" in command:
                    self._report(NO_ESPEAK)  # it is there but does not work
                else:
                    self._report(NO_DEVICE.format(tool=tool))
                return
        if self.espeak:
            self._report(None)  # it worked (again): no problem line

    def _may_speak(self) -> bool:
        """One speaking announcer per machine: hold the lock file, or stay quiet."""
        if self.lock_path is None or self._lock_file is not None:
            return True
        import fcntl

        try:
            handle = self.lock_path.open("ab")
        except OSError:
            return True
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._lock_file = handle
        return True

    def _report(self, problem: str | None) -> None:
        if problem == self.problem:
            return
        self.problem = problem
        if self.on_problem is not None:
            self.on_problem(problem)
