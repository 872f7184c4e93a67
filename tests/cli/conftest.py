from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from helpdesk.cli.main import app
from tests.conftest import FORM

MONDAY_9 = "2026-11-30T09:00:00+07:00"

OPTION = {
    "agency": "--opd",
    "division": "--bidang",
    "reporter_name": "--nama",
    "position": "--jabatan",
    "phone": "--telepon",
    "email": "--email",
    "sex": "--sex",
    "employment_status": "--status",
    "category": "--category",
    "description": "--isi",
}

Cli = Callable[..., Result]


def form_args(**changes: str | None) -> list[str]:
    """The options of a complete phone complaint, with some fields changed or left out."""
    args: list[str] = []
    for key, value in {**FORM, **changes}.items():
        if value is not None:
            args += [OPTION[key], value]
    return args


@pytest.fixture
def cli(site_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """Run `helpdesk ARGS` in-process on the site, at a time that tests can set."""
    monkeypatch.setenv("HELPDESK_CONFIG", str(site_dir / "config.toml"))
    monkeypatch.delenv("HELPDESK_USER", raising=False)
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None, now: str = MONDAY_9) -> Result:
        monkeypatch.setenv("HELPDESK_NOW", now)
        return runner.invoke(app, list(args), input=input)

    return invoke


@pytest.fixture
def ready(cli: Cli) -> Cli:
    """The cli on an initialised site."""
    result = cli("init")
    assert result.exit_code == 0, result.output
    return cli
