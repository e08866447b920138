"""Staff accounts, PIN login with lockout, and the first-run team lead."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from frontdesk.clock import Clock
from frontdesk.config import Settings
from frontdesk.db import Database
from frontdesk.db.migrate import STARTUP_LOCK_KEY
from frontdesk.db.models import Staff
from frontdesk.services import audit
from frontdesk.services.auth import KIOSK_ROLE, STAFF_ROLES, Actor, require
from frontdesk.services.errors import NotFound, ValidationError, check_id
from frontdesk.services.security import check_pin_format, hash_pin, needs_rehash, verify_pin
from frontdesk.services.text import clean_text, fold


@dataclass(frozen=True)
class StaffInfo:
    id: int
    name: str
    role: str
    active: bool


def _info(row: Staff) -> StaffInfo:
    return StaffInfo(id=row.id, name=row.name, role=row.role, active=row.active)


def add_account(session: Session, name: str, role: str, pin_hash: str, now: datetime) -> Staff:
    """A new active account, flushed so that it has its id (the caller checks the name)."""
    row = Staff(
        name=name,
        name_key=fold(name),
        role=role,
        pin_hash=pin_hash,
        active=True,
        failed_attempts=0,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def _check_name(name: object) -> str:
    text = clean_text(name, "name", label="The name", max_length=100, required=True)
    assert text is not None
    return text


def _check_role(role: object) -> str:
    if role not in STAFF_ROLES:
        raise ValidationError("role", f"the role must be one of: {', '.join(STAFF_ROLES)}")
    assert isinstance(role, str)
    return role


def _check_new_pin(pin: str, repeat: str | None) -> str:
    check_pin_format(pin, "pin")
    if repeat is not None and pin != repeat:
        raise ValidationError("pin_repeat", "the two PINs are not the same")
    return pin


def _people() -> Any:
    """How many accounts belong to people (a kiosk's account is not one)."""
    return select(func.count()).select_from(Staff).where(Staff.role != KIOSK_ROLE)


class StaffService:
    def __init__(self, db: Database, settings: Settings, clock: Clock) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        self.trail = audit.Trail(clock, "staff")

    # -- reading ---------------------------------------------------------------------
    def needs_first_lead(self) -> bool:
        with self.db.read() as session:
            return not session.scalar(_people())

    def active_staff(self) -> list[StaffInfo]:
        """The names on the login screen (people only: a kiosk's account never logs in)."""
        with self.db.read() as session:
            rows = session.scalars(
                select(Staff).where(Staff.active, Staff.role != KIOSK_ROLE).order_by(Staff.name_key)
            )
            return [_info(r) for r in rows]

    def list(self, actor: Actor, *, include_inactive: bool = True) -> list[StaffInfo]:
        require(actor, "staff.list")
        with self.db.read() as session:
            stmt = (
                select(Staff)
                .where(Staff.role != KIOSK_ROLE)
                .order_by(Staff.active.desc(), Staff.name_key)
            )
            if not include_inactive:
                stmt = stmt.where(Staff.active)
            return [_info(r) for r in session.scalars(stmt)]

    def find_by_name(self, name: str) -> StaffInfo | None:
        with self.db.read() as session:
            row = session.scalar(select(Staff).where(Staff.name_key == fold(name)))
            return _info(row) if row else None

    # -- changing --------------------------------------------------------------------
    def _insert(self, session: Session, name: str, role: str, pin: str) -> Staff:
        if session.scalar(select(Staff.id).where(Staff.name_key == fold(name))) is not None:
            raise ValidationError("name", "there is already a staff member with this name")
        return add_account(session, name, role, hash_pin(pin), self.clock.now())

    def create_first_lead(
        self,
        name: str,
        pin: str,
        pin_repeat: str | None,
        *,
        desk: int | None = None,
        origin: str = "",
    ) -> Actor:
        """The first account of a new database; refused once any account exists."""
        clean = _check_name(name)
        _check_new_pin(pin, pin_repeat)
        with self.db.write() as session:
            if session.get_bind().dialect.name == "postgresql":
                # No row to lock while the table is empty: two desks on a new database
                # each made a "first" lead. SQLite's BEGIN IMMEDIATE serialises already.
                session.execute(select(func.pg_advisory_xact_lock(STARTUP_LOCK_KEY)))
            if session.scalar(_people()):
                raise ValidationError("name", "this database already has staff; log in instead")
            row = self._insert(session, clean, "lead", pin)
            actor = Actor(row.id, row.name, row.role, desk, origin)
            self.trail.add(session, actor, "staff.first_lead", row.id)
            audit.record(session, self.clock, action="login", actor=actor)
        return actor

    def add(
        self, actor: Actor, name: str, role: str, pin: str, pin_repeat: str | None = None
    ) -> StaffInfo:
        require(actor, "staff.add")
        clean = _check_name(name)
        _check_role(role)
        _check_new_pin(pin, pin_repeat)
        with self.db.write() as session:
            row = self._insert(session, clean, role, pin)
            self.trail.add(session, actor, "staff.add", row.id, f"role {role}")
            return _info(row)

    def _get(self, session: Session, staff_id: int) -> Staff:
        row = session.get(Staff, staff_id)
        if row is None or row.role == KIOSK_ROLE:  # a kiosk's account is no one's to change
            raise NotFound("that staff member does not exist")
        return row

    def deactivate(self, actor: Actor, staff_id: int) -> StaffInfo:
        require(actor, "staff.deactivate")
        staff_id = check_id(staff_id, "that staff member does not exist")
        with self.db.write() as session:
            row = self._get(session, staff_id)
            if row.id == actor.staff_id:
                raise ValidationError("staff", "you cannot deactivate your own account")
            if row.role == "lead" and row.active:
                leads = session.scalar(
                    select(func.count())
                    .select_from(Staff)
                    .where(Staff.role == "lead", Staff.active)
                )
                if leads == 1:
                    raise ValidationError("staff", "the last team lead cannot be deactivated")
            row.active = False
            self.trail.add(session, actor, "staff.deactivate", row.id)
            return _info(row)

    def reset_pin(self, actor: Actor, staff_id: int, pin: str, pin_repeat: str | None) -> None:
        require(actor, "staff.reset_pin")
        staff_id = check_id(staff_id, "that staff member does not exist")
        _check_new_pin(pin, pin_repeat)
        with self.db.write() as session:
            row = self._get(session, staff_id)
            row.pin_hash = hash_pin(pin)
            row.failed_attempts = 0
            row.locked_until = None
            self.trail.add(session, actor, "staff.reset_pin", row.id)

    def change_role(self, actor: Actor, staff_id: int, role: str) -> StaffInfo:
        require(actor, "staff.change_role")
        staff_id = check_id(staff_id, "that staff member does not exist")
        _check_role(role)
        with self.db.write() as session:
            row = self._get(session, staff_id)
            if row.id == actor.staff_id and role != "lead":
                raise ValidationError("role", "you cannot take the team-lead role from yourself")
            old, row.role = row.role, role
            self.trail.add(session, actor, "staff.change_role", row.id, f"{old} -> {role}")
            return _info(row)

    # -- logging in ------------------------------------------------------------------
    def login(
        self,
        staff_id: int,
        pin: str,
        *,
        desk: int | None = None,
        origin: str = "",
        action: str = "login",
    ) -> Actor:
        """Check the PIN; count failures; lock the account after too many in a row."""
        staff_id = check_id(staff_id, "this account does not exist or is not active", field="staff")
        if not isinstance(pin, str) or not pin:
            raise ValidationError("pin", "type your PIN")
        now = self.clock.now()
        error: ValidationError | None = None
        with self.db.write() as session:
            # The row lock makes the failed-attempt count one queue: parallel guessers get
            # lockout_attempts PIN checks in all, not each (SQLite: BEGIN IMMEDIATE does it).
            row = session.get(Staff, staff_id, with_for_update=True)
            if row is None or not row.active or row.role == KIOSK_ROLE:
                raise ValidationError("staff", "this account does not exist or is not active")
            actor = Actor(row.id, row.name, row.role, desk, origin)
            if row.locked_until is not None and row.locked_until > now:
                minutes = math.ceil((row.locked_until - now).total_seconds() / 60)
                audit.record(session, self.clock, action=action, actor=actor, result="locked")
                error = ValidationError(
                    "pin",
                    f"Too many wrong PINs: this account is locked for {minutes} more "
                    f"minute{'s' if minutes != 1 else ''}.",
                )
            elif verify_pin(pin, row.pin_hash):
                if needs_rehash(row.pin_hash):  # once: store today's cheaper-on-memory form
                    row.pin_hash = hash_pin(pin)
                row.failed_attempts = 0
                row.locked_until = None
                audit.record(session, self.clock, action=action, actor=actor)
                return actor
            else:
                row.failed_attempts += 1
                left = self.settings.lockout_attempts - row.failed_attempts
                if left <= 0:
                    row.locked_until = now + timedelta(minutes=self.settings.lockout_minutes)
                    row.failed_attempts = 0
                    audit.record(
                        session, self.clock, action="login.lockout", actor=actor, result="locked"
                    )
                    minutes = self.settings.lockout_minutes
                    error = ValidationError(
                        "pin",
                        f"Wrong PIN. The account is now locked for {minutes} "
                        f"minute{'s' if minutes != 1 else ''}.",
                    )
                else:
                    audit.record(
                        session, self.clock, action=action, actor=actor, result="wrong_pin"
                    )
                    error = ValidationError(
                        "pin",
                        f"Wrong PIN. {left} more tr{'ies' if left != 1 else 'y'} before "
                        "the account is locked.",
                    )
        raise error

    def unlock(self, actor: Actor, pin: str) -> Actor:
        """The idle lock: the same person types their PIN again."""
        return self.login(
            actor.staff_id, pin, desk=actor.desk, origin=actor.origin, action="unlock"
        )
