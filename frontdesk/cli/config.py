"""``frontdesk config``: where the config file is, and the settings in effect."""

from __future__ import annotations

import argparse
import dataclasses
import os
from datetime import time
from pathlib import Path
from typing import Any

from frontdesk.cli.common import EXIT_OK, command_group
from frontdesk.config import Settings


def add_parser(sub: Any) -> None:
    _config, config_sub = command_group(
        sub,
        "config",
        help="configuration file",
        description="Configuration.",
    )
    path = config_sub.add_parser(
        "path",
        help="print where the config file is",
        description="Print where the config file is read from.",
    )
    path.set_defaults(before_settings=cmd_config)
    show = config_sub.add_parser(
        "show",
        help="print the settings in effect (no passwords)",
        description="Print the settings in effect: the config file, the environment and the "
        "flags together. Passwords are never printed: the database URL's is masked, and "
        "the mail password (FRONTDESK_MAIL_PASSWORD or password_file) is only said to be "
        "set or not.",
    )
    show.set_defaults(handler=cmd_show)


def cmd_config(args: argparse.Namespace) -> int:
    """Runs before the settings are read: a broken config file still has a path."""
    from frontdesk.config import default_config_path

    print(args.config or default_config_path())
    return EXIT_OK


def _value(value: Any) -> str:
    """A setting written as in the config file (TOML-like)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if value is None:
        return '""  # not set'
    if isinstance(value, time):
        return f'"{value:%H:%M}"'
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_value(v)}" for k, v in value.items()) + "}"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        parts = (f"{f.name} = {_value(getattr(value, f.name))}" for f in dataclasses.fields(value))
        return "{" + ", ".join(parts) + "}"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def show_lines(settings: Settings, environ: dict[str, str] | None = None) -> list[str]:
    """The settings as ``name = value`` lines, nested tables as ``[name]`` sections."""
    from sqlalchemy.engine import make_url

    environ = dict(os.environ) if environ is None else environ
    lines: list[str] = []
    tables: list[tuple[str, Any]] = []
    for item in dataclasses.fields(settings):
        value = getattr(settings, item.name)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            tables.append((item.name, value))
            continue
        if item.name == "db_url":
            value = make_url(value).render_as_string(hide_password=True)
        lines.append(f"{item.name} = {_value(value)}")
    for name, table in tables:
        lines += ["", f"[{name}]"]
        for item in dataclasses.fields(table):
            lines.append(f"{item.name} = {_value(getattr(table, item.name))}")
        if name == "mail":
            file = getattr(table, "password_file", None)
            from_env = bool(environ.get("FRONTDESK_MAIL_PASSWORD"))
            from_file = isinstance(file, Path) and file.is_file()
            said = (
                "set (FRONTDESK_MAIL_PASSWORD)"
                if from_env
                else "set (password_file)"
                if from_file
                else "not set"
            )
            lines.append(f"# password: {said}; never printed")
    return lines


def cmd_show(args: argparse.Namespace, settings: Settings) -> int:
    print("\n".join(show_lines(settings)))
    return EXIT_OK
