"""Fixtures of the SMTP tests: a sink server on loopback and a site that sends to it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from helpdesk.testing.smtp import Sink, smtp_server
from tests.conftest import use_smtp
from tests.integration.test_outbox_smtp import Desk


@pytest.fixture
def sink() -> Sink:
    return Sink()


@pytest.fixture
def desk(site_dir: Path, sink: Sink, monkeypatch: pytest.MonkeyPatch) -> Iterator[Desk]:
    with smtp_server(sink) as smtp:
        use_smtp(site_dir, smtp.port)
        here = Desk(site_dir, monkeypatch)
        here.ok("init")
        yield here
