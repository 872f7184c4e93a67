"""Configuration: found, loaded once, validated, and passed around as a frozen value.

The file is found from ``--config PATH``, then ``HELPDESK_CONFIG``, then
``./config.toml``. A wrong key, type or value stops the program with one line per
problem naming the key and what was expected.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)
from sqlalchemy.engine import make_url

from ticketing.calendar import BusinessCalendar, StepTime, WorkingHours
from ticketing.conversation import VERP_EXTRA_CHARS
from ticketing.directory import SAPAAN, Directory, Role, Staff, Unit
from ticketing.formulir import FormulirField, build_fields
from ticketing.normalize import (
    CATEGORIES,
    Agency,
    AgencyMatch,
    InvalidValue,
    match_agency,
    normalize_category,
)
from ticketing.numbering import DEFAULT_FORMAT, check_format
from ticketing.workflow import DEFAULT_STEP_TIMES, SopTimes

ENV_VAR = "HELPDESK_CONFIG"
DEFAULT_NAME = "config.toml"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HOURS = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*-\s*(\d{1,2})[:.](\d{2})\s*$")
_STAFF_ID = r"^[a-z0-9][a-z0-9._-]*$"


class ConfigError(Exception):
    """The configuration cannot be used. Each line of ``problems`` names one key."""

    def __init__(self, path: Path | None, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        where = f"{path}: " if path else ""
        super().__init__("\n".join(where + p for p in problems))


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OfficeConfig(_Section):
    name: str = "Dinas Komunikasi, Informatika, Statistik dan Persandian Provinsi Banten"
    help_desk_name: str = "Help Desk Layanan TIK"
    language: Literal["id", "en"] = "id"
    government: str = "PEMERINTAH PROVINSI BANTEN"
    address: str = (
        "Jalan Syekh Nawawi Al-Bantani Blok F No. 1 KP3B, Sukajaya, Kec. Curug, Kota Serang,"
        " Banten 42171"
    )
    city: str = "Serang"
    phone: str = ""
    whatsapp: str = ""
    email: str = ""  # default: smtp.from_address
    sop_number: str = "545/789-Diskominfo/X/2020"


class DatabaseConfig(_Section):
    """The database. A PostgreSQL password is never in the file: it comes from the
    variable ``password_env`` names, or from libpq's own environment (PGPASSWORD, a
    service or password file) when that is unset."""

    url: str = "sqlite:///var/helpdesk.db"
    password_env: str | None = None

    def resolve_password(self) -> str | None:
        return os.environ.get(self.password_env) if self.password_env else None

    @field_validator("url")
    @classmethod
    def _known_backend(cls, url: str) -> str:
        if not re.match(r"^(sqlite|postgresql)(\+\w+)?://", url):
            raise ValueError("expected a sqlite:/// or postgresql:// URL")
        if make_url(url).password is not None:
            raise ValueError("the password does not belong in the URL: name it in password_env")
        return url


class PathsConfig(_Section):
    data_dir: str = "var"
    archive_dir: str = "var/archive"


class NumberingConfig(_Section):
    format: str = DEFAULT_FORMAT

    @field_validator("format")
    @classmethod
    def _valid(cls, fmt: str) -> str:
        if problem := check_format(fmt):
            raise ValueError(problem)
        return fmt


def _step_time(text: str) -> str:
    StepTime.parse(text)  # raises ValueError with the reason
    return text


StepTimeText = Annotated[str, Field(description="e.g. 1h, 2h, 30m, 1d")]


class SopConfig(_Section):
    """The service standard (mutu baku) of each SOP step."""

    registration: StepTimeText = DEFAULT_STEP_TIMES["registration"]
    first_level: StepTimeText = DEFAULT_STEP_TIMES["first_level"]
    escalation: StepTimeText = DEFAULT_STEP_TIMES["escalation"]
    disposition: StepTimeText = DEFAULT_STEP_TIMES["disposition"]
    resolution: StepTimeText = DEFAULT_STEP_TIMES["resolution"]
    higher_escalation: StepTimeText = DEFAULT_STEP_TIMES["higher_escalation"]
    final_report: StepTimeText = DEFAULT_STEP_TIMES["final_report"]
    # After the Laporan Akhir: how long the reporter has to confirm (reminded at half of it)
    # before the ticket is closed as finished; SP4N-LAPOR! counts 10 working days.
    confirmation_wait: StepTimeText = "10d"

    @field_validator("*")
    @classmethod
    def _parse(cls, text: str) -> str:
        return _step_time(text)


def _default_hours() -> dict[Weekday, HoursText]:
    return {
        "mon": "07:30-16:00",
        "tue": "07:30-16:00",
        "wed": "07:30-16:00",
        "thu": "07:30-16:00",
        "fri": "07:30-16:30",
    }


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def parse_hours(text: str) -> WorkingHours:
    match = _HOURS.match(text)
    if not match:
        raise ValueError(f"expected 'HH:MM-HH:MM', got {text!r}")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    try:
        start, end = dt.time(h1, m1), dt.time(h2, m2)
    except ValueError as exc:
        raise ValueError(f"{text!r}: {exc}") from None
    if end <= start:
        raise ValueError(f"{text!r}: the end must be after the start")
    return WorkingHours(start, end)


def _check_hours(text: str) -> str:
    parse_hours(text)
    return text


HoursText = Annotated[str, AfterValidator(_check_hours)]


class CalendarConfig(_Section):
    timezone: str = "Asia/Jakarta"
    zone_label: str = "WIB"
    hours: Mapping[Weekday, HoursText] = Field(default_factory=_default_hours)
    holiday_country: str | None = "ID"
    holiday_categories: tuple[str, ...] = ("public", "government")
    holiday_subdivision: str | None = None
    extra_days_off: tuple[dt.date, ...] = ()
    extra_working_days: tuple[dt.date, ...] = ()

    @field_validator("timezone")
    @classmethod
    def _zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {name!r} (e.g. Asia/Jakarta)") from None
        return name

    @field_validator("hours")
    @classmethod
    def _some_day(cls, hours: Mapping[str, str]) -> Mapping[str, str]:
        if not hours:
            raise ValueError("at least one working day is needed")
        return MappingProxyType(dict(hours))

    @model_validator(mode="after")
    def _holidays(self) -> CalendarConfig:
        if self.holiday_country:
            # Only the country's own module is loaded (ticketing.holiday_data), not the
            # library's 278: every command checks this at load.
            from ticketing.holiday_data import UnknownCountry, country_holidays

            try:
                country_holidays(
                    self.holiday_country,
                    subdiv=self.holiday_subdivision,
                    categories=self.holiday_categories,
                )
            except UnknownCountry:
                raise ValueError(f"no holiday data for {self.holiday_country!r}") from None
            except Exception as exc:  # unknown category or subdivision
                raise ValueError(f"holiday settings: {exc}") from None
        return self


Security = Literal["ssl", "starttls", "none"]


class _Credentials(_Section):
    username: str = ""
    password: str | None = None
    password_env: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _password_replaces_default_env(cls, data: Any) -> Any:
        # A file that gives `password` (a demo) does not also want the default variable.
        if isinstance(data, dict) and "password" in data and "password_env" not in data:
            return {**data, "password_env": None}
        return data

    @model_validator(mode="after")
    def _one_secret(self) -> _Credentials:
        if self.password is not None and self.password_env is not None:
            raise ValueError("set password_env or password, not both")
        return self

    def resolve_password(self) -> str | None:
        """The password, read from the environment when the file names a variable."""
        if self.password_env:
            return os.environ.get(self.password_env)
        return self.password


class MailboxConfig(_Credentials):
    """The complaint mailbox. Without a ``[mailbox]`` table, or with ``enabled = false``
    (a site that takes complaints by phone and letter only), nothing reads mail."""

    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = Field(993, ge=1, le=65535, strict=True)
    security: Security = "ssl"
    password_env: str | None = "HELPDESK_MAILBOX_PASSWORD"
    folder: str = "INBOX"
    ca_file: str | None = None  # a CA bundle to trust (an office's own CA); default: the system's


class SmtpConfig(_Credentials):
    """Outgoing mail. Without ``username`` the sender does not log in (a local relay)."""

    host: str = "127.0.0.1"
    port: int = Field(587, ge=1, le=65535, strict=True)
    security: Security = "starttls"
    password_env: str | None = "HELPDESK_SMTP_PASSWORD"
    from_address: str  # the office's own address: no default, an example would go out
    ca_file: str | None = None  # a CA bundle to trust (an office's own CA); default: the system's


class NotifierConfig(_Section):
    """How the outbox sends: limits, retries, and how our e-mails identify themselves."""

    from_name: str | None = None  # default: the office's help_desk_name
    message_id_domain: str | None = None  # default: the domain of smtp.from_address
    auto_reply_limit_per_hour: int = Field(5, ge=1, strict=True)
    # Delivery reports: where they go (the envelope sender), and whether each e-mail's
    # token is added to it (VERP: helpdesk+b-<token>@...). See config.toml.
    bounce_address: str | None = Field(None, pattern=r"^[^@\s<>]+@[^@\s<>]+$")
    verp: bool = True
    verp_delimiter: Literal["+", "-"] = "+"
    delivery_alert_limit_per_hour: int = Field(10, ge=1, strict=True)
    batch_size: int = Field(50, ge=1, le=1000, strict=True)
    retry_base_seconds: int = Field(60, ge=1, strict=True)
    retry_cap_seconds: int = Field(3600, ge=1, strict=True)
    max_attempts: int = Field(8, ge=1, le=100, strict=True)
    lease_seconds: int = Field(300, ge=10, strict=True)
    timeout_seconds: int = Field(30, ge=1, le=600, strict=True)


class IntakeFolders(_Section):
    """Where a message is moved once its outcome is stored (created when missing)."""

    processed: str = "Processed"  # became a ticket, or joined one
    incomplete: str = "Incomplete"  # an incomplete report, answered
    ignored: str = "Ignored"  # automatic mail, bounces, mailing lists, strangers' replies
    quarantine: str = "Quarantine"  # could not be processed; see `helpdesk intake quarantine`


class IntakeConfig(_Section):
    folders: IntakeFolders = IntakeFolders()
    batch_size: int = Field(500, ge=1, le=1000, strict=True)
    attempts: int = Field(3, ge=1, le=10, strict=True)  # tries per message before quarantine
    max_message_mb: float = Field(25, gt=0)
    max_attachment_mb: float = Field(10, gt=0)
    max_attachments: int = Field(10, ge=0, strict=True)
    sender_messages_per_hour: int = Field(20, ge=1, strict=True)  # more: held (flooding)
    # The authserv-id of the office's receiving mail server: its Authentication-Results header
    # must show an aligned dkim=pass or spf=pass before a reply may act for its sender.
    trusted_authserv_id: str | None = Field(None, min_length=1, pattern=r"^[A-Za-z0-9.-]+$")


class DaemonConfig(_Section):
    """`helpdesk run`: how often each job runs."""

    mailbox_seconds: int = Field(60, ge=5, strict=True)  # poll, or the longest IDLE wait
    idle: bool = True  # wait for mail in IMAP IDLE between polls, where the server has it
    phone_drop_seconds: int = Field(30, ge=5, strict=True)
    sweep_seconds: int = Field(60, ge=10, strict=True)
    outbox_seconds: int = Field(30, ge=5, strict=True)
    reminder_share: float = Field(0.75, gt=0, lt=1)  # remind at this share of a step's time
    # On a breach in these states the ticket is escalated at once, by the system:
    # first_level -> its unit (step 3); disposed / escalated_higher -> the next level (6).
    escalate_on_breach: tuple[Literal["first_level", "disposed", "escalated_higher"], ...] = ()
    alert_after_minutes: int = Field(30, ge=1, strict=True)  # a job failing this long: alert
    digest_time: str = Field("07:30", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")  # office time
    digest_roles: tuple[Role, ...] = (Role.HELP_DESK, Role.HEAD_OF_OFFICE)
    # Two daemons on one PostgreSQL database: a job that one at a time runs (the mailbox,
    # the phone-log folder, the sweep, the digest) passes to the other this long at most
    # after its daemon stopped renewing its lease (killed, powered off, cut off).
    lease_timeout: int = Field(60, ge=2, strict=True)


class WebConfig(_Section):
    listen: str = "127.0.0.1:8080"
    public_url: str = "http://127.0.0.1:8080"
    secret_env: str = "HELPDESK_WEB_SECRET"
    # A staff login lasts this long, then the staff member logs in again.
    session_minutes: int = Field(480, ge=5, le=7 * 24 * 60, strict=True)
    # Public forms (/lapor) and link requests (/lacak) from one client address in an hour.
    forms_per_hour: int = Field(20, ge=1, strict=True)
    # Failed logins in `login_window_minutes` before the account, or the address they come
    # from, is refused until the window has passed (the right password included).
    login_failures_per_account: int = Field(5, ge=1, strict=True)
    login_failures_per_address: int = Field(20, ge=1, strict=True)
    login_window_minutes: int = Field(15, ge=1, strict=True)


class SurveyConfig(_Section):
    """The satisfaction survey (IKM, PermenPANRB 14/2017), offered in the closure e-mail."""

    enabled: bool = True
    share: float = Field(1.0, ge=0, le=1)  # the share of closed tickets whose reporter is asked
    # A reporter who left an invitation unanswered is not asked again for this many days.
    min_days_between: int = Field(30, ge=0, strict=True)
    # A group (unit, complaint type, channel, OPD) is shown in the report from this many.
    min_group_respondents: int = Field(5, ge=1, strict=True)


class PhoneDropConfig(_Section):
    dir: str = "var/phone-drop"
    # Where a file goes once read; relative to `dir` (created when missing).
    processed_dir: str = "processed"  # its rows are committed; <name>.errors.txt beside it
    rejected_dir: str = "rejected"  # it could not be read at all; <name>.reason.txt beside it


class AgencyConfig(_Section):
    name: str = Field(min_length=2)
    aliases: tuple[str, ...] = ()


class UnitConfig(_Section):
    key: str = Field(pattern=_STAFF_ID)
    name: str


class StaffConfig(_Section):
    id: str = Field(pattern=_STAFF_ID)
    name: str = Field(min_length=2)
    email: str
    role: Role
    unit: str | None = None
    title: str = ""
    sapaan: str | None = None  # "Bapak" or "Ibu"; without it, addressed by name and title
    nip: str = Field("", pattern=r"^(\d{18})?$")  # Nomor Induk Pegawai, 18 digits; "" unknown

    @field_validator("sapaan")
    @classmethod
    def _sapaan(cls, value: str | None) -> str | None:
        if value is not None and value not in SAPAAN:
            raise ValueError(f"expected {' or '.join(SAPAAN)}, got {value!r}")
        return value

    @field_validator("role")
    @classmethod
    def _staff_role(cls, role: Role) -> Role:
        if role == Role.REPORTER:
            raise ValueError("reporter is not a staff role")
        return role

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", value):
            raise ValueError(f"expected an e-mail address, got {value!r}")
        return value


class Config(_Section):
    office: OfficeConfig = OfficeConfig()
    database: DatabaseConfig = DatabaseConfig()
    paths: PathsConfig = PathsConfig()
    numbering: NumberingConfig = NumberingConfig()
    sop: SopConfig = SopConfig()
    # Made when a file has no [calendar], not at import: checking its holidays loads the
    # holidays library, every country of it.
    calendar: CalendarConfig = Field(default_factory=CalendarConfig)
    mailbox: MailboxConfig = MailboxConfig(enabled=False)  # no [mailbox] table: no mail read
    smtp: SmtpConfig
    notifier: NotifierConfig = NotifierConfig()
    intake: IntakeConfig = IntakeConfig()
    daemon: DaemonConfig = DaemonConfig()
    phone_drop: PhoneDropConfig = PhoneDropConfig()
    web: WebConfig = WebConfig()
    survey: SurveyConfig = SurveyConfig()
    agencies: tuple[AgencyConfig, ...] = ()
    units: tuple[UnitConfig, ...] = ()
    staff: tuple[StaffConfig, ...] = ()
    routing: Mapping[str, str] = Field(default_factory=dict)

    # Where the file was; relative paths in it are relative to this folder.
    _base_dir: Path = PrivateAttr(default=Path("."))
    _source: Path | None = PrivateAttr(default=None)

    @property
    def base_dir(self) -> Path:
        return self._base_dir

    @property
    def source(self) -> Path | None:
        return self._source

    @field_validator("routing")
    @classmethod
    def _routing_keys(cls, routing: Mapping[str, str]) -> Mapping[str, str]:
        canonical: dict[str, str] = {}
        for category, unit in routing.items():
            try:
                canonical[normalize_category(category)] = unit
            except InvalidValue:
                raise ValueError(
                    f"unknown complaint type {category!r}; one of {', '.join(CATEGORIES)}"
                ) from None
        return MappingProxyType(canonical)

    # --- derived values ----------------------------------------------------

    def path(self, value: str) -> Path:
        candidate = Path(value).expanduser()
        return candidate if candidate.is_absolute() else (self.base_dir / candidate)

    @property
    def database_url(self) -> str:
        """The URL with a relative SQLite path made relative to the config file."""
        url = self.database.url
        match = re.match(r"^(sqlite(?:\+\w+)?:///)(.*)$", url)
        if match and match.group(2) and match.group(2) != ":memory:":
            prefix, rest = match.groups()
            if not rest.startswith("/"):
                return prefix + str(self.path(rest).resolve())
        return url

    @property
    def sqlite_path(self) -> Path | None:
        match = re.match(r"^sqlite(?:\+\w+)?:///(.+)$", self.database_url)
        if match and match.group(1) != ":memory:":
            return Path(match.group(1))
        return None

    def sop_times(self) -> SopTimes:
        return SopTimes.from_names(self.sop.model_dump())

    def confirmation_wait(self) -> StepTime:
        return StepTime.parse(self.sop.confirmation_wait)

    def business_calendar(self) -> BusinessCalendar:
        cal = self.calendar
        hours = {WEEKDAYS.index(day): parse_hours(text) for day, text in cal.hours.items()}
        return BusinessCalendar(
            timezone=cal.timezone,
            hours=hours,
            extra_days_off=cal.extra_days_off,
            extra_working_days=cal.extra_working_days,
            holiday_country=cal.holiday_country,
            holiday_categories=cal.holiday_categories,
            holiday_subdiv=cal.holiday_subdivision,
        )

    def directory(self) -> Directory:
        staff = {
            s.id: Staff(
                id=s.id,
                name=s.name,
                email=s.email,
                role=s.role,
                unit=s.unit,
                title=s.title,
                sapaan=s.sapaan,
                nip=s.nip,
            )  # fmt: skip
            for s in self.staff
        }
        units = {}
        for unit in self.units:
            members = [s for s in self.staff if s.unit == unit.key]
            head = next(s.id for s in members if s.role == Role.UNIT_HEAD)
            technicians = tuple(s.id for s in members if s.role == Role.TECHNICIAN)
            units[unit.key] = Unit(unit.key, unit.name, head, technicians)
        return Directory(staff=staff, units=units, routing=dict(self.routing))

    def agency_list(self) -> tuple[Agency, ...]:
        return tuple(Agency(a.name, tuple(a.aliases)) for a in self.agencies)

    def stored_agency(self, name: str) -> AgencyMatch:
        """A ticket's Nama OPD against the register as it is now: registered only when it
        is the register's own name, else flagged with the close names to suggest."""
        if not self.agencies or any(a.name == name for a in self.agencies):
            return AgencyMatch(name, registered=True)  # every stored ticket of a known OPD
        agencies = self.agency_list()
        try:
            found = match_agency(name, agencies)
        except InvalidValue:
            return AgencyMatch(name, registered=False)
        if found.registered and found.name == name:
            return found
        suggestions = found.suggestions or ((found.name,) if found.registered else ())
        return AgencyMatch(name, registered=False, suggestions=suggestions)

    def formulir_fields(self) -> tuple[FormulirField, ...]:
        return build_fields(self.agency_list())


def _cross_check(config: Config) -> list[str]:
    """Problems that involve more than one key: the directory, its units, the routing."""
    problems: list[str] = []
    unit_keys = [u.key for u in config.units]
    if len(set(unit_keys)) != len(unit_keys):
        problems.append("units: the same key is used twice")
    ids = [s.id for s in config.staff]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        problems.append(f"staff: id used twice: {', '.join(duplicates)}")
    for member in config.staff:
        needs_unit = member.role in (Role.UNIT_HEAD, Role.TECHNICIAN)
        if needs_unit and member.unit not in unit_keys:
            problems.append(
                f"staff.{member.id}.unit: a {member.role.value} needs one of the units"
                f" ({', '.join(unit_keys) or 'none defined'}), got {member.unit!r}"
            )
        if not needs_unit and member.unit is not None:
            problems.append(f"staff.{member.id}.unit: a {member.role.value} has no unit")
    for unit in config.units:
        heads = [s.id for s in config.staff if s.role == Role.UNIT_HEAD and s.unit == unit.key]
        if len(heads) != 1:
            problems.append(f"units.{unit.key}: expected exactly one unit_head, found {len(heads)}")
    for category, unit_key in config.routing.items():
        if unit_key not in unit_keys:
            problems.append(f"routing.{category}: unknown unit {unit_key!r}")
    if config.units:
        missing = [c for c in CATEGORIES if c not in config.routing]
        if missing:
            problems.append(f"routing: no unit for {', '.join(missing)}")
    seen: dict[str, str] = {}
    for agency in config.agencies:
        for spelling in (agency.name, *agency.aliases):
            key = "".join(ch for ch in spelling.casefold() if ch.isalnum())
            owner = seen.setdefault(key, agency.name)
            if owner != agency.name:
                problems.append(f"agencies: {spelling!r} names both {owner!r} and {agency.name!r}")
    problems += _envelope_problems(config)
    if config.mailbox.enabled and not config.mailbox.username.strip():
        # IMAP has no anonymous access to a mailbox: an enabled one needs its login.
        problems.append(
            "mailbox.username: required when the mailbox is enabled (IMAP always logs in);"
            " or set enabled = false to read no mail"
        )
    try:
        config.business_calendar()
    except ValueError as exc:
        problems.append(f"calendar: {exc}")
    return problems


def _envelope_problems(config: Config) -> list[str]:
    """A VERP envelope sender must still be a valid address: its local part at most 64
    characters (RFC 5321) with the token added."""
    notifier = config.notifier
    if not notifier.verp:
        return []
    key = "notifier.bounce_address" if notifier.bounce_address else "smtp.from_address"
    local = (notifier.bounce_address or config.smtp.from_address).rpartition("@")[0]
    if len(local) + VERP_EXTRA_CHARS > 64:
        return [
            f"{key}: its local part {local!r} is too long for VERP (at most"
            f" {64 - VERP_EXTRA_CHARS} characters); set notifier.verp = false or a shorter"
            " notifier.bounce_address"
        ]
    return []


def with_section(text: str, name: str, body: str) -> str:
    """The TOML ``text`` with the table ``[name]`` replaced by ``[name]`` and ``body``
    (a demo or a test pointing the default configuration at its own servers)."""
    start = text.index(f"[{name}]")
    end = text.find("\n[", start + 1)
    rest = text[end:] if end != -1 else "\n"
    return text[:start] + f"[{name}]\n{body.rstrip()}\n" + rest


def find_config(explicit: str | os.PathLike[str] | None) -> Path:
    """The file to use: ``--config``, then ``$HELPDESK_CONFIG``, then ``./config.toml``."""
    if explicit:
        return Path(explicit)
    if env := os.environ.get(ENV_VAR):
        return Path(env)
    return Path.cwd() / DEFAULT_NAME


def load_config(path: Path) -> Config:
    """Read and validate ``path``; raise ConfigError listing every problem."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            path, [f"no configuration file (give --config PATH or set {ENV_VAR})"]
        ) from None
    except OSError as exc:
        raise ConfigError(path, [f"cannot read: {exc.strerror}"]) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(path, ["not UTF-8 text"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, [f"not valid TOML: {exc}"]) from None
    return config_from_mapping(data, base_dir=path.resolve().parent, source=path)


def config_from_mapping(
    data: Mapping[str, Any], *, base_dir: Path, source: Path | None = None
) -> Config:
    try:
        config = _validate(data, base_dir, source)
    except ValidationError as exc:
        problems = [_describe(e, data) for e in exc.errors()]
        # Report the cross-key problems too, checked on the file without the bad values,
        # so that one run names everything to fix. (A bad list entry, such as one staff
        # member, would make the directory checks speak of its absence: skip them then.)
        locations = [e["loc"] for e in exc.errors()]
        if not any(isinstance(part, int) for loc in locations for part in loc):
            try:
                rest = _validate(_without(data, locations), base_dir, source)
            except ValidationError:
                pass
            else:
                pruned = tuple(".".join(str(part) for part in loc) for loc in locations)
                problems += [
                    p for p in _cross_check(rest) if p not in problems and not p.startswith(pruned)
                ]
        raise ConfigError(source, problems) from None
    if problems := _cross_check(config):
        raise ConfigError(source, problems)
    return config


def _validate(data: Mapping[str, Any], base_dir: Path, source: Path | None) -> Config:
    config = Config.model_validate(data)
    config._base_dir = base_dir
    config._source = source
    return config


def _without(data: Mapping[str, Any], locations: list[tuple[Any, ...]]) -> dict[str, Any]:
    """A deep copy of ``data`` without the keys at ``locations``."""
    pruned = copy.deepcopy(dict(data))
    for loc in locations:
        node: Any = pruned
        for part in loc[:-1]:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict):
            node.pop(loc[-1], None)
    return pruned


def _describe(error: Any, data: Mapping[str, Any]) -> str:
    """One line for one validation error: the key, what was expected, what was found."""
    kind = error["type"]
    if error["loc"] and error["loc"][-1] == "[key]":  # a key of a table that takes fixed keys
        where = _key_path(error["loc"][:-2], data)
        expected = re.sub(r"^Input should be ", "expected ", str(error["msg"]))
        return f"{where}: unknown key {error['loc'][-2]!r}; {expected}"
    loc = _key_path(error["loc"], data)
    if kind == "extra_forbidden":
        return f"{loc}: unknown key"
    if kind == "missing":
        return f"{loc}: required key is missing"
    message = str(error["msg"])
    message = re.sub(r"^(Value error|Assertion failed), ", "", message)
    if kind in ("value_error", "assertion_error"):
        return f"{loc}: {message}" if loc else message
    found = error.get("input")
    shown = repr(found) if not isinstance(found, dict | list) else type(found).__name__
    return f"{loc}: {message[0].lower() + message[1:]}, got {shown}"


def _key_path(loc: tuple[Any, ...], data: Mapping[str, Any]) -> str:
    """``('staff', 2, 'role')`` as ``staff[2].role`` or ``staff.<id>.role`` when known."""
    parts: list[str] = []
    node: Any = data
    for item in loc:
        if isinstance(item, int):
            label = None
            if isinstance(node, list) and item < len(node) and isinstance(node[item], dict):
                label = node[item].get("id") or node[item].get("key")
            parts.append(f".{label}" if isinstance(label, str) else f"[{item}]")
            node = node[item] if isinstance(node, list) and item < len(node) else None
        else:
            parts.append(f".{item}" if parts else str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return "".join(parts)
