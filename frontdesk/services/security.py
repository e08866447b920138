"""PIN hashing with scrypt: slow on purpose, salted, never stored or logged in clear."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from frontdesk.services.errors import ValidationError

_N, _R, _P = 2**14, 8, 1
PIN_MIN, PIN_MAX = 4, 12


def check_pin_format(pin: str, field: str = "pin") -> str:
    if pin is None or not isinstance(pin, str) or pin.strip() == "":
        raise ValidationError(field, "type a PIN")
    if not pin.isascii() or not pin.isdigit():
        raise ValidationError(field, "a PIN has digits only")
    if len(pin) < PIN_MIN:
        raise ValidationError(field, f"a PIN has at least {PIN_MIN} digits")
    if len(pin) > PIN_MAX:
        raise ValidationError(field, f"a PIN has at most {PIN_MAX} digits")
    return pin


def hash_pin(pin: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_pin(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt_b64, digest_b64 = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    salt, expected = base64.b64decode(salt_b64), base64.b64decode(digest_b64)
    digest = hashlib.scrypt(
        pin.encode(), salt=salt, n=int(n), r=int(r), p=int(p), dklen=len(expected)
    )
    return hmac.compare_digest(digest, expected)
