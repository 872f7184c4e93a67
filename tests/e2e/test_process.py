"""The real `helpdesk` process, as an officer or a script runs it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests import databases
from tests.cli.conftest import form_args

REPO = Path(__file__).resolve().parents[2]


def helpdesk(site_dir: Path, *args: str, now: str = "2026-11-30T09:00:00+07:00"):  # type: ignore[no-untyped-def]
    env = {**os.environ, "HELPDESK_NOW": now}
    env.pop("HELPDESK_CONFIG", None)
    env.pop("HELPDESK_USER", None)
    return subprocess.run(
        [sys.executable, "-m", "helpdesk", *args],
        cwd=site_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_process_finds_config_in_the_working_folder(site_dir: Path) -> None:
    """Run from the site's folder, the command uses ./config.toml and keeps its data there."""
    assert helpdesk(site_dir, "init").returncode == 0
    logged = helpdesk(site_dir, "phone", *form_args(), "--by", "sari")
    assert logged.returncode == 0, logged.stderr
    assert "Nomor Pengaduan TIK-2026-00001" in logged.stdout
    shown = helpdesk(site_dir, "ticket", "show", "TIK-2026-00001", "--json")
    assert json.loads(shown.stdout)["reporter_name"] == "Budi Santoso"
    assert databases.initialised(site_dir)


def test_process_reports_user_errors_without_traceback(site_dir: Path) -> None:
    """Unknown tickets, forbidden moves and bad options exit non-zero with a short message."""
    assert helpdesk(site_dir, "init").returncode == 0
    unknown = helpdesk(site_dir, "ticket", "show", "TIK-1")
    assert unknown.returncode == 1
    assert unknown.stderr == "error: no ticket 'TIK-1'\n"
    bad_option = helpdesk(site_dir, "ticket", "list", "--limit", "zero")
    assert bad_option.returncode == 2
    assert "Traceback" not in bad_option.stderr


def test_demo_without_dovecot_uses_pymap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """On a machine without Dovecot the demo's mailbox is pymap, and the mail still flows."""
    import helpdesk.demo as demo

    monkeypatch.setattr(demo, "dovecot_available", lambda: "dovecot is not installed")
    for name in [k for k in os.environ if k.startswith("HELPDESK_")]:
        monkeypatch.delenv(name)
    assert demo.run_demo(tmp_path / "demo") == 0
    out = capsys.readouterr().out
    assert "pymap on 127.0.0.1" in out
    assert "Siti Aminah" in out and "automatic" in out
    assert re.search(r"registered: TIK-\d{4}-\d{5}", out) and "/lapor" in out
