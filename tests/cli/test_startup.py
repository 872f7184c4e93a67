"""`helpdesk --help`, and a poll of an empty mailbox, start without loading what they do
not use.

The speed itself is measured by ``bench/startup.py``; this holds what it depends on: the
command modules import the database, configuration validation, templates, mail and phone
libraries inside the commands, so that showing the help (or refusing a mistyped option)
does not load them; and `helpdesk intake poll` that finds nothing new (cron's every few
minutes on a quiet mailbox) ends before the parser, the router and the notifier are
loaded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpdesk.cli import print_cmds
from helpdesk.testing.imap import DovecotServer
from tests.conftest import use_mailbox

# Not pydantic: Typer itself loads it to describe some parameters (typer._adapters); the
# program's own use of it is the configuration (helpdesk.config).
HEAVY = (
    "sqlalchemy", "sqlmodel", "alembic", "jinja2", "holidays", "phonenumbers", "email_validator",
    "babel", "aiosmtplib", "imapclient", "helpdesk.config", "helpdesk.wiring", "ticketing.store",
    "ticketing.models", "notifier.outbox",
)  # fmt: skip


@pytest.mark.parametrize("args", [["--help"], ["ticket", "--help"], ["ticket", "list", "--help"]])
def test_help_loads_no_heavy_library(args: list[str]) -> None:
    script = (
        "import json, sys\n"
        "from helpdesk.cli.main import app\n"
        "try:\n"
        f"    app({args!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_help_lists_the_real_choices() -> None:
    """The help texts name the printable documents without importing their module: the
    names are copied, and must stay the same."""
    from records.documents import DOCUMENTS

    assert print_cmds.DOCUMENT_NAMES == DOCUMENTS


# What processing a message needs, and what no poll needs: none of it is loaded to find
# the mailbox empty. The holiday check at load loads the one country's module, not the
# library's package of all of them (holidays.countries); the mailbox's state and its lease
# are read in plain SQL, without SQLModel, the models and the ORM.
NOT_FOR_AN_EMPTY_MAILBOX = (
    "helpdesk.jobs.mailbox", "intake.parse", "intake.route", "notifier.outbox",
    "notifier.policy", "notifier.compose", "jinja2", "babel", "rich", "aiosmtplib",
    "phonenumbers", "email_validator", "records", "starlette", "weasyprint", "reportlab",
    "holidays.countries", "sqlmodel", "sqlalchemy.orm", "ticketing.models", "ticketing.store.tx",
)  # fmt: skip


def _poll(site_dir: Path) -> tuple[str, list[str]]:
    script = (
        "import json, sys\n"
        "from helpdesk.cli.main import app\n"
        "try:\n"
        "    app(['intake', 'poll'])\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(json.dumps([m for m in {NOT_FOR_AN_EMPTY_MAILBOX!r} if m in sys.modules]))\n"
    )
    env = dict(os.environ, HELPDESK_CONFIG=str(site_dir / "config.toml"))
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60,
        env=env,
    )  # fmt: skip
    *said, loaded = done.stdout.strip().splitlines()
    return "\n".join(said), json.loads(loaded)


def test_polling_an_empty_mailbox_loads_no_intake_or_notifier(
    site_dir: Path, dovecot: DovecotServer
) -> None:
    """A poll that finds nothing says so without loading the parser, the router, the
    notifier, templates or rich; the first message that arrives is read as ever."""
    from helpdesk.wiring import Site
    from intake.imap import Mailbox, MailboxSettings
    from tests.mail import email

    use_mailbox(site_dir, dovecot.port)
    Site.load(str(site_dir / "config.toml")).init()
    assert _poll(site_dir) == ("fetched 0: nothing new", [])
    settings = MailboxSettings("127.0.0.1", dovecot.port, "none", "helpdesk", "secret")
    with Mailbox(settings) as box:
        box.append("INBOX", email(message_id="<first@dinkes.example.go.id>"))
    said, loaded = _poll(site_dir)
    assert said == "fetched 1: ticket 1"
    assert {"helpdesk.jobs.mailbox", "intake.parse", "notifier.outbox"} <= set(loaded)
