"""The demo's partners and referrals, in every state."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from frontdesk.demo.context import (
    DemoContext,
)
from frontdesk.services import Services
from frontdesk.services.text import fold

DEMO_PARTNERS: tuple[tuple[str, str, str, str], ...] = (
    ("Rijnland Bank", "bank", "Eva Jansen", "Dutch, English"),
    ("Sleutelstad Spaarbank", "bank", "Mark de Boer", "Dutch, English, German"),
    ("Hortus Housing", "housing", "Sanne Visser", "English, Dutch"),
    ("Leiden Student Rooms", "housing", "Joost Smit", "English"),
    ("Kaag Kamerverhuur", "housing", "", "Dutch"),
    ("Holland Move Relocation", "relocation agent", "Laura Meijer", "English, Spanish, Dutch"),
    ("Tulip Relocations", "relocation agent", "Peter Mulder", "English, French"),
    ("Breestraat Belastingadvies", "tax adviser", "Ingrid Bos", "Dutch, English"),
    ("30% Ruling Desk", "tax adviser", "Rob Peters", "English"),
    ("Pieterskerk Advocaten", "lawyer", "Mr. Hendriks", "Dutch, English, Arabic"),
    ("Migration Law Leiden", "lawyer", "Aylin Demir", "English, Turkish, Dutch"),
    ("Zorgpolis Zuid-Holland", "insurer", "Kim de Wit", "Dutch, English"),
    ("Expat Insure NL", "insurer", "Tom Brouwer", "English, German"),
    ("Leiden Lingua", "language school", "Marieke Dekker", "Dutch, English"),
    ("Taalhuis Oegstgeest", "language school", "Femke Vos", "Dutch, Arabic, Tigrinya"),
    ("Nederlands in Actie", "language school", "Bas Kok", "Dutch, English, Polish"),
    ("International School Rijnstreek", "international school", "Claire Dubois", "English, French"),
    ("Leiden Bilingual Primary", "international school", "Hanna Berg", "English, Dutch"),
    ("Kinderopvang De Molen", "childcare", "Anouk Jacobs", "Dutch, English"),
    ("Little Explorers Daycare", "childcare", "Grace Okoye", "English"),
    ("Huisartsen Stevenshof", "healthcare", "Dr. Van Dijk", "Dutch, English"),
    ("Leiden Expat Therapy", "healthcare", "Dr. Rossi", "English, Italian"),
    ("Tandartspraktijk Haagweg", "healthcare", "", "Dutch, English"),
    ("Welcome Buddies Leiden", "other", "Noor Hassan", "English, Arabic, Dutch"),
    ("Fietsenmakerij Morspoort", "other", "Wim Verbeek", "Dutch"),
)
DEMO_REASONS = (
    "open a bank account before the first salary",
    "looking for a room for six months",
    "question about the 30% ruling",
    "health insurance within four months of registration",
    "Dutch lessons for the partner",
    "a school place for two children",
    "childcare three days a week",
    "register with a GP",
    "residence permit for a family member",
    "help finding a rental house for a family",
    "wants to meet other newcomers",
)


def referral_step(services: Services, rng: random.Random, ctx: DemoContext) -> None:

    from frontdesk.clock import FixedClock
    from frontdesk.services.auth import Actor
    from frontdesk.services.partners import PartnerInput
    from frontdesk.services.referrals import OUTCOMES, ReferralService

    lead = next(s for s in ctx.staff if s.role == "lead")
    actor = Actor(lead.id, lead.name, lead.role, None, "demo")
    partners = []
    for i, (name, category, contact, languages) in enumerate(DEMO_PARTNERS):
        slug = fold(name).replace("%", "").replace(" ", "")[:20]
        partners.append(
            services.partners.add(
                actor,
                PartnerInput(
                    name=name,
                    category=category,
                    contact=contact,
                    email=f"info@{slug}.example.nl",
                    phone=f"071 51{i:02d} {rng.randint(100, 999)}",
                    website=f"www.{slug}.example.nl",
                    languages=languages,
                ),
            ).id
        )
    services.partners.set_active(actor, partners[-1], False)  # one partner that stopped
    partners = partners[:-1]
    desk = [Actor(s.id, s.name, s.role, 1, "demo") for s in ctx.staff if s.role in ("lead", "desk")]
    workers = [Actor(s.id, s.name, s.role, 1, "demo") for s in ctx.staff if s.role == "intern"]
    workers = workers or desk
    now = services.clock.now()
    clock = FixedClock(now, services.clock.tz)
    refs = ReferralService(services.db, services.settings, clock)
    tz = services.clock.tz
    today = services.clock.today()
    made = 0
    for _ in range(60):
        day = today - timedelta(days=rng.randint(0, 35))
        if day.weekday() >= 5:
            day -= timedelta(days=day.weekday() - 4)
        moment = datetime.combine(day, time(rng.randint(9, 15), rng.randint(0, 59)), tzinfo=tz)
        if moment >= now:
            moment = now - timedelta(minutes=rng.randint(5, 120))
        clock.set(moment)
        consent = rng.random() < 0.75
        row = refs.create(
            rng.choice(desk),
            visitor_id=rng.choice(ctx.visitors).id,
            partner_id=rng.choice(partners),
            reason=rng.choice(DEMO_REASONS),
            consent_given=consent,
            consent_how=rng.choice(("verbal", "verbal", "written", "email")) if consent else None,
        )
        made += 1
        worker = rng.choice(workers)
        steps = rng.choice((0, 1, 1, 2, 2, 3, 4, 4, 5))
        if (today - day).days > 14:  # a kept worklist: most older referrals are closed
            steps = rng.choice((3, 4, 4, 4, 4))

        def later(hours: int = 0) -> bool:
            step = timedelta(days=rng.randint(1, 4), hours=hours)
            if clock.now() + step >= now:
                return False
            clock.advance(seconds=step.total_seconds())
            return True

        if steps >= 1 and later():
            refs.assign(worker, row.id)
            if steps >= 2 and later():
                refs.record_contact(worker, row.id, "phoned the partner, sent the request")
                if steps >= 3 and later():
                    answer = rng.random() < 0.7
                    (refs.accept if answer else refs.decline)(worker, row.id, None)
                    if steps >= 4 and later():
                        code = "got_help" if answer else rng.choice(list(OUTCOMES)[1:5])
                        refs.close(worker, row.id, code)
    ctx.lines.append(f"{len(DEMO_PARTNERS)} partners, {made} referrals")
