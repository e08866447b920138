"""A ticket number drawn three lines tall, for the clerk to read out.

Textual's ``Digits`` draws 0-9 and A-F only, but service prefixes can be any letters
(W for welcome pack, R for referral), so this widget carries its own 3x3 font in the
same rounded box-drawing style.
"""

from __future__ import annotations

from textual.widgets import Static

BIG_FONT: dict[str, tuple[str, str, str]] = {
    " ": ("   ", "   ", "   "),
    "-": ("   ", "╶─╴", "   "),
    "0": ("╭─╮", "│ │", "╰─╯"),
    "1": ("╶╮ ", " │ ", "╶┴╴"),
    "2": ("╶─╮", "┌─┘", "╰─╴"),
    "3": ("╶─╮", " ─┤", "╶─╯"),
    "4": ("╷ ╷", "╰─┤", "  ╵"),
    "5": ("╭─╴", "╰─╮", "╶─╯"),
    "6": ("╭─╴", "├─╮", "╰─╯"),
    "7": ("╶─┐", "  │", "  ╵"),
    "8": ("╭─╮", "├─┤", "╰─╯"),
    "9": ("╭─╮", "╰─┤", "╶─╯"),
    "A": ("╭─╮", "├─┤", "╵ ╵"),
    "B": ("┌─╮", "├─┤", "└─╯"),
    "C": ("╭─╮", "│  ", "╰─╯"),
    "D": ("┌─╮", "│ │", "└─╯"),
    "E": ("╭─╴", "├─ ", "╰─╴"),
    "F": ("╭─╴", "├─ ", "╵  "),
    "G": ("╭─╴", "│╶┐", "╰─╯"),
    "H": ("╷ ╷", "├─┤", "╵ ╵"),
    "I": ("╶┬╴", " │ ", "╶┴╴"),
    "J": ("  ╷", "  │", "╰─╯"),
    "K": ("╷ ╷", "├┬╯", "╵╰╴"),
    "L": ("╷  ", "│  ", "╰─╴"),
    "M": ("╭┬╮", "│││", "╵╵╵"),
    "N": ("╭╮╷", "│││", "╵╰╯"),
    "O": ("╭─╮", "│ │", "╰─╯"),
    "P": ("╭─╮", "├─╯", "╵  "),
    "Q": ("╭─╮", "│ │", "╰─┼"),
    "R": ("╭─╮", "├┬╯", "╵╰╴"),
    "S": ("╭─╴", "╰─╮", "╶─╯"),
    "T": ("╶┬╴", " │ ", " ╵ "),
    "U": ("╷ ╷", "│ │", "╰─╯"),
    "V": ("╷ ╷", "│ │", "╰┬╯"),
    "W": ("╷ ╷", "│││", "╰┴╯"),
    "X": ("╷ ╷", "╶┼╴", "╵ ╵"),
    "Y": ("╷ ╷", "╰┬╯", " ╵ "),
    "Z": ("╶─╮", "╭─╯", "╰─╴"),
}


def big_lines(text: str) -> tuple[str, str, str]:
    """The three lines that draw ``text`` (unknown characters become blanks)."""
    rows = ["", "", ""]
    for ch in text.upper():
        glyph = BIG_FONT.get(ch, BIG_FONT[" "])
        for i in range(3):
            rows[i] += glyph[i]
    return rows[0], rows[1], rows[2]


class BigTicket(Static):
    """A ticket number such as ``W007``, three lines tall."""

    DEFAULT_CSS = """
    BigTicket { width: auto; height: 3; text-style: bold; }
    """

    def __init__(self, label: str = "", *, id: str | None = None) -> None:
        super().__init__("\n".join(big_lines(label)), id=id)
        self.label = label

    def show(self, label: str) -> None:
        """Show another number; the screen is laid out again only if the width may change.

        With a fixed width (the desk gives it one) the three lines never change its size.
        """
        width = self.styles.width
        self.label = label
        self.update("\n".join(big_lines(label)), layout=width is None or width.is_auto)
