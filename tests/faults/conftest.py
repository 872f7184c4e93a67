"""Fixtures of the fault tests: a real Dovecot, a real SMTP server that can be stopped and
started again on its port, and a site pointed at both; a hypothesis profile for CI."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from helpdesk.testing.imap import DovecotServer
from helpdesk.testing.smtp import Sink, SmtpServer, smtp_server
from tests.conftest import use_mailbox, use_smtp
from tests.faults.support import FUZZ, configure, helpdesk

# The settings of every hypothesis test here (see support.FUZZ), also as a profile to run
# the whole suite with: pytest -p hypothesis --hypothesis-profile=faults.
settings.register_profile("faults", FUZZ)


@pytest.fixture
def sink() -> Sink:
    return Sink()


@pytest.fixture
def smtp(sink: Sink) -> Iterator[SmtpServer]:
    with smtp_server(sink) as server:
        yield server


@pytest.fixture
def site(site_dir: Path, dovecot: DovecotServer, smtp: SmtpServer) -> Path:
    """An initialised site reading the Dovecot mailbox and sending through the SMTP server;
    no daily digest during the test."""
    use_mailbox(site_dir, dovecot.port)
    use_smtp(site_dir, smtp.port)
    configure(site_dir, {"daemon.digest_time": "23:59"})
    done = helpdesk(site_dir, "init")
    assert done.returncode == 0, done.stderr
    return site_dir
