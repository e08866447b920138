"""Text helpers shared by the services: cleaning input and folding names for search."""

from __future__ import annotations

import unicodedata

from frontdesk.services.errors import ValidationError

# Letters that do not decompose into base + accent but that people type without it.
_FOLD_EXTRA = str.maketrans(
    {
        "ø": "o",
        "Ø": "o",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "ß": "ss",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ı": "i",
        "þ": "th",
        "ð": "d",
        "ħ": "h",
    }
)


def fold(text: str) -> str:
    """Lower case without diacritics: "Ødegård" -> "odegard", "Łukasz" -> "lukasz".

    Scripts without a Latin form (Arabic, Chinese, Cyrillic...) stay as they are, folded
    for case only, so a search in that script still finds them.
    """
    if text.isascii():  # the same result: nothing to translate, decompose or strip
        return " ".join(text.lower().split())
    text = text.translate(_FOLD_EXTRA)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(unicodedata.normalize("NFC", stripped).casefold().split())


def has_control_chars(text: str) -> bool:
    if text.isprintable():  # no Cc or Cf character in it (C code, not a loop per character)
        return False
    return any(unicodedata.category(c) in ("Cc", "Cf") and c not in "\u200c\u200d" for c in text)


def _is_are(label: str) -> str:
    """ "The given names are", "The name is": labels are "The <thing>"."""
    last = label.split()[-1] if label else ""
    return "are" if last.endswith("s") and not last.endswith("ss") else "is"


def clean_text(
    value: object,
    field: str,
    *,
    label: str,
    max_length: int,
    required: bool = False,
    multiline: bool = False,
) -> str | None:
    """Trim a text field; refuse control characters and over-long values."""
    if value is None:
        text = ""
    elif isinstance(value, str):
        text = value
    else:
        raise ValidationError(field, f"{label} must be text")
    if multiline:
        lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
        text = "\n".join(lines).strip()
        check = text.replace("\n", "").replace("\t", "")
    else:
        text = text.strip()
        text = " ".join(text.split()) if not has_control_chars(text.replace("\t", " ")) else text
        check = text
    if has_control_chars(check):
        verb = "contain" if _is_are(label) == "are" else "contains"
        raise ValidationError(field, f"{label} {verb} invisible control characters")
    if not text:
        if required:
            raise ValidationError(field, f"{label} {_is_are(label)} required")
        return None
    if len(text) > max_length:
        raise ValidationError(
            field, f"{label} {_is_are(label)} too long (at most {max_length} characters)"
        )
    return text


def has_digits(text: str) -> bool:
    """Any digit or other number sign, in any script: 0-9, ٣, ३, ８, ², Ⅻ. (Chinese
    numerals such as 三 are letters and used in names; they pass.)"""
    return any(unicodedata.category(c).startswith("N") for c in text)


def clean_name(value: object, field: str, *, label: str, max_length: int) -> str | None:
    """A person's given names or family name: clean_text, and no digits (a date of birth
    or a number typed into the wrong field). Letters of every script, apostrophes, hyphens,
    dots and spaces pass. The message never repeats what was typed."""
    text = clean_text(value, field, label=label, max_length=max_length)
    if text and has_digits(text):
        raise ValidationError(
            field,
            f"{label} cannot contain digits (the date of birth has its own field)",
        )
    return text
