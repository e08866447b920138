"""Fictitious demo data, so a newcomer sees every screen filled.

Every capability adds a step to :data:`STEPS`; each step gets the services, a seeded
random generator and the :class:`DemoContext` the earlier steps filled. All names, phone
numbers and e-mail addresses are made up (phone numbers come from the ranges that
phonenumbers accepts as valid; e-mail domains are example.* reserved names).
"""

from __future__ import annotations

import random

from frontdesk.demo.appointments import appointments_step
from frontdesk.demo.context import DemoContext, DemoStep
from frontdesk.demo.feedback import feedback_step
from frontdesk.demo.kiosk import kiosk_step
from frontdesk.demo.mail import mail_step
from frontdesk.demo.merge import merge_step
from frontdesk.demo.packs import packs_step
from frontdesk.demo.people import rules_step, staff_step, visitor_step
from frontdesk.demo.queue import queue_step
from frontdesk.demo.referrals import referral_step
from frontdesk.services import Services

# Each capability adds its step here, in the order a day at the centre builds up.
STEPS: list[DemoStep] = [
    staff_step,
    rules_step,
    visitor_step,
    queue_step,
    appointments_step,
    mail_step,
    merge_step,
    referral_step,
    packs_step,
    kiosk_step,
    feedback_step,
]


def fill_demo(services: Services, days: int = 30, seed: int = 2026) -> str:
    """Fill an empty database; returns a summary of what was made."""
    rng = random.Random(seed)
    ctx = DemoContext(days=days)
    for step in STEPS:
        step(services, rng, ctx)
    return "demo data: " + "; ".join(ctx.lines)
