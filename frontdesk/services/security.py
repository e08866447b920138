"""PIN hashing with scrypt: slow on purpose, salted, never stored or logged in clear."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from frontdesk.services.errors import ValidationError

# scrypt's CPU cost is N*r*p block mixes; its memory is 128*N*r bytes per lane. A 4-12
# digit PIN has at most 40 bits, so no parameter makes an offline guess of a stolen hash
# slow enough to matter: what protects a PIN is the lockout after a few tries (and keeping
# the database to the centre). The hash only has to cost an attacker the same CPU per guess
# as before, which N=2**11, r=8, p=8 does (2**17 block mixes, as 2**14, 8, 1 did) with 2 MiB
# per verify instead of 16 MiB on every desk's start-up. Stored hashes carry their own
# parameters, so old ones still verify; `needs_rehash` lets a login store the new form.
_N, _R, _P = 2**11, 8, 8
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


def needs_rehash(stored: str) -> bool:
    """Whether a (verified) stored hash was made with other parameters than today's."""
    parts = stored.split("$")
    return len(parts) != 6 or parts[:4] != ["scrypt", str(_N), str(_R), str(_P)]


def verify_pin(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt_b64, digest_b64 = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    salt, expected = base64.b64decode(salt_b64), base64.b64decode(digest_b64)
    n_, r_, p_ = int(n), int(r), int(p)
    # maxmem: room for the old 16 MiB hashes (OpenSSL's default limit is 32 MiB).
    digest = hashlib.scrypt(
        pin.encode(), salt=salt, n=n_, r=r_, p=p_, dklen=len(expected), maxmem=64 * 1024 * 1024
    )
    return hmac.compare_digest(digest, expected)
