"""A site served by the real `helpdesk web` process on a free loopback port, its e-mails
going to an SMTP sink, at a fixed office time (HELPDESK_NOW)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpdesk.testing.loopback import free_port
from helpdesk.testing.smtp import Sink, smtp_server
from helpdesk.testing.web import WebProcess, web_process
from tests.conftest import _set_section, use_smtp

NOW = "2026-11-30T09:00:00+07:00"
PASSWORDS = {"sari": "sandi-sari-2026", "rudi": "sandi-rudi-2026", "agus": "sandi-agus-2026"}


@dataclass
class Served:
    site_dir: Path
    web: WebProcess
    sink: Sink
    env: dict[str, str]

    @property
    def url(self) -> str:
        return self.web.url

    def helpdesk(
        self, *args: str, input: str | None = None, now: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        """`helpdesk ARGS` on the site, at the office time of the web process or ``now``."""
        env = self.env if now is None else {**self.env, "HELPDESK_NOW": now}
        return subprocess.run(
            [sys.executable, "-m", "helpdesk", "--config", str(self.site_dir / "config.toml"),
             *args], env=env, input=input, capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    def send_outbox(self) -> None:
        sent = self.helpdesk("outbox", "send")
        assert sent.returncode == 0, sent.stderr


@pytest.fixture
def served(site_dir: Path) -> Iterator[Served]:
    sink = Sink()
    with smtp_server(sink) as smtp:
        port = free_port()
        use_smtp(site_dir, smtp.port)
        _set_section(
            site_dir, "web",
            f'listen = "127.0.0.1:{port}"\npublic_url = "http://127.0.0.1:{port}"\n'
            'secret_env = "HELPDESK_WEB_SECRET"',
        )  # fmt: skip
        env = {**os.environ, "HELPDESK_NOW": NOW}
        for name in ("HELPDESK_CONFIG", "HELPDESK_USER"):
            env.pop(name, None)
        served = Served(site_dir, None, sink, env)  # type: ignore[arg-type]
        assert served.helpdesk("init").returncode == 0
        for staff_id, password in PASSWORDS.items():
            done = served.helpdesk("staff", "password", staff_id, "--stdin", input=password)
            assert done.returncode == 0, done.stderr
        with web_process(site_dir / "config.toml", port, env=env) as web:
            served.web = web
            yield served
