"""The domain layer: one module per capability, plain Python, no Textual.

:class:`Services` bundles them around one database, one clock and the settings; the TUI,
the CLI and the tests all go through it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import TYPE_CHECKING

from frontdesk.clock import Clock
from frontdesk.config import Settings
from frontdesk.services.auth import Actor
from frontdesk.services.errors import (
    AlreadyWaiting,
    Conflict,
    FrontdeskError,
    NotFound,
    OutsideWalkInHours,
    PermissionDenied,
    ValidationError,
)

# This package's names come without the database layer: the App paints its login screen
# before SQLAlchemy is imported (a fifth of a second), which happens when Services are
# first built (in a thread, while the PIN is typed).
if TYPE_CHECKING:
    from frontdesk.db import Database
    from frontdesk.services.appointments import AppointmentService
    from frontdesk.services.capacity import CapacityService
    from frontdesk.services.catalogue import CatalogueService
    from frontdesk.services.employers import EmployerService
    from frontdesk.services.feedback import FeedbackService
    from frontdesk.services.kiosk import KioskService
    from frontdesk.services.mail import MailService
    from frontdesk.services.merge import MergeService
    from frontdesk.services.packs import PackService
    from frontdesk.services.partners import PartnerService
    from frontdesk.services.privacy import PrivacyService
    from frontdesk.services.queue.sync import QueueSignal
    from frontdesk.services.referrals import ReferralService
    from frontdesk.services.reports import ReportService

__all__ = [
    "Actor",
    "AlreadyWaiting",
    "Conflict",
    "FrontdeskError",
    "NotFound",
    "OutsideWalkInHours",
    "PermissionDenied",
    "Services",
    "ValidationError",
]


class Services:
    """Every service of the app, sharing one database, clock and settings."""

    def __init__(self, db: Database, settings: Settings, clock: Clock | None = None) -> None:
        from frontdesk.services.audit import AuditService
        from frontdesk.services.queue import QueueService
        from frontdesk.services.rules import CentreRulesService
        from frontdesk.services.staff import StaffService
        from frontdesk.services.visitors import VisitorService

        self.db = db
        self.settings = settings
        self.clock = clock or Clock(settings.timezone)
        # Opening hours and the target wait: the config's values until the lead saves others.
        self.rules = CentreRulesService(db, settings, self.clock)
        self.staff = StaffService(db, settings, self.clock)
        self.audit = AuditService(db, self.clock)
        self.visitors = VisitorService(db, self.clock)
        self.queue = QueueService(db, settings, self.clock, self.visitors)

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Several service reads as one: every read inside the block, on this thread, sees
        one snapshot of the database (one read transaction). For a screen's refresh that
        asks several services at once (the desk: queue changes, visitor card, stock)."""
        with self.db.reading():
            yield

    # The desk needs only the services above to start; the others (and the modules they
    # import: appointments, referrals, packs, reports...) are built on first use.
    @cached_property
    def queue_signal(self) -> QueueSignal:
        """Moves soon after any process changed the queue; its watcher starts on first use."""
        from frontdesk.services.queue.sync import QueueSignal

        signal = QueueSignal(self.db)
        signal.start()
        return signal

    @cached_property
    def partners(self) -> PartnerService:
        from frontdesk.services.partners import PartnerService

        return PartnerService(self.db, self.settings, self.clock)

    @cached_property
    def referrals(self) -> ReferralService:
        from frontdesk.services.referrals import ReferralService

        return ReferralService(self.db, self.settings, self.clock)

    @cached_property
    def packs(self) -> PackService:
        from frontdesk.services.packs import PackService

        return PackService(self.db, self.clock, csv_delimiter=self.settings.csv_delimiter)

    @cached_property
    def reports(self) -> ReportService:
        from frontdesk.services.reports import ReportService
        from frontdesk.services.reports.sections.capabilities import (
            AppointmentSection,
            PackSection,
            ReferralSection,
        )
        from frontdesk.services.reports.sections.satisfaction import SatisfactionSection

        reports = ReportService(self.db, self.settings, self.clock)
        # The figures of appointments, referrals and packs join the lead's reports.
        for section in (AppointmentSection(), ReferralSection(), PackSection()):
            reports.add_section(section)
        reports.add_section(SatisfactionSection())  # ratings after the visit (feedback)
        return reports

    @cached_property
    def feedback(self) -> FeedbackService:
        from frontdesk.services.feedback import FeedbackService

        return FeedbackService(self.db, self.clock)

    @cached_property
    def catalogue(self) -> CatalogueService:
        from frontdesk.services.catalogue import CatalogueService

        return CatalogueService(self.db, self.clock)

    @cached_property
    def merge(self) -> MergeService:
        from frontdesk.services.merge import MergeService

        return MergeService(self.db, self.clock)

    @cached_property
    def capacity(self) -> CapacityService:
        from frontdesk.services.capacity import CapacityService

        return CapacityService(self.db, self.clock)

    @cached_property
    def employers(self) -> EmployerService:
        from frontdesk.services.employers import EmployerService

        return EmployerService(self.db, self.clock)

    @cached_property
    def appointments(self) -> AppointmentService:
        from frontdesk.services.appointments import AppointmentService

        return AppointmentService(
            self.db, self.settings, self.clock, self.visitors, self.queue, self.rules
        )

    @cached_property
    def kiosk(self) -> KioskService:
        from frontdesk.services.kiosk import KioskService

        return KioskService(
            self.db, self.settings, self.clock, self.queue, self.appointments, self.rules
        )

    @cached_property
    def privacy(self) -> PrivacyService:
        from frontdesk.services.appointments import AppointmentHolder
        from frontdesk.services.mail.holder import MailHolder
        from frontdesk.services.packs import PackHolder
        from frontdesk.services.privacy import PrivacyService, queue_holders
        from frontdesk.services.referrals import ReferralHolder

        # Each capability that keeps personal data about visitors adds its holder here.
        privacy = PrivacyService(self.db, self.settings, self.clock, queue_holders())
        privacy.add_holder(MailHolder())
        privacy.add_holder(AppointmentHolder(self.appointments))
        privacy.add_holder(ReferralHolder())
        privacy.add_holder(PackHolder())
        return privacy

    @cached_property
    def mail(self) -> MailService:
        from frontdesk.services.mail import MailService

        return MailService(self.db, self.settings, self.clock)

    @classmethod
    def open(cls, settings: Settings, clock: Clock | None = None) -> Services:
        """Connect, apply migrations, and build the services (raises DatabaseError).

        The migrations and the first-run set-up run under the start-up lock: of several
        desks starting at once, one does them and the others wait, then find them done."""
        from frontdesk.db import Database
        from frontdesk.db.migrate import startup_lock, upgrade
        from frontdesk.services.demo_day import clock_for

        db = Database(settings.db_url)
        try:
            with startup_lock(db):
                upgrade(db)
                # A database filled by `frontdesk --db URL demo` lives the demo's day.
                services = cls(db, settings, clock or clock_for(db, settings))
                services.start()
        except Exception:
            db.dispose()
            raise
        return services

    def start(self) -> None:
        """Once per start: add configured services, close days left open.

        ``open`` calls it under the start-up lock (``frontdesk.db.migrate.startup_lock``);
        a caller of its own on a shared database should too."""
        self.queue.sync_services(self.settings.services)
        self.queue.close_past_days()

    @property
    def database_label(self) -> str:
        return self.db.safe_url

    def close(self) -> None:
        if "queue_signal" in self.__dict__:
            self.queue_signal.stop()
        self.db.dispose()
