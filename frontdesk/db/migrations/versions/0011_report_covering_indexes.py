"""report covering indexes: the period report's counts read no table rows

The period report counts contact moments by channel, appointments by kind and status,
BSN outcomes, referrals by partner and status, referral outcomes and packs by kind, for
the period and the one before it. Each count found its rows through an index on the
date and then read every row from the table (a large part of a year's report).
Each of these indexes now also holds the columns the count needs, so the count reads
the index alone; the leading column is unchanged, so every other query that used the
old index uses the new one the same way.

Tickets (day, status) becomes (day, status, service_id, visitor_id): the tickets per
service, day and status are counted in the index's own order (no sort, no table rows),
and the served visits per visitor read no table rows either. It is the same number of
index entries to keep up on every write as before, each a few bytes longer.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 08:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# table, index, old columns, new columns
INDEXES = (
    (
        "tickets",
        "ix_tickets_day_status",
        ["day", "status"],
        ["day", "status", "service_id", "visitor_id"],
    ),
    ("contact_moments", "ix_contact_moments_at", ["at"], ["at", "channel", "minutes"]),
    ("appointments", "ix_appointments_day", ["day"], ["day", "kind", "status"]),
    (
        "appointment_persons",
        "ix_appointment_persons_appointment_id",
        ["appointment_id"],
        ["appointment_id", "bsn_outcome"],
    ),
    (
        "referrals",
        "ix_referrals_created_at",
        ["created_at"],
        ["created_at", "partner_id", "status"],
    ),
    ("referrals", "ix_referrals_outcome_at", ["outcome_at"], ["outcome_at", "outcome"]),
    ("pack_issues", "ix_pack_issues_at", ["at"], ["at", "pack_type_id"]),
)


def upgrade() -> None:
    for table, name, _, columns in INDEXES:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns)


def downgrade() -> None:
    for table, name, columns, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns)
