"""The partner directory: the banks, schools, advisers... the centre refers visitors to.

Everyone may look partners up; only the team lead adds, edits, deactivates and imports
them. A partner is never deleted (old referrals point at it); it is deactivated instead.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from frontdesk.clock import Clock
from frontdesk.config import Settings
from frontdesk.db import Database
from frontdesk.db.models import Partner, Referral
from frontdesk.services import audit
from frontdesk.services.auth import Actor, require
from frontdesk.services.csvimport import ImportResult, read_csv
from frontdesk.services.errors import ValidationError, check_id
from frontdesk.services.fields import normalise_email, normalise_phone
from frontdesk.services.records import record_of
from frontdesk.services.rows import row_or_refuse
from frontdesk.services.text import clean_text, fold

IMPORT_REQUIRED = ("name", "category")
IMPORT_OPTIONAL = ("contact", "email", "phone", "website", "languages", "notes")
_LANG_SPLIT = re.compile(r"[,;/|]")


@dataclass(frozen=True)
class PartnerInput:
    """What the form or an import row says about a partner; text as typed."""

    name: str = ""
    category: str = ""
    contact: str | None = None
    email: str | None = None
    phone: str | None = None
    website: str | None = None
    languages: str | None = None
    notes: str | None = None


PARTNER_FIELDS = tuple(f.name for f in fields(PartnerInput))


@dataclass(frozen=True)
class PartnerRecord:
    id: int
    name: str
    category: str
    contact: str | None
    email: str | None
    phone: str | None
    website: str | None
    languages: str | None
    notes: str | None
    active: bool

    def as_input(self) -> PartnerInput:
        return PartnerInput(**{f: getattr(self, f) for f in PARTNER_FIELDS})


def _record(row: Partner) -> PartnerRecord:
    return record_of(PartnerRecord, row)


def normalise_languages(value: object, field: str = "languages") -> str | None:
    """ "english; dutch / Français" -> "English, Dutch, Français" (order kept, no repeats)."""
    text = clean_text(value, field, label="The languages", max_length=300)
    if text is None:
        return None
    out: dict[str, str] = {}
    for part in _LANG_SPLIT.split(text):
        word = " ".join(part.split())
        if not word:
            continue
        if len(word) > 40:
            raise ValidationError(field, "a language name is too long; separate them with commas")
        out.setdefault(fold(word), word[0].upper() + word[1:])
    return ", ".join(out.values()) or None


def normalise_website(value: object, field: str = "website") -> str | None:
    text = clean_text(value, field, label="The website", max_length=300)
    if text is None:
        return None
    if " " in text:
        raise ValidationError(field, "a website address has no spaces; write it as example.nl")
    if "://" not in text:
        text = f"https://{text}"
    scheme, _, rest = text.partition("://")
    host = rest.split("/", 1)[0]
    if scheme.lower() not in ("http", "https") or "." not in host or host.startswith("."):
        raise ValidationError(field, "this is not a website address; write it as example.nl")
    return text


# What people write in a spreadsheet's category column, folded, mapped to the default
# categories (used only when that category is configured). Plurals and capitals are
# handled by _category_key; this lists Dutch words and near-synonyms.
CATEGORY_WORDS: dict[str, str] = {
    "banken": "bank",
    "bankieren": "bank",
    "banking": "bank",
    "huisvesting": "housing",
    "woning": "housing",
    "woningen": "housing",
    "wonen": "housing",
    "accommodation": "housing",
    "woningcorporatie": "housing",
    "real estate": "housing",
    "makelaar": "housing",
    "makelaars": "housing",
    "relocation": "relocation agent",
    "relocatie": "relocation agent",
    "verhuizing": "relocation agent",
    "relocation adviser": "relocation agent",
    "relocation advisor": "relocation agent",
    "relocation company": "relocation agent",
    "tax": "tax adviser",
    "tax advisor": "tax adviser",
    "tax consultant": "tax adviser",
    "belastingadviseur": "tax adviser",
    "belastingadviseurs": "tax adviser",
    "belasting": "tax adviser",
    "fiscalist": "tax adviser",
    "fiscalisten": "tax adviser",
    "accountant": "tax adviser",
    "advocaat": "lawyer",
    "advocaten": "lawyer",
    "jurist": "lawyer",
    "juristen": "lawyer",
    "legal": "lawyer",
    "attorney": "lawyer",
    "law firm": "lawyer",
    "verzekeraar": "insurer",
    "verzekeraars": "insurer",
    "verzekering": "insurer",
    "verzekeringen": "insurer",
    "insurance": "insurer",
    "insurance company": "insurer",
    "taalschool": "language school",
    "taalscholen": "language school",
    "language course": "language school",
    "language": "language school",
    "taalcursus": "language school",
    "internationale school": "international school",
    "kinderopvang": "childcare",
    "opvang": "childcare",
    "daycare": "childcare",
    "day care": "childcare",
    "creche": "childcare",
    "child care": "childcare",
    "zorg": "healthcare",
    "gezondheidszorg": "healthcare",
    "huisarts": "healthcare",
    "huisartsen": "healthcare",
    "health": "healthcare",
    "health care": "healthcare",
    "medical": "healthcare",
    "doctor": "healthcare",
    "overig": "other",
    "overige": "other",
    "anders": "other",
    "misc": "other",
    "miscellaneous": "other",
}
_FILLER_WORDS = frozenset({"company", "firm", "agency", "office", "bedrijf", "bedrijven"})


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ses", "xes", "ches", "shes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _category_key(text: str) -> str:
    """ "Insurance companies" -> "insurance"; "Language_Schools" -> "language school"."""
    words = [_singular(w) for w in re.sub(r"[^\w]+|_", " ", fold(text)).split()]
    kept = [w for w in words if w not in _FILLER_WORDS]
    return " ".join(kept or words)


def match_category(value: object, categories: tuple[str, ...], field: str = "category") -> str:
    """The configured category meant by what was written ("Banks", "banken" -> "bank").

    Case, accents, plurals, a Dutch word or a near-synonym are understood; anything else
    is refused with the closest category as a suggestion.
    """
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise ValidationError(field, "pick a category")
    known: dict[str, str] = {}
    for category in categories:
        known.setdefault(fold(category), category)
        known.setdefault(_category_key(category), category)
    by_key = {fold(c): c for c in categories}
    for word, meant in CATEGORY_WORDS.items():
        if meant in by_key:
            known.setdefault(word, by_key[meant])
            known.setdefault(_category_key(word), by_key[meant])
    for key in (fold(text).replace("_", " "), _category_key(text)):
        if key in known:
            return known[key]
    close = difflib.get_close_matches(_category_key(text), list(known), n=1, cutoff=0.6)
    hint = f"did you mean '{known[close[0]]}'? " if close else ""
    raise ValidationError(field, f"unknown category; {hint}use one of: " + ", ".join(categories))


def check_partner(data: PartnerInput, categories: tuple[str, ...]) -> dict[str, Any]:
    """Validate every field; the first problem raises, naming its field."""
    name = clean_text(data.name, "name", label="The name", max_length=200, required=True)
    assert name is not None
    return {
        "name": name,
        "name_key": fold(name),
        "category": match_category(data.category, categories),
        "contact": clean_text(data.contact, "contact", label="The contact person", max_length=200),
        "email": normalise_email(data.email),
        "phone": normalise_phone(data.phone),
        "website": normalise_website(data.website),
        "languages": normalise_languages(data.languages),
        "notes": clean_text(
            data.notes, "notes", label="The notes", max_length=2000, multiline=True
        ),
    }


_LABELS = {
    "name": "name",
    "category": "category",
    "contact": "contact",
    "email": "e-mail",
    "phone": "phone",
    "website": "website",
    "languages": "languages",
    "notes": "notes",
}


def _accents(text: str) -> int:
    return sum(1 for c in text if c.isalpha() and fold(c) != c.lower())


def corrects_name(stored: str, written: str) -> bool:
    """Whether a row's spelling of a known partner's name is a correction to keep.

    Matching ignores case and accents, so "RIJNLAND BANK" finds "Rijnland Bank"; the stored
    spelling stays unless the file clearly corrects it: written in mixed case (not all
    capitals or all lower case) and with no accent dropped ("Odegard" for "Ødegård").
    """
    if written == stored:
        return False
    mixed = written != written.upper() and written != written.lower()
    return mixed and _accents(written) >= _accents(stored)


def _same_languages(a: str | None, b: str | None) -> bool:
    def words(text: str | None) -> set[str]:
        return {fold(w) for w in (text or "").split(",") if w.strip()}

    return words(a) == words(b)


def _what_changes(current: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """The fields an import row changes: never erases (a blank cell keeps what is known)."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key == "name_key" or value is None or value == current[key]:
            continue
        if key == "name" and not corrects_name(current[key], value):
            continue
        if key == "languages" and _same_languages(current[key], value):
            continue
        out[key] = value
    return out


class PartnerService:
    def __init__(self, db: Database, settings: Settings, clock: Clock) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        self.trail = audit.Trail(clock, "partner")

    @property
    def categories(self) -> tuple[str, ...]:
        return self.settings.partner_categories

    # -- reading ---------------------------------------------------------------------
    def search(
        self,
        actor: Actor,
        text: str = "",
        *,
        category: str | None = None,
        language: str | None = None,
        include_inactive: bool = False,
        limit: int = 500,
    ) -> list[PartnerRecord]:
        """Partners whose name holds every word typed, of a category, speaking a language.

        Case and diacritics do not matter ("cafe" finds "Café"). The directory is small
        (tens to hundreds), so name and language are matched here rather than in SQL.
        """
        require(actor, "partner.view")
        stmt = select(Partner).order_by(Partner.name_key)
        if category:
            stmt = stmt.where(Partner.category == category)
        if not include_inactive:
            stmt = stmt.where(Partner.active)
        words = fold(text or "").split()
        lang = fold(language or "")
        out: list[PartnerRecord] = []
        with self.db.read() as session:
            for row in session.scalars(stmt):
                if words and not all(w in row.name_key for w in words):
                    continue
                if lang and lang not in fold(row.languages or ""):
                    continue
                out.append(_record(row))
                if len(out) >= limit:
                    break
        return out

    def get(self, actor: Actor, partner_id: int) -> PartnerRecord:
        require(actor, "partner.view")
        partner_id = check_id(partner_id, "this partner does not exist")
        with self.db.read() as session:
            row = row_or_refuse(session, Partner, partner_id, "this partner does not exist")
            return _record(row)

    # -- changing (team lead) ----------------------------------------------------------
    def _same_name(self, session: Session, name_key: str, other_than: int | None) -> bool:
        stmt = select(Partner.id).where(Partner.name_key == name_key)
        if other_than is not None:
            stmt = stmt.where(Partner.id != other_than)
        return session.scalar(stmt) is not None

    def add(self, actor: Actor, data: PartnerInput) -> PartnerRecord:
        require(actor, "partner.edit")
        values = check_partner(data, self.categories)
        with self.db.write() as session:
            if self._same_name(session, values["name_key"], None):
                raise ValidationError("name", "a partner with this name already exists")
            now = self.clock.now()
            row = Partner(**values, active=True, created_at=now, updated_at=now)
            session.add(row)
            session.flush()
            self.trail.add(session, actor, "partner.add", row.id)
            return _record(row)

    def update(self, actor: Actor, partner_id: int, data: PartnerInput) -> PartnerRecord:
        require(actor, "partner.edit")
        partner_id = check_id(partner_id, "this partner does not exist")
        values = check_partner(data, self.categories)
        with self.db.write() as session:
            row = row_or_refuse(session, Partner, partner_id, "this partner does not exist")
            if self._same_name(session, values["name_key"], partner_id):
                raise ValidationError("name", "a partner with this name already exists")
            for key, value in values.items():
                setattr(row, key, value)
            row.updated_at = self.clock.now()
            self.trail.add(session, actor, "partner.update", row.id)
            return _record(row)

    def set_active(self, actor: Actor, partner_id: int, active: bool) -> PartnerRecord:
        """Deactivate (hidden from new referrals, history kept) or bring back a partner."""
        require(actor, "partner.edit")
        partner_id = check_id(partner_id, "this partner does not exist")
        with self.db.write() as session:
            row = row_or_refuse(session, Partner, partner_id, "this partner does not exist")
            row.active = active
            row.updated_at = self.clock.now()
            self.trail.add(
                session, actor, "partner.activate" if active else "partner.deactivate", row.id
            )
            return _record(row)

    def referral_count(self, actor: Actor, partner_id: int) -> int:
        require(actor, "partner.view")
        partner_id = check_id(partner_id, "this partner does not exist")
        with self.db.read() as session:
            return int(
                session.scalar(
                    select(func.count())
                    .select_from(Referral)
                    .where(Referral.partner_id == partner_id)
                )
                or 0
            )

    # -- import --------------------------------------------------------------------------
    def import_csv(
        self, actor: Actor, source: bytes | str | Path, *, dry_run: bool = False
    ) -> ImportResult:
        """Add new partners and update changed ones from a CSV file, in one transaction.

        A row matches an existing partner by its folded name. Rejected rows are reported
        (line, column, reason) and skipped; the good rows are still imported. With
        ``dry_run`` the database is left as it was and the result says what would happen.
        Raises CsvError when the file as a whole cannot be used.
        """
        require(actor, "partner.edit")
        table = read_csv(source, required=IMPORT_REQUIRED, optional=IMPORT_OPTIONAL)
        result = ImportResult(dry_run=dry_run)
        with self.db.write() as session:
            existing: dict[str, Partner | dict[str, Any]] = {
                row.name_key: row for row in session.scalars(select(Partner))
            }
            now = self.clock.now()
            for line, cells in table.rows():
                if cells.get(""):
                    result.reject(line, "", "the row has more cells than the first line names")
                    continue
                data = PartnerInput(**{k: cells.get(k, "") for k in PARTNER_FIELDS})
                try:
                    values = check_partner(data, self.categories)
                except ValidationError as exc:
                    result.reject(line, exc.field, exc.message)
                    continue
                known = existing.get(values["name_key"])
                if known is None:
                    result.imported += 1
                    result.changes.append(f"line {line}: new partner {values['name']}")
                    if dry_run:
                        existing[values["name_key"]] = values
                    else:
                        row = Partner(**values, active=True, created_at=now, updated_at=now)
                        session.add(row)
                        existing[values["name_key"]] = row
                    continue
                current = (
                    known if isinstance(known, dict) else {k: getattr(known, k) for k in values}
                )
                changed = _what_changes(current, values)
                if not changed:
                    result.unchanged += 1
                    continue
                result.updated += 1
                where = f"line {line}, {current['name']}"
                result.changes.extend(
                    f"{where}: {_LABELS[k]}: {current[k] or '(blank)'} -> {v}"
                    for k, v in changed.items()
                )
                if isinstance(known, dict):
                    known.update(changed)
                elif not dry_run:
                    for key, value in changed.items():
                        setattr(known, key, value)
                    known.updated_at = now
            if not dry_run and (result.imported or result.updated):
                audit.record(
                    session,
                    self.clock,
                    action="partner.import",
                    actor=actor,
                    object_type="partner",
                    reason=f"{result.imported} imported, {result.updated} updated",
                )
        return result
