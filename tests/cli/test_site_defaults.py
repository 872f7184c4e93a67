"""A site set up as a real office sets it up: no SMTP login, no mailbox, a PostgreSQL URL.

The code's defaults are no example values: an omitted SMTP username means no login, and a
site without a ``[mailbox]`` table (or with ``enabled = false``) reads no mail, runs its
other jobs with exit 0 and says so in `helpdesk status`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpdesk.config import with_section
from helpdesk.testing.imap import DovecotServer
from helpdesk.testing.smtp import Sink, smtp_server
from tests.cli.conftest import Cli, form_args, one_line_error, process
from tests.conftest import _set_section, use_mailbox

NINE = "2026-11-30T09:00:00+07:00"
ELEVEN = "2026-11-30T11:00:00+07:00"  # two hours on: past alert_after_minutes (30)


@pytest.fixture
def sink() -> Iterator[tuple[Sink, int]]:
    """A real SMTP server on loopback that offers no login (aiosmtpd without TLS)."""
    received = Sink()
    with smtp_server(received) as server:
        yield received, server.port


def _smtp_without_username(site_dir: Path, port: int) -> None:
    """[smtp] as a site whose local relay takes no login writes it: no username line."""
    config = site_dir / "config.toml"
    body = (
        f'host = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
        'from_address = "helpdesk@example.go.id"'
    )
    config.write_text(with_section(config.read_text(encoding="utf-8"), "smtp", body), "utf-8")


def _edit(site_dir: Path, old: str, new: str) -> None:
    config = site_dir / "config.toml"
    text = config.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    config.write_text(text.replace(old, new), encoding="utf-8")


def _mailbox_off(site_dir: Path, how: str) -> None:
    config = site_dir / "config.toml"
    text = config.read_text(encoding="utf-8")
    if how == "absent":
        text = re.sub(r"\[mailbox\].*?\n\n", "", text, count=1, flags=re.S)
        assert "[mailbox]" not in text
    else:
        assert text.count("\nenabled = true ") == 1
        text = text.replace("\nenabled = true ", "\nenabled = false ")
    config.write_text(text, encoding="utf-8")


@pytest.fixture(params=["absent", "enabled = false"])
def phone_only(
    request: pytest.FixtureRequest, cli: Cli, site_dir: Path, sink: tuple[Sink, int]
) -> Cli:
    """The cli on an initialised site without a mailbox (no [mailbox] table, or enabled =
    false) whose outgoing mail goes to ``sink`` without a login."""
    _mailbox_off(site_dir, request.param)
    _smtp_without_username(site_dir, sink[1])
    assert cli("init").exit_code == 0
    return cli


def test_site_without_smtp_username_sends_without_logging_in(
    ready: Cli, site_dir: Path, sink: tuple[Sink, int]
) -> None:
    """Deleting the username line (a relay that takes no login) sends the mail: the server
    offers no AUTH, so a login attempt would fail the send."""
    _smtp_without_username(site_dir, sink[1])
    assert ready("phone", *form_args(), "--by", "sari").exit_code == 0
    result = ready("outbox", "send")
    assert result.exit_code == 0, result.output
    [ack] = sink[0].received
    assert ack.recipients == ["budi.santoso@dinkes.example.go.id"]
    assert ack.sender.startswith("helpdesk+b-") and ack.sender.endswith("@example.go.id")


def test_phone_only_site_runs_once_with_exit_0(
    phone_only: Cli, site_dir: Path, sink: tuple[Sink, int]
) -> None:
    """Without a mailbox and without an SMTP login, one round of the daemon succeeds: no
    mailbox job, and the phone complaint's acknowledgement is delivered."""
    assert phone_only("phone", *form_args(), "--by", "sari").exit_code == 0
    done = process(site_dir, "run", "--once")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert ["budi.santoso@dinkes.example.go.id"] in [m.recipients for m in sink[0].received]
    status = json.loads(phone_only("status", "--json").stdout)
    assert "mailbox" not in {job["name"] for job in status["jobs"]}
    assert {"phone_drop", "sweep", "outbox"} <= {job["name"] for job in status["jobs"]}


@pytest.mark.parametrize("command", [["intake", "poll"], ["intake", "watch"]])
def test_reading_a_mailbox_that_is_off_says_so_in_one_line(
    phone_only: Cli, command: list[str]
) -> None:
    """`intake poll` and `intake watch` on a site without a mailbox say it is off, exit 1."""
    line = one_line_error(phone_only(*command))
    assert "the mailbox is off" in line and "enabled = false" in line


def test_status_says_the_mailbox_is_off_and_is_healthy(phone_only: Cli) -> None:
    """`helpdesk status` reports a mailbox that is off (JSON and text) and exits 0: it
    tries no login and counts nothing against the site."""
    result = phone_only("status", "--json")
    assert result.exit_code == 0, result.stdout
    report = json.loads(result.stdout)
    assert report["mailbox"] == {"enabled": False, "checked": False, "reachable": None,
                                 "error": None}  # fmt: skip
    assert report["healthy"] is True and report["problems"] == []
    text = phone_only("status")
    assert text.exit_code == 0
    assert "Mailbox: off ([mailbox] absent or enabled = false)" in text.stdout


@pytest.fixture
def mailbox_read_at_nine(
    ready: Cli, site_dir: Path, dovecot: DovecotServer, sink: tuple[Sink, int]
) -> Path:
    """A site whose mailbox (a real Dovecot) was last read successfully at 09:00."""
    use_mailbox(site_dir, dovecot.port)
    _smtp_without_username(site_dir, sink[1])
    done = process(site_dir, "run", "--once", now=NINE)
    assert done.returncode == 0, done.stderr
    return site_dir


def _alerts(cli: Cli) -> list[dict[str, object]]:
    result = cli("outbox", "list", "--json", now=ELEVEN)
    assert result.exit_code == 0, result.output
    return [e for e in json.loads(result.stdout) if e["kind"] == "help_desk.alert"]


def test_mailbox_turned_off_raises_no_unread_mailbox_alert(
    mailbox_read_at_nine: Path, ready: Cli
) -> None:
    """A mailbox turned off after its last read is not "unread for too long": two hours on,
    the watchdog alerts nobody, and status ignores the mailbox job's old record."""
    _edit(mailbox_read_at_nine, "[mailbox]\n", "[mailbox]\nenabled = false\n")
    done = process(mailbox_read_at_nine, "run", "--once", now=ELEVEN)
    assert done.returncode == 0, done.stderr
    assert _alerts(ready) == []
    status = ready("status", "--json", now=ELEVEN)
    assert status.exit_code == 0 and json.loads(status.stdout)["healthy"] is True


def test_mailbox_left_on_and_unread_still_raises_the_alert(
    mailbox_read_at_nine: Path, ready: Cli, dovecot: DovecotServer
) -> None:
    """The same two hours with the mailbox on and its server gone do alert the help desk
    (what the test above would see if being off were not taken into account)."""
    dovecot.stop()
    process(mailbox_read_at_nine, "run", "--once", now=ELEVEN)
    assert len(_alerts(ready)) >= 1


def test_enabled_mailbox_without_username_is_a_config_error(ready: Cli, site_dir: Path) -> None:
    """IMAP always logs in: an enabled [mailbox] without username names the key in one line
    (the code has no example address to fall back on)."""
    _edit(site_dir, 'username = "helpdesk@example.go.id"\npassword_env = "HELPDESK_MAILBOX',
          'password_env = "HELPDESK_MAILBOX')  # fmt: skip
    line = one_line_error(ready("ticket", "list"))
    assert "mailbox.username: required when the mailbox is enabled" in line


def test_smtp_without_from_address_is_a_config_error(ready: Cli, site_dir: Path) -> None:
    """The office's own address has no example default either: leaving it out is named."""
    _edit(site_dir, 'from_address = "helpdesk@example.go.id"\n', "")
    line = one_line_error(ready("ticket", "list"))
    assert "smtp.from_address: required key is missing" in line


@pytest.mark.parametrize("command", [["init"], ["ticket", "list"], ["status", "--json"]])
def test_postgresql_url_with_a_password_in_it_is_one_line(
    cli: Cli, site_dir: Path, command: list[str]
) -> None:
    """A postgresql:// URL with its password written in the file: refused in one line that
    points to password_env, exit 1, and the password not shown."""
    _set_section(site_dir, "database", 'url = "postgresql://helpdesk:s3cret@127.0.0.1/helpdesk"')
    result = cli(*command)
    line = one_line_error(result)
    assert "password_env" in line
    assert "s3cret" not in result.output
