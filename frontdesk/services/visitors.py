"""Visitors: registering, correcting and finding the people the desk serves."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date, datetime
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, insert, literal_column, or_, select
from sqlalchemy.orm import Session

from frontdesk.clock import Clock
from frontdesk.db import Database
from frontdesk.db.models import ContactMoment, Visitor, VisitorNameToken
from frontdesk.services.auth import Actor, require
from frontdesk.services.errors import Problems, ValidationError, check_id
from frontdesk.services.fields import (
    check_birth_date,
    check_nationality,
    normalise_email,
    normalise_phone,
    parse_date,
)
from frontdesk.services.records import record_of
from frontdesk.services.rows import live_visitor, row_or_refuse
from frontdesk.services.text import clean_name, clean_text, fold, has_control_chars

CATEGORIES: dict[str, str] = {
    "knowledge_migrant": "Knowledge migrant",
    "researcher": "Researcher",
    "student": "Student",
    "migrant_worker": "Migrant worker",
    "refugee": "Refugee / status holder",
    "family": "Partner / family",
    "other": "Other",
}


@dataclass(frozen=True)
class VisitorInput:
    """What a form or an import row says about a visitor; all text as typed."""

    given_names: str = ""
    family_name: str = ""
    birth_date: str | date | None = None
    nationality: str | None = None
    phone: str | None = None
    email: str | None = None
    category: str | None = None
    employer: str | None = None
    municipality: str | None = None
    language: str | None = None
    notes: str | None = None
    # True: no appointment e-mails; False: e-mails again; None: leave as it is.
    mail_opt_out: bool | None = None


# The contacts a visitor card shows (walk-ins are its visits already).
CARD_CHANNELS = {"email": "E-mail", "phone": "Phone", "video": "Video call"}


@dataclass(frozen=True)
class ContactRecord:
    """One e-mail, phone or video contact with a visitor, for the visitor card."""

    at: datetime  # local time
    channel: str  # email, phone or video
    topic: str
    minutes: int

    @property
    def channel_label(self) -> str:
        return CARD_CHANNELS.get(self.channel, self.channel)


@dataclass(frozen=True)
class VisitorRecord:
    id: int
    given_names: str
    family_name: str
    birth_date: date | None
    nationality: str | None
    phone: str | None
    email: str | None
    category: str | None
    employer: str | None
    municipality: str | None
    language: str | None
    notes: str | None
    mail_opt_out: bool | None
    created_at: datetime
    anonymised: bool = False

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.given_names, self.family_name) if p)


def to_record(row: Visitor) -> VisitorRecord:
    return record_of(VisitorRecord, row, anonymised=row.anonymised_at is not None)


def check_visitor(data: VisitorInput, today: date) -> dict[str, Any]:
    """Validate every field; raises one ValidationError naming every field found wrong."""
    p = Problems()
    given = p.check(
        clean_name, data.given_names, "given_names", label="The given names", max_length=200
    )
    family = p.check(
        clean_name, data.family_name, "family_name", label="The family name", max_length=200
    )
    if not given and not family and not {"given_names", "family_name"} & p.errors.keys():
        p.errors["given_names"] = "type the visitor's name"
    category = data.category or None
    if category is not None and category not in CATEGORIES:
        p.errors["category"] = "pick a category from the list"
    values: dict[str, Any] = {
        "given_names": given or "",
        "family_name": family or "",
        "birth_date": p.check(check_birth_date, data.birth_date, today),
        "nationality": p.check(check_nationality, data.nationality),
        "phone": p.check(normalise_phone, data.phone),
        "email": p.check(normalise_email, data.email),
        "category": category,
        "employer": p.check(
            clean_text, data.employer, "employer", label="The employer", max_length=200
        ),
        "municipality": p.check(
            clean_text, data.municipality, "municipality", label="The municipality", max_length=100
        ),
        "language": p.check(
            clean_text, data.language, "language", label="The language", max_length=40
        ),
        "notes": p.check(
            clean_text, data.notes, "notes", label="The notes", max_length=2000, multiline=True
        ),
    }
    p.raise_any()
    if data.mail_opt_out is not None:
        values["mail_opt_out"] = bool(data.mail_opt_out)
    values["search_key"] = fold(f"{values['given_names']} {values['family_name']}")
    values["family_key"] = fold(values["family_name"])
    values["email_key"] = values["email"].casefold() if values["email"] else None
    return values


class VisitorService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def create_in(self, session: Session, values: dict[str, Any]) -> Visitor:
        """Insert a checked visitor inside the caller's transaction (registration, imports)."""
        now = self.clock.now()
        row = Visitor(**values, created_at=now, updated_at=now)
        session.add(row)
        session.flush()
        write_name_tokens(session, row, new=True)
        return row

    def create_row_in(self, session: Session, values: dict[str, Any]) -> Any:
        """Like :meth:`create_in`, in Core: one INSERT .. RETURNING and one for the tokens.

        For the desk's walk-in registration, where the unit of work cost more than the
        inserts. Returns the inserted row (attribute access like a Visitor).
        """
        now = self.clock.now()
        conn = session.connection()
        row = conn.execute(_INSERT_VISITOR, {**values, "created_at": now, "updated_at": now}).one()
        tokens = name_tokens(f"{row.given_names} {row.family_name}")
        if tokens:
            conn.execute(
                _INSERT_TOKEN,
                [{"token": t, "visitor_id": row.id, "visitor_updated_at": now} for t in tokens],
            )
        return row

    def apply_in(self, session: Session, row: Visitor, values: dict[str, Any]) -> Visitor:
        """Change a visitor with checked values inside the caller's transaction."""
        for key, value in values.items():
            setattr(row, key, value)
        row.updated_at = self.clock.now()
        write_name_tokens(session, row)
        return row

    def register(self, actor: Actor, data: VisitorInput) -> VisitorRecord:
        require(actor, "visitor.register")
        values = check_visitor(data, self.clock.today())
        with self.db.write() as session:
            return to_record(self.create_in(session, values))

    def update(self, actor: Actor, visitor_id: int, data: VisitorInput) -> VisitorRecord:
        require(actor, "visitor.update")
        visitor_id = check_id(visitor_id, "this visitor no longer exists")
        values = check_visitor(data, self.clock.today())
        with self.db.write() as session:
            # Locked: a merge of this record at the same moment goes first or waits.
            row = live_visitor(session, visitor_id, lock=True)
            return to_record(self.apply_in(session, row, values))

    def get(self, actor: Actor, visitor_id: int) -> VisitorRecord:
        require(actor, "visitor.view")
        visitor_id = check_id(visitor_id, "this visitor does not exist")
        with self.db.read() as session:
            row = row_or_refuse(session, Visitor, visitor_id, "this visitor does not exist")
            return to_record(row)

    def contacts(self, actor: Actor, visitor_id: int, limit: int = 6) -> list[ContactRecord]:
        """The visitor's latest e-mail, phone and video contacts, newest first."""
        require(actor, "visitor.view")
        visitor_id = check_id(visitor_id, "this visitor no longer exists")
        with self.db.read() as session:
            rows = session.execute(
                select(
                    ContactMoment.at,
                    ContactMoment.channel,
                    ContactMoment.topic,
                    ContactMoment.minutes,
                )
                .where(
                    ContactMoment.visitor_id == visitor_id,
                    ContactMoment.channel.in_(tuple(CARD_CHANNELS)),
                )
                .order_by(ContactMoment.at.desc(), ContactMoment.id.desc())
                .limit(limit)
            ).all()
        local = self.clock.to_local
        return [ContactRecord(local(r.at), r.channel, r.topic, r.minutes) for r in rows]

    def same_person(self, actor: Actor, data: VisitorInput) -> list[VisitorRecord]:
        """Existing visitors with the same name and date of birth (to avoid a duplicate)."""
        require(actor, "visitor.search")
        try:
            values = check_visitor(data, self.clock.today())
        except ValidationError:
            return []
        if values["birth_date"] is None:
            return []
        with self.db.read() as session:
            rows = session.scalars(
                select(Visitor).where(
                    Visitor.search_key == values["search_key"],
                    Visitor.birth_date == values["birth_date"],
                    Visitor.anonymised_at.is_(None),
                )
            )
            return [to_record(r) for r in rows]

    def search(self, actor: Actor, query: str, limit: int = 20) -> list[VisitorRecord]:
        """Name fragment (case/diacritic-blind; "family, given" too; a Chinese, Japanese or
        Korean name with or without its space), phone in any format or part of one,
        e-mail, date of birth."""
        require(actor, "visitor.search")
        parsed = parse_search(query)
        if parsed is None:
            return []
        shape, params = parsed
        joined = params.pop("joined", None)
        # A Core statement per shape of query, built once, read as plain rows.
        with self.db.read() as session:
            if joined is None:
                rows = session.execute(_search_statement(shape, limit), params)
                return [VisitorRecord(*row) for row in rows]
            # "王小明" for 王 小明: the visitors with a name word starting with its first
            # character, kept when their name without spaces (either order) holds it all.
            rows = session.execute(_search_statement(shape, limit * JOINED_SCAN), params)
            found = [VisitorRecord(*row) for row in rows if _joined_match(row, joined)]
            return found[:limit]


# The columns of a VisitorRecord, in its order (anonymised is implied: they are filtered out).
_V = Visitor.__table__.c
_RECORD_COLUMNS = (
    _V.id,
    _V.given_names,
    _V.family_name,
    _V.birth_date,
    _V.nationality,
    _V.phone,
    _V.email,
    _V.category,
    _V.employer,
    _V.municipality,
    _V.language,
    _V.notes,
    _V.mail_opt_out,
    _V.created_at,
)


# Everything parse_date's formats can match ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y";
# %Y is four digits, %m and %d one or two, %d also " 7") has this shape; a phone number has not.
_DATE_SHAPE = re.compile(r"[\d ]{1,4}[-/.][\d ]{1,2}[-/.][\d ]{1,4}")


# A name typed without its space is looked for among this many times ``limit`` visitors
# whose name has a word starting with its first character.
JOINED_SCAN = 10
_JOINED_SCRIPTS = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]+")
# Phone punctuation: a query of digits and these is (part of) a phone number.
_PHONE_PART = re.compile(r"\+?[\d\s().\-/]+")


def _joined_match(row: Any, joined: str) -> bool:
    given, family = fold(row.given_names or ""), fold(row.family_name or "")
    return any(
        joined in "".join(order.split()) for order in (f"{family} {given}", f"{given} {family}")
    )


def parse_search(query: str) -> tuple[tuple[str, ...], dict[str, Any]] | None:
    """What a free-text visitor query stands for: the kinds it matches on (its shape, e.g.
    ("email",) or ("name", "name")) and their values; None when it asks for nothing."""
    text = (query or "").strip()
    if not text or len(text) > 200 or has_control_chars(text):  # PostgreSQL refuses NUL
        return None
    shape: list[str] = []
    params: dict[str, Any] = {}
    if "@" in text:
        shape.append("email")
        params["email"] = text.casefold()
    digits = sum(ch.isdigit() for ch in text)
    if digits >= 6:
        try:
            phone = normalise_phone(text)
        except ValidationError:
            phone = None
        if phone:
            shape.append("phone")
            params["phone"] = phone
        # "555-0143" in +31 6 2555 0143: its digits in a row, anywhere in the number
        if _PHONE_PART.fullmatch(text) and not _DATE_SHAPE.fullmatch(text):
            shape.append("phone_part")
            params["phone_part"] = "%" + "".join(ch for ch in text if ch.isdigit()) + "%"
    born = None
    if digits and _DATE_SHAPE.fullmatch(text):  # spare the rest the four failed date formats
        try:
            born = parse_date(text, "q")
        except ValidationError:
            born = None
    if born:
        shape.append("born")
        params["born"] = born
    if not shape:
        # The shortest word first: the search walks its (broad) range in the index and
        # looks each hit up among the (fewer) visitors matching the other words.
        # "Ødegård, Zoë" (family, given): the comma only separates the words.
        words = name_tokens(text.replace(",", " ").replace(";", " "))
        if len(words) == 1 and len(words[0]) > 1 and _JOINED_SCRIPTS.fullmatch(words[0]):
            params["joined"] = words[0]
            words = [words[0][0]]
        for i, word in enumerate(sorted(words, key=len)):
            shape.append("name")
            params[f"w{i}"] = word
            params[f"w{i}_end"] = word + "\uffff"
    return (tuple(shape), params) if shape else None


@lru_cache(maxsize=64)
def _search_statement(shape: tuple[str, ...], limit: int) -> Any:
    if shape and shape[0] == "name":
        return _name_statement(len(shape), limit)
    conditions: list[Any] = []
    for kind in shape:
        if kind == "email":
            conditions.append(_V.email_key == bindparam("email"))
        elif kind == "phone":
            conditions.append(_V.phone == bindparam("phone"))
        elif kind == "phone_part":
            conditions.append(_V.phone.like(bindparam("phone_part")))
        elif kind == "born":
            conditions.append(_V.birth_date == bindparam("born"))
    return (
        select(*_RECORD_COLUMNS)
        .where(or_(*conditions), _V.anonymised_at.is_(None))
        .order_by(_V.updated_at.desc(), _V.id.desc())
        .limit(limit)
    )


def _name_statement(words: int, limit: int) -> Any:
    """Visitors with a name word starting with each of the words, most recently changed
    first (then the newest registered).

    The first ``limit`` are picked in the token index alone, which holds each visitor's
    ``updated_at`` (0012): a fragment matching 3,000 visitors reads 3,000 index entries
    and 20 visitor rows, not 3,000 rows. GROUP BY, because one visitor can have two
    words with the prefix ("Anna Annabel").
    """
    tokens = VisitorNameToken.__table__.alias("t")
    hits = select(tokens.c.visitor_id, tokens.c.visitor_updated_at).where(
        tokens.c.token >= bindparam("w0"), tokens.c.token < bindparam("w0_end")
    )
    for i in range(1, words):
        # "+ 0": SQLite would otherwise walk the other word's visitors through the
        # visitor_id index, reading a table row per token (several times slower).
        others = _token_prefix(bindparam(f"w{i}"), bindparam(f"w{i}_end"))
        hits = hits.where((tokens.c.visitor_id + literal_column("0")).in_(others))
    top = (
        hits.group_by(tokens.c.visitor_updated_at, tokens.c.visitor_id)
        .order_by(tokens.c.visitor_updated_at.desc(), tokens.c.visitor_id.desc())
        .limit(limit)
        .subquery("top")
    )
    return (
        select(*_RECORD_COLUMNS)
        .join_from(top, Visitor.__table__, _V.id == top.c.visitor_id)
        .where(_V.anonymised_at.is_(None))
        .order_by(top.c.visitor_updated_at.desc(), top.c.visitor_id.desc())
    )


def _token_prefix(start: Any, end: Any) -> Any:
    tokens = VisitorNameToken.__table__.c
    return select(tokens.visitor_id).where(tokens.token >= start, tokens.token < end)


def name_tokens(text: str) -> list[str]:
    """The folded words of a name, as stored for prefix search ("Ødegård" -> "odegard")."""
    words = fold(text).replace("-", " ").replace("'", " ").split()
    return sorted({w[:100] for w in words if w})


def write_name_tokens(session: Session, row: Visitor, *, new: bool = False) -> None:
    """Keep one visitor's search index in step with the name and ``updated_at`` (emptied
    when anonymised): call it after every change that sets ``updated_at``.

    ``new``: the visitor was inserted in this transaction, so there are no old tokens to
    delete. The tokens go in with one Core INSERT, not through the unit of work.
    """
    if not new:
        session.execute(delete(VisitorNameToken).where(VisitorNameToken.visitor_id == row.id))
    if row.anonymised_at is not None:
        return
    tokens = name_tokens(f"{row.given_names} {row.family_name}")
    if tokens:
        session.execute(
            insert(VisitorNameToken),
            [
                {"token": t, "visitor_id": row.id, "visitor_updated_at": row.updated_at}
                for t in tokens
            ],
        )


_VISITORS = cast(Table, Visitor.__table__)
_INSERT_VISITOR = insert(_VISITORS).returning(*_VISITORS.c)
_INSERT_TOKEN = insert(cast(Table, VisitorNameToken.__table__))

VISITOR_FIELDS = tuple(f.name for f in fields(VisitorInput))
