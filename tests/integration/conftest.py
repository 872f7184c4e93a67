"""Fixtures of the SMTP tests: a sink server on loopback and a site that sends to it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import use_smtp
from tests.integration.smtp_server import Sink, smtp_server
from tests.integration.test_outbox_smtp import Desk


@pytest.fixture
def sink() -> Sink:
    return Sink()


@pytest.fixture
def desk(site_dir: Path, sink: Sink, monkeypatch: pytest.MonkeyPatch) -> Iterator[Desk]:
    with smtp_server(sink) as port:
        use_smtp(site_dir, port)
        here = Desk(site_dir, monkeypatch)
        here.ok("init")
        yield here
