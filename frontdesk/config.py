"""Settings: where the database is, which desk this is, time zone, hours, policies, keys.

Three sources, later ones win: the TOML config file in the user config folder, the
environment (``FRONTDESK_DB``, ``FRONTDESK_DESK``, ``FRONTDESK_STAFF``), the command-line
flags. Nothing here touches the database or the screen.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs

from frontdesk.config_mail import MailConfigError, MailSettings, parse_mail

APP_NAME = "frontdesk"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ConfigError(Exception):
    """The configuration cannot be used; the message says where and why."""


@dataclass(frozen=True)
class Hours:
    """One block of opening hours on a weekday."""

    weekday: int  # 0 = Monday
    start: time
    end: time
    kind: str  # "walk_in" or "bsn_appointments"


@dataclass(frozen=True)
class ServiceDefault:
    code: str
    name: str
    prefix: str
    minutes: int
    by_appointment: bool = False


DEFAULT_SERVICES: tuple[ServiceDefault, ...] = (
    ServiceDefault("bsn_registration", "BSN registration", "B", 30, by_appointment=True),
    ServiceDefault("bsn_collection", "BSN collection", "C", 10, by_appointment=True),
    ServiceDefault("info", "Information & advice", "A", 15),
    ServiceDefault("welcome_pack", "Welcome pack", "W", 5),
    ServiceDefault("referral", "Partner referral", "R", 15),
)

DEFAULT_HOURS: tuple[Hours, ...] = (
    Hours(0, time(9, 0), time(12, 15), "bsn_appointments"),
    Hours(2, time(9, 0), time(16, 30), "bsn_appointments"),
    Hours(0, time(15, 0), time(17, 0), "walk_in"),
    Hours(1, time(9, 0), time(17, 0), "walk_in"),
    Hours(3, time(9, 0), time(17, 0), "walk_in"),
    Hours(4, time(9, 0), time(13, 0), "walk_in"),
)


DEFAULT_PARTNER_CATEGORIES: tuple[str, ...] = (
    "bank",
    "housing",
    "relocation agent",
    "tax adviser",
    "lawyer",
    "insurer",
    "language school",
    "international school",
    "childcare",
    "healthcare",
    "other",
)
DEFAULT_FEES: Mapping[str, float] = {"first": 50.0, "partner": 25.0, "child": 12.5}


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


def default_db_url() -> str:
    return f"sqlite:///{default_data_dir() / 'frontdesk.sqlite3'}"


PRINTER_KINDS = ("none", "usb", "network", "file")


@dataclass(frozen=True)
class PrinterSettings:
    """``[printer]``: the receipt printer of the kiosk or the desk (python-escpos).

    kind: none | usb ("04b8:0202", vendor:product) | network ("192.168.1.50" or
    "host:9100") | file (a device or file path, e.g. "/dev/usb/lp0").
    """

    kind: str = "none"
    address: str = ""
    centre: str = "International Centre"  # printed at the top of each ticket


@dataclass(frozen=True)
class Settings:
    db_url: str = field(default_factory=default_db_url)
    desk: int = 1
    staff: str | None = None
    demo: bool = False
    timezone: str = "Europe/Amsterdam"
    idle_lock_minutes: float = 5.0
    lockout_attempts: int = 5
    lockout_minutes: int = 5
    # The opening hours and the target wait are starting values: once the team lead saves
    # others (services.rules, stored in the database), those hold for every desk.
    target_wait_minutes: int = 15
    retention_days: int = 365
    bsn_storage: str = "number"  # or "issued_flag"
    # BSN registration fees in euro per person of a household, and employers that pay nothing.
    fees: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_FEES))
    exempt_employers: tuple[str, ...] = ()
    desk_services: tuple[str, ...] = ()  # service codes this desk calls; empty = all
    services: tuple[ServiceDefault, ...] = DEFAULT_SERVICES
    hours: tuple[Hours, ...] = DEFAULT_HOURS
    keymap: Mapping[str, str] = field(default_factory=dict)
    partner_categories: tuple[str, ...] = DEFAULT_PARTNER_CATEGORIES
    referral_follow_up_days: int = 7
    # The pack kind (code or name) handed out at a BSN completion; unset: the kind clearly
    # named a welcome bag, else the clerk picks.
    welcome_bag_kind: str | None = None
    board_web_max: int = 4  # browsers that may show `board --web` at once (a process each)
    # [board] speak: the board says each new call aloud (espeak-ng), in these languages
    # and in the ticket's own; see docs/board.md, "Sound in the waiting room".
    board_speak: bool = False
    board_speak_languages: tuple[str, ...] = ("en", "nl")
    kiosk_tickets_per_minute: int = 6  # tickets one self-service kiosk hands out a minute
    printer: PrinterSettings = field(default_factory=lambda: PrinterSettings())
    # [exports] delimiter: "," or ";" (what a Dutch spreadsheet expects) between CSV cells.
    csv_delimiter: str = ","
    # [display] date_style: how every screen writes a date ("iso", "dutch" or "long").
    date_style: str = "dutch"
    mail: MailSettings = field(default_factory=MailSettings)  # [mail]: config_mail.py
    config_path: Path | None = None

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def _parse_time(value: object, where: str) -> time:
    if not isinstance(value, str):
        raise ConfigError(f'{where}: write times as "HH:MM", e.g. "09:00"')
    try:
        hour, minute = value.strip().split(":")
        return time(int(hour), int(minute))
    except ValueError:
        raise ConfigError(f'{where}: {value!r} is not a time; write it as "HH:MM"') from None


def _parse_hours(raw: object, path: Path) -> tuple[Hours, ...]:
    """``[hours] walk_in = { mon = ["15:00-17:00"] }``, ``bsn_appointments = {...}``."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: [hours] must be a table")
    blocks: list[Hours] = []
    for kind, days in raw.items():
        if kind not in ("walk_in", "bsn_appointments"):
            raise ConfigError(f"{path}: [hours] knows walk_in and bsn_appointments, not {kind!r}")
        if not isinstance(days, dict):
            raise ConfigError(f"{path}: hours.{kind} must be a table of weekdays")
        for day, spans in days.items():
            if day not in WEEKDAYS:
                raise ConfigError(f"{path}: hours.{kind}: {day!r} is not one of {WEEKDAYS}")
            if not isinstance(spans, list):
                spans = [spans]
            for span in spans:
                where = f"{path}: hours.{kind}.{day}"
                if not isinstance(span, str) or "-" not in span:
                    raise ConfigError(f'{where}: write a span as "09:00-12:15"')
                start_s, end_s = span.split("-", 1)
                start, end = _parse_time(start_s, where), _parse_time(end_s, where)
                if end <= start:
                    raise ConfigError(f"{where}: {span!r} ends before it starts")
                blocks.append(Hours(WEEKDAYS.index(day), start, end, kind))
    return tuple(blocks)


def _parse_printer(raw: object, path: Path) -> PrinterSettings:
    """``[printer] kind = "network", address = "192.168.1.50", centre = "..."``."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: [printer] must be a table")
    unknown = set(raw) - {"kind", "address", "centre"}
    if unknown:
        raise ConfigError(f"{path}: [printer] knows kind, address and centre, not {min(unknown)!r}")
    values = {key: raw[key] for key in ("kind", "address", "centre") if key in raw}
    for key, value in values.items():
        if not isinstance(value, str):
            raise ConfigError(f'{path}: printer.{key} must be text in quotes, e.g. "usb"')
    kind = values.get("kind", "none").strip().lower()
    if kind not in PRINTER_KINDS:
        raise ConfigError(f"{path}: printer.kind must be one of {', '.join(PRINTER_KINDS)}")
    address = values.get("address", "").strip()
    if kind != "none" and not address:
        raise ConfigError(
            f"{path}: printer.address is needed for a {kind} printer "
            '(usb: "04b8:0202", network: "192.168.1.50", file: "/dev/usb/lp0")'
        )
    centre = values.get("centre", PrinterSettings.centre).strip() or PrinterSettings.centre
    return PrinterSettings(kind, address, centre[:60])


def _parse_services(raw: object, path: Path) -> tuple[ServiceDefault, ...]:
    if not isinstance(raw, list):
        raise ConfigError(f"{path}: services must be a list of [[services]] tables")
    out: list[ServiceDefault] = []
    for i, item in enumerate(raw, 1):
        where = f"{path}: services #{i}"
        if not isinstance(item, dict):
            raise ConfigError(f"{where} must be a table")
        minutes = item.get("minutes", 15)
        if isinstance(minutes, bool) or not isinstance(minutes, int):
            raise ConfigError(f"{where}: minutes must be a whole number")
        try:
            service = ServiceDefault(
                code=str(item["code"]),
                name=str(item["name"]),
                prefix=str(item["prefix"]).upper(),
                minutes=minutes,
                by_appointment=bool(item.get("by_appointment", False)),
            )
        except KeyError as missing:
            raise ConfigError(f"{where} needs {missing.args[0]!r}") from None
        low, high = SERVICE_MINUTES
        if not low <= service.minutes <= high:
            raise ConfigError(f"{where}: minutes must be between {low} and {high}")
        if not (1 <= len(service.prefix) <= 2 and service.prefix.isalpha()):
            raise ConfigError(f"{where}: prefix must be one or two letters")
        out.append(service)
    return tuple(out)


def _parse_fees(raw: object, path: Path) -> dict[str, float]:
    """``fees = {first = 50.0, partner = 25.0, child = 12.5}`` in euro; missing keys: defaults."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: fees must be a table, e.g. fees = {{first = 50.0}}")
    fees = dict(DEFAULT_FEES)
    for key, value in raw.items():
        if key not in DEFAULT_FEES:
            raise ConfigError(f"{path}: fees knows first, partner and child, not {key!r}")
        low, high = FEE_EUROS
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{path}: fees.{key} must be an amount in euro, e.g. 12.5")
        if not low <= value <= high:
            raise ConfigError(f"{path}: fees.{key} must be between {low} and {high} euro")
        fees[key] = float(value)
    return fees


def _parse_board(raw: object, path: Path) -> dict[str, Any]:
    """``[board] speak = true``, ``speak_languages = ["en", "nl"]``."""
    from frontdesk.i18n import languages

    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: [board] must be a table")
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key == "speak":
            if not isinstance(value, bool):
                raise ConfigError(f"{path}: board.speak must be true or false")
            out["board_speak"] = value
        elif key == "speak_languages":
            known = list(languages("speech"))
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(
                    f'{path}: board.speak_languages must be a list of codes, e.g. ["en", "nl"]'
                )
            unknown = [v for v in value if v not in known]
            if unknown:
                raise ConfigError(
                    f"{path}: board.speak_languages: {unknown[0]!r} is not a language the "
                    f"board speaks; pick from {', '.join(known)}"
                )
            out["board_speak_languages"] = tuple(dict.fromkeys(value))
        else:
            raise ConfigError(f"{path}: [board] knows speak and speak_languages, not {key!r}")
    return out


_SCALARS: dict[str, type] = {
    "db": str,
    "desk": int,
    "staff": str,
    "timezone": str,
    "idle_lock_minutes": float,
    "lockout_attempts": int,
    "lockout_minutes": int,
    "target_wait_minutes": int,
    "retention_days": int,
    "bsn_storage": str,
    "referral_follow_up_days": int,
    "welcome_bag_kind": str,
    "board_web_max": int,
    "kiosk_tickets_per_minute": int,
}
# Every number a centre may set, with the range that makes sense (README, "Configuration").
# Outside it, the start is refused: a lockout of -10 minutes turned the lockout off.
RANGES: Mapping[str, tuple[float, float, str]] = {
    "desk": (1, 99, ""),
    "idle_lock_minutes": (0.5, 240, "minutes"),
    "lockout_attempts": (1, 20, "wrong PINs"),
    "lockout_minutes": (1, 1440, "minutes"),
    "target_wait_minutes": (1, 240, "minutes"),  # as on the lead screen (services.rules)
    "retention_days": (30, 3650, "days"),
    "referral_follow_up_days": (1, 90, "days"),
    "board_web_max": (1, 100, "browsers"),
    "kiosk_tickets_per_minute": (1, 60, "tickets a minute"),
}
# Every setting that is one of a few words, with the words it may be (checked like RANGES).
CHOICES: Mapping[str, tuple[str, ...]] = {
    "csv_delimiter": (",", ";"),
    "date_style": ("iso", "dutch", "long"),
}
# Where each choice is written in the config file ([table] key), for messages.
_CHOICE_PLACES: Mapping[str, tuple[str, str]] = {
    "csv_delimiter": ("exports", "delimiter"),
    "date_style": ("display", "date_style"),
}
SERVICE_MINUTES = (1, 480)
FEE_EUROS = (0, 1000)
_KIND_WORDS = {
    str: 'text in quotes, e.g. "Europe/Amsterdam"',
    int: "a whole number",
    float: "a number",
}


def range_words(name: str) -> str:
    """ "lockout_minutes must be between 1 and 1440 minutes" """
    low, high, unit = RANGES[name]
    return f"{name} must be between {low:g} and {high:g}" + (f" {unit}" if unit else "")


def check_range(name: str, value: float, where: str = "") -> None:
    """Raise ConfigError naming the setting and its range when ``value`` is outside it."""
    low, high, _unit = RANGES[name]
    if not low <= value <= high:  # also refuses nan
        raise ConfigError(f"{where}: {range_words(name)}" if where else range_words(name))


def choice_words(name: str) -> str:
    """'[exports] delimiter must be "," or ";"'"""
    table, key = _CHOICE_PLACES[name]
    words = [f'"{c}"' for c in CHOICES[name]]
    listed = ", ".join(words[:-1]) + f" or {words[-1]}" if len(words) > 1 else words[0]
    return f"[{table}] {key} must be {listed}"


def check_choice(name: str, value: object, where: str = "") -> None:
    """Raise ConfigError naming the setting and its choices when ``value`` is not one."""
    if value not in CHOICES[name]:
        raise ConfigError(f"{where}: {choice_words(name)}" if where else choice_words(name))


def _parse_choice_table(table: str, raw: object, path: Path) -> dict[str, Any]:
    """``[exports] delimiter = ";"`` or ``[display] date_style = "dutch"``."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: [{table}] must be a table")
    names = {key: name for name, (tab, key) in _CHOICE_PLACES.items() if tab == table}
    fields: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in names:
            known = ", ".join(sorted(names))
            raise ConfigError(f"{path}: [{table}] knows {known}, not {key!r}")
        check_choice(names[key], value, str(path))
        fields[names[key]] = value
    return fields


def read_config_file(path: Path) -> dict[str, Any]:
    """Parse the TOML file into Settings fields; errors name the file and the line."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except IsADirectoryError:
        raise ConfigError(f"{path} is a folder, not a config file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"{path}: line {line} is not UTF-8 text; save the file as UTF-8"
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        if "(at end of document)" in message:  # Python < 3.14 gives no line for this case
            last = len(text.splitlines()) or 1
            message = message.replace("(at end of document)", f"(at line {last}, end of file)")
        raise ConfigError(f"{path}: {message}") from None
    fields: dict[str, Any] = {}
    for key, value in data.items():
        if key in _SCALARS:
            kind = _SCALARS[key]
            if kind is float and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            if not isinstance(value, kind) or isinstance(value, bool):
                raise ConfigError(f"{path}: {key} must be {_KIND_WORDS[kind]}")
            if key in RANGES and isinstance(value, int | float):
                check_range(key, value, str(path))
            fields["db_url" if key == "db" else key] = value
        elif key == "desk_services":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{path}: desk_services must be a list of service codes")
            fields["desk_services"] = tuple(value)
        elif key == "partner_categories":
            if (
                not isinstance(value, list)
                or not value
                or not all(isinstance(v, str) and v.strip() for v in value)
            ):
                raise ConfigError(
                    f'{path}: partner_categories must be a list of names, e.g. ["bank", "other"]'
                )
            fields["partner_categories"] = tuple(dict.fromkeys(v.strip() for v in value))
        elif key == "fees":
            fields["fees"] = _parse_fees(value, path)
        elif key == "exempt_employers":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{path}: exempt_employers must be a list of employer names")
            fields["exempt_employers"] = tuple(v.strip() for v in value if v.strip())
        elif key == "board":
            fields.update(_parse_board(value, path))
        elif key in ("exports", "display"):
            fields.update(_parse_choice_table(key, value, path))
        elif key == "hours":
            fields["hours"] = _parse_hours(value, path)
        elif key == "printer":
            fields["printer"] = _parse_printer(value, path)
        elif key == "mail":
            try:
                fields["mail"] = parse_mail(value)
            except MailConfigError as exc:
                raise ConfigError(f"{path}: {exc}") from None
        elif key == "services":
            fields["services"] = _parse_services(value, path)
        elif key == "keymap":
            if not isinstance(value, dict) or not all(
                isinstance(v, str) and v.strip() and " " not in v.strip() for v in value.values()
            ):
                raise ConfigError(
                    f'{path}: [keymap] maps action ids to keys, e.g. call_next = "f4"'
                )
            fields["keymap"] = dict(value)
        else:
            raise ConfigError(f"{path}: unknown setting {key!r}")
    return fields


_URL_EXAMPLES = "e.g. sqlite:///path/to/frontdesk.sqlite3 or postgresql://user@host/dbname"


def check_db_url(url: str) -> str:
    """The database URL as frontdesk will use it, or a ConfigError saying what is wrong.

    ``postgres://`` (as psql and libpq write it) means PostgreSQL; a SQLite URL needs a
    file path (``sqlite:///`` alone would be a throwaway in-memory database) and has no
    user, password or host; a PostgreSQL port is a number. Messages never repeat the URL
    (it may hold a password).
    """
    text = url.strip()
    scheme, sep, rest = text.partition("://")
    if not sep or not scheme:
        raise ConfigError(f"the database (--db) is not a database URL; write {_URL_EXAMPLES}")
    backend, plus, driver = scheme.partition("+")
    backend = backend.lower()
    if backend == "postgres":
        backend = "postgresql"
        text = f"postgresql{plus}{driver}://{rest}"
    netloc, _, database = rest.partition("/")
    if backend == "sqlite":
        if netloc:
            raise ConfigError(
                "a SQLite database URL has no user, password or host: write "
                "sqlite:///relative/file.sqlite3 or sqlite:////absolute/file.sqlite3"
            )
        if not database.strip() or database.strip() == ":memory:":
            raise ConfigError(
                "the SQLite database URL names no file (it would be a throwaway database); "
                "write e.g. sqlite:///frontdesk.sqlite3"
            )
    elif backend == "postgresql":
        hostport = netloc.rpartition("@")[2]
        if hostport.startswith("["):
            host_end = hostport.find("]")
            if host_end < 0:
                raise ConfigError("the database URL has a '[' without ']' around its host")
            port = hostport[host_end + 1 :].removeprefix(":")
        else:
            port = hostport.rpartition(":")[2] if ":" in hostport else ""
        if port and not (port.isascii() and port.isdigit() and 1 <= int(port) <= 65535):
            raise ConfigError(
                "the port in the database URL must be a number from 1 to 65535, "
                "e.g. postgresql://user@host:5432/dbname"
            )
    return text


def _validate(settings: Settings) -> Settings:
    url = check_db_url(settings.db_url)
    if url != settings.db_url:
        settings = replace(settings, db_url=url)
    try:
        ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"unknown time zone {settings.timezone!r}") from None
    for name in RANGES:
        check_range(name, getattr(settings, name))
    for name in CHOICES:
        check_choice(name, getattr(settings, name))
    if settings.bsn_storage not in ("number", "issued_flag"):
        raise ConfigError('bsn_storage must be "number" or "issued_flag"')
    return settings


def load_settings(
    *,
    config_path: Path | None = None,
    environ: Mapping[str, str] | None = None,
    **flags: Any,
) -> Settings:
    """Build Settings from file, then environment, then flags (flags win)."""
    env = os.environ if environ is None else environ
    path = config_path or Path(env.get("FRONTDESK_CONFIG") or default_config_path())
    fields = read_config_file(path)
    if env.get("FRONTDESK_DB"):
        fields["db_url"] = env["FRONTDESK_DB"]
    if env.get("FRONTDESK_DESK"):
        try:
            fields["desk"] = int(env["FRONTDESK_DESK"])
        except ValueError:
            raise ConfigError("FRONTDESK_DESK must be a desk number, e.g. 2") from None
        check_range("desk", fields["desk"], "FRONTDESK_DESK")
    if env.get("FRONTDESK_STAFF"):
        fields["staff"] = env["FRONTDESK_STAFF"]
    for name, value in flags.items():
        if name in RANGES and value is not None:
            check_range(name, value, f"--{name}")
        if name == "csv_delimiter" and value is not None and value not in CHOICES[name]:
            raise ConfigError('--delimiter must be "," or ";"')
    settings = Settings(config_path=path, **fields)
    return _validate(settings.with_overrides(**flags))
