"""`helpdesk --help` starts without loading the program's heavy libraries.

The speed itself is measured by ``bench/startup.py``; this holds what it depends on: the
command modules import the database, configuration validation, templates, mail and phone
libraries inside the commands, so that showing the help (or refusing a mistyped option)
does not load them.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from helpdesk.cli import print_cmds

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
