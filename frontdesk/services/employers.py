"""Employer names in one spelling: the list the team lead keeps (alias -> canonical name).

"Universiteit Leiden", "universiteit  leiden" and "Leiden University" are one employer
on an invoice. The lead keeps a list of aliases, one line each (``Universiteit Leiden =
Leiden University``); matching ignores case, accents and extra spaces. The list is
applied when an appointment is booked, changed or imported (the payer and each person's
employer) and when the invoices are totalled per employer, so appointments saved before an
alias was added still count under the canonical name.

The list is stored with the other centre rules (``centre_rules``, key
``employer_aliases``); a change is audited with the number of names, not the names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.clock import Clock
from frontdesk.db import Database
from frontdesk.db.models import CentreRule
from frontdesk.services.auth import Actor, require
from frontdesk.services.errors import ValidationError
from frontdesk.services.rules import RuleWrite
from frontdesk.services.text import clean_text, fold

ALIASES_KEY = "employer_aliases"
ALIASES_FIELD = "employer_aliases"
MAX_ALIASES = 500
_SEPARATORS = ("=", "->", "→", "\t")


def employer_key(name: str) -> str:
    """How employer names are compared: case, accents, spaces and dots do not count."""
    return fold(name.replace(".", " ").replace(",", " "))


@dataclass(frozen=True)
class EmployerAlias:
    alias: str
    canonical: str


@dataclass(frozen=True)
class EmployerNames:
    """The lead's list, ready to apply: any spelling -> the canonical name."""

    aliases: tuple[EmployerAlias, ...] = ()

    def _index(self) -> dict[str, str]:
        index: dict[str, str] = {}
        for a in self.aliases:
            index[employer_key(a.canonical)] = a.canonical
        for a in self.aliases:
            index[employer_key(a.alias)] = a.canonical
        return index

    def canonical(self, name: str | None) -> str | None:
        """The canonical spelling of ``name``; itself when the list does not know it."""
        if not name:
            return name
        return self._index().get(employer_key(name), name)

    def mapper(self) -> Mapping[str, str]:
        """The index itself, for applying the list many times (an import)."""
        return self._index()

    @property
    def text(self) -> str:
        """The list as the lead's form shows it: one ``alias = canonical`` a line."""
        return "\n".join(f"{a.alias} = {a.canonical}" for a in self.aliases)


def apply(index: Mapping[str, str], name: str | None) -> str | None:
    if not name:
        return name
    return index.get(employer_key(name), name)


def parse_aliases(text: object) -> tuple[EmployerAlias, ...]:
    """The lead's list as typed: ``alias = canonical`` a line; blank lines are skipped.

    Refused (naming the line, never repeating it): a line without both sides, an alias
    given two canonical names, a canonical name that is itself an alias of another."""
    raw = str(text or "")
    out: list[EmployerAlias] = []
    seen: dict[str, str] = {}
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        for sep in _SEPARATORS:
            if sep in line:
                left, right = line.split(sep, 1)
                break
        else:
            raise ValidationError(
                ALIASES_FIELD,
                f"line {number}: write the other spelling, '=', then the name to use",
            )
        alias = clean_text(left, ALIASES_FIELD, label="The employer name", max_length=200)
        canonical = clean_text(right, ALIASES_FIELD, label="The employer name", max_length=200)
        if not alias or not canonical:
            raise ValidationError(
                ALIASES_FIELD, f"line {number}: a name is missing on one side of '='"
            )
        key = employer_key(alias)
        if key == employer_key(canonical):
            continue  # "LUMC = lumc": nothing to change
        if key in seen and seen[key] != employer_key(canonical):
            raise ValidationError(
                ALIASES_FIELD, f"line {number}: this spelling already has another name to use"
            )
        seen[key] = employer_key(canonical)
        out.append(EmployerAlias(alias, canonical))
    if len(out) > MAX_ALIASES:
        raise ValidationError(ALIASES_FIELD, f"at most {MAX_ALIASES} lines")
    targets = {employer_key(a.canonical) for a in out}
    for number, a in enumerate(out, start=1):
        if employer_key(a.alias) in targets:
            raise ValidationError(
                ALIASES_FIELD,
                f"entry {number}: a name to use cannot also be another name's spelling; "
                "point both spellings at one name",
            )
    return tuple(out)


def _from_json(value: Any) -> tuple[EmployerAlias, ...]:
    return tuple(EmployerAlias(str(a), str(c)) for a, c in dict(value)["aliases"])


def names_in(session: Session) -> EmployerNames:
    """The lead's list, read in the caller's transaction (empty when none was saved)."""
    value = session.scalar(select(CentreRule.value).where(CentreRule.key == ALIASES_KEY))
    try:
        return EmployerNames(() if value is None else _from_json(value))
    except (ValueError, TypeError, KeyError):
        return EmployerNames()


def employer_index(db: Database) -> Mapping[str, str]:
    """The lead's list as an index for :func:`apply` (one read)."""
    with db.read() as session:
        return names_in(session).mapper()


class EmployerService:
    """The lead's list of employer spellings."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def names(self) -> EmployerNames:
        with self.db.read() as session:
            return names_in(session)

    def save(self, actor: Actor, text: object) -> EmployerNames:
        """Replace the list with what the lead typed (checked whole first)."""
        require(actor, "rules.manage")
        aliases = parse_aliases(text)
        return self.save_aliases(actor, aliases)

    def save_aliases(self, actor: Actor, aliases: Iterable[EmployerAlias]) -> EmployerNames:
        require(actor, "rules.manage")
        items = tuple(aliases)
        with self.db.write() as session:
            row = RuleWrite.locked(session, ALIASES_KEY)
            old = names_in(session)
            if old.aliases == items:
                return old
            RuleWrite(session, self.clock, actor).put(
                row,
                ALIASES_KEY,
                {"aliases": [[a.alias, a.canonical] for a in items]},
                action="rules.employers",
                reason=f"{len(old.aliases)} -> {len(items)} employer spellings",
            )
            return EmployerNames(items)
