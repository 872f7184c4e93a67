from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from helpdesk.cli.main import app
from helpdesk.wiring import Site
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


@pytest.fixture
def site(ready: Cli, site_dir: Path) -> Site:
    """The initialised site, for calling a job as the daemon does (the phone drop folder's
    scan, an import)."""
    return Site.load(str(site_dir / "config.toml"))


@pytest.fixture
def drop(site_dir: Path) -> Path:
    """The site's phone drop folder."""
    return site_dir / "var" / "phone-drop"


def process(
    site_dir: Path, *args: str, now: str = MONDAY_9, unset: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """`helpdesk ARGS` as a real process on the site (what the user's terminal shows)."""
    env = {**os.environ, "HELPDESK_CONFIG": str(site_dir / "config.toml"), "HELPDESK_NOW": now}
    for name in ("HELPDESK_USER", *unset):
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "helpdesk", *args], env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip


def one_line_error(result: Result | subprocess.CompletedProcess[str]) -> str:
    """The single ``error:`` line of a command that failed as a user should see it: exit 1,
    that one line on stderr, no traceback (in-process: no exception but the exit). A line
    in Indonesian says ``kesalahan:``, so that no line mixes the two languages."""
    if isinstance(result, Result):
        code, stderr = result.exit_code, result.stderr
        assert isinstance(result.exception, SystemExit), result.exception
    else:
        code, stderr = result.returncode, result.stderr
    assert code == 1, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(("error: ", "kesalahan: ")), stderr
    return lines[0]


@pytest.fixture
def inject(ready: Cli, tmp_path: Path):  # type: ignore[no-untyped-def]
    """`helpdesk intake inject` of raw message bytes, each written to a file of its own."""
    counter = iter(range(1000))

    def run(raw: bytes, now: str = "2026-11-30T09:00:00+07:00"):  # type: ignore[no-untyped-def]
        path = tmp_path / f"m{next(counter)}.eml"
        path.write_bytes(raw)
        return ready("intake", "inject", str(path), now=now)

    return run
