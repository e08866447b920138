"""The ``--delimiter`` flag of every command that writes CSV (reports, invoices, partner
report, packs report): "," or ";" for a spreadsheet set to Dutch. It overrides the config
file's ``[exports] delimiter`` for that one run."""

from __future__ import annotations

import argparse

from frontdesk.config import CHOICES


def add_delimiter_flag(parser: argparse.ArgumentParser) -> None:
    """Add ``--delimiter {",", ";"}`` to a command that writes CSV."""
    parser.add_argument(
        "--delimiter",
        dest="csv_delimiter",
        choices=CHOICES["csv_delimiter"],
        default=None,
        help='CSV cell separator: "," or ";" (for Dutch spreadsheets; '
        'default: [exports] delimiter in the config file, else ",")',
    )
