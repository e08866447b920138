"""The lead's list of services: name, ticket prefix, active, which desks call them."""

from __future__ import annotations

from sqlalchemy import select

from frontdesk.clock import Clock
from frontdesk.db import Database
from frontdesk.db.models import Service
from frontdesk.services import audit
from frontdesk.services.auth import Actor, require
from frontdesk.services.errors import NotFound, ValidationError
from frontdesk.services.queue import ServiceInfo, service_info
from frontdesk.services.text import clean_text


def check_prefix(value: object) -> str:
    text = str(value or "").strip().upper()
    if not (1 <= len(text) <= 2 and text.isascii() and text.isalpha()):
        raise ValidationError("prefix", "the ticket prefix must be one or two letters, e.g. B")
    return text


def check_desks(value: object) -> str:
    """ "1, 2 3" -> "1,2,3"; empty means every desk calls the service."""
    text = str(value or "").replace(",", " ").split()
    desks: list[int] = []
    for part in text:
        if not part.isdigit() or not 1 <= int(part) <= 99:
            raise ValidationError("desks", "list desk numbers 1-99, e.g. 1, 2 (empty = all desks)")
        if int(part) not in desks:
            desks.append(int(part))
    return ",".join(str(d) for d in sorted(desks))


class CatalogueService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def list(self, actor: Actor) -> list[ServiceInfo]:
        require(actor, "service.manage")
        with self.db.read() as session:
            return [service_info(r) for r in session.scalars(select(Service).order_by(Service.id))]

    def update(
        self,
        actor: Actor,
        code: str,
        *,
        name: object,
        prefix: object,
        active: bool,
        desks: object,
    ) -> ServiceInfo:
        """Change a service; the prefix stays unique (ticket numbers are per prefix)."""
        require(actor, "service.manage")
        clean_name = clean_text(name, "name", label="The name", max_length=100, required=True)
        clean_prefix = check_prefix(prefix)
        clean_desks = check_desks(desks)
        with self.db.write() as session:
            row = session.scalar(select(Service).where(Service.code == code))
            if row is None:
                raise NotFound("this service does not exist")
            clash = session.scalar(
                select(Service.name).where(Service.prefix == clean_prefix, Service.id != row.id)
            )
            if clash:
                raise ValidationError("prefix", "another service already uses this prefix")
            changes = []
            for attr, new in (
                ("name", clean_name),
                ("prefix", clean_prefix),
                ("active", bool(active)),
                ("desks", clean_desks),
            ):
                if getattr(row, attr) != new:
                    changes.append(attr)
                    setattr(row, attr, new)
            if changes:
                audit.record(
                    session,
                    self.clock,
                    action="service.update",
                    actor=actor,
                    object_type="service",
                    object_id=row.code,
                    reason="changed " + ", ".join(changes),
                )
            return service_info(row)
