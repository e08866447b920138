"""``frontdesk config``: where the config file is."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from frontdesk.cli.common import (
    EXIT_OK,
    Parser,
)

if TYPE_CHECKING:
    pass


def add_parser(sub: Any) -> None:
    config = sub.add_parser("config", help="configuration file", description="Configuration.")
    config_sub = config.add_subparsers(
        dest="config_command", metavar="ACTION", required=True, parser_class=Parser
    )
    config_sub.add_parser(
        "path",
        help="print where the config file is",
        description="Print where the config file is read from.",
    )
    config.set_defaults(before_settings=cmd_config)


def cmd_config(args: argparse.Namespace) -> int:
    """Runs before the settings are read: a broken config file still has a path."""
    from frontdesk.config import default_config_path

    print(args.config or default_config_path())
    return EXIT_OK
