"""The demo: fictitious data so a newcomer sees every screen filled, and the start of
``frontdesk --demo``. Not part of the services: it builds its data through them (and, for
weeks of past days at once, straight through the models); only the CLI imports it.

builder.py holds :data:`~frontdesk.demo.builder.STEPS` and :func:`fill_demo`; context.py
what the steps share; one module of steps per capability (people, queue, appointments,
referrals, packs); start.py the demo's clock and its own database file.
"""

from frontdesk.demo.builder import STEPS, fill_demo
from frontdesk.demo.context import DEMO_PEOPLE, DEMO_PINS, DEMO_STAFF, DemoContext, DemoStep
from frontdesk.demo.start import (
    DemoStart,
    demo_clock,
    demo_database,
    demo_moment,
    demo_note,
    reset_demo_database,
)

__all__ = [
    "DEMO_PEOPLE",
    "DEMO_PINS",
    "DEMO_STAFF",
    "STEPS",
    "DemoContext",
    "DemoStart",
    "DemoStep",
    "demo_clock",
    "demo_database",
    "demo_moment",
    "demo_note",
    "fill_demo",
    "reset_demo_database",
]
