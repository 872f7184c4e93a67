"""`helpdesk intake watch` as a real process against a real Dovecot that goes away."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpdesk.testing.imap import dovecot_available, dovecot_server
from intake.imap import Mailbox, MailboxSettings
from tests.conftest import use_mailbox
from tests.mail import email


def _helpdesk(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "helpdesk", *args], env=env, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip


def _wait_for_tickets(env: dict[str, str], count: int, seconds: float = 20) -> list[dict]:
    deadline = time.monotonic() + seconds
    while True:
        tickets = json.loads(_helpdesk(env, "ticket", "list", "--json").stdout)
        if len(tickets) >= count or time.monotonic() > deadline:
            return tickets
        time.sleep(0.3)


def test_watch_survives_a_server_restart_and_stops_cleanly(site_dir: Path, tmp_path: Path) -> None:
    """Mail is picked up while watching, again after the server restarts, and SIGTERM ends
    the watch with exit 0."""
    if reason := dovecot_available():
        pytest.fail(f"Dovecot is needed: {reason}")
    with dovecot_server(tmp_path / "dovecot", {"helpdesk": "secret"}) as server:
        use_mailbox(site_dir, server.port)
        env = {**os.environ, "HELPDESK_CONFIG": str(site_dir / "config.toml"),
               "HELPDESK_NOW": "2026-11-30T09:00:00+07:00"}  # fmt: skip
        assert _helpdesk(env, "init").returncode == 0
        settings = MailboxSettings("127.0.0.1", server.port, "none", "helpdesk", "secret")
        watcher = subprocess.Popen(
            [sys.executable, "-m", "helpdesk", "intake", "watch", "--interval", "2"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            with Mailbox(settings) as box:
                box.append("INBOX", email(message_id="<w1@dinkes.example.go.id>"))
            assert len(_wait_for_tickets(env, 1)) == 1

            server.stop()
            time.sleep(1.5)  # the watch notices and starts reconnecting
            server.start()
            with Mailbox(settings) as box:
                box.append("INBOX", email(sender="p2@dinkes.example.go.id",
                                          message_id="<w2@dinkes.example.go.id>"))  # fmt: skip
            assert len(_wait_for_tickets(env, 2, seconds=30)) == 2
        finally:
            watcher.send_signal(signal.SIGTERM)
            _, err = watcher.communicate(timeout=30)
        assert watcher.returncode == 0, err
        assert "mailbox unavailable" in err
        assert "Traceback" not in err
