"""PIN hashes: today's parameters, old hashes still verify, a login upgrades them once."""

from __future__ import annotations

import base64
import hashlib

import pytest

from frontdesk.db.models import Staff
from frontdesk.services import Actor, Services, ValidationError
from frontdesk.services.security import hash_pin, needs_rehash, verify_pin


def _old_hash(pin: str) -> str:
    """A hash as earlier versions stored it: scrypt N=2**14, r=8, p=1 (16 MiB per verify)."""
    salt = b"0123456789abcdef"
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${2**14}$8$1${b64(salt).decode()}${b64(digest).decode()}"


def test_new_hashes_use_little_memory_for_the_same_work() -> None:
    stored = hash_pin("2468")
    scheme, n, r, p, _salt, _digest = stored.split("$")
    assert scheme == "scrypt"
    assert 128 * int(n) * int(r) <= 2 * 1024 * 1024  # memory per verify
    assert int(n) * int(r) * int(p) >= 2**14 * 8  # CPU work per guess, no less than before
    assert verify_pin("2468", stored)
    assert not verify_pin("2469", stored)
    assert not needs_rehash(stored)


def test_old_hashes_still_verify_and_are_marked_for_rehash() -> None:
    old = _old_hash("2468")
    assert verify_pin("2468", old)
    assert not verify_pin("1357", old)
    assert needs_rehash(old)
    assert not verify_pin("2468", "bcrypt$whatever")


def test_a_login_stores_the_new_form_only_after_the_right_pin(
    services: Services, lead: Actor
) -> None:
    info = services.staff.add(lead, "Bram Jansen", "desk", "2468", "2468")
    with services.db.write() as session:
        row = session.get(Staff, info.id)
        assert row is not None
        row.pin_hash = _old_hash("2468")
    with pytest.raises(ValidationError):
        services.staff.login(info.id, "1111")
    with services.db.read() as session:
        row = session.get(Staff, info.id)
        assert row is not None and needs_rehash(row.pin_hash)
    assert services.staff.login(info.id, "2468").name == "Bram Jansen"
    with services.db.read() as session:
        row = session.get(Staff, info.id)
        assert row is not None
        assert not needs_rehash(row.pin_hash)
        assert verify_pin("2468", row.pin_hash)
    assert services.staff.login(info.id, "2468").name == "Bram Jansen"
