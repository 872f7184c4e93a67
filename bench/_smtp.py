"""An SMTP sink on loopback (aiosmtpd) that counts connections and times each arrival."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

from helpdesk.testing.servers import free_port


@dataclass
class Arrival:
    at: float  # time.monotonic() when the DATA was accepted
    sender: str
    recipients: list[str]
    size: int


@dataclass
class CountingSink:
    arrivals: list[Arrival] = field(default_factory=list)
    connections: int = 0
    open_now: int = 0
    most_open: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    arrived: threading.Condition = field(init=False)

    def __post_init__(self) -> None:
        self.arrived = threading.Condition(self.lock)

    def opened(self) -> None:
        with self.lock:
            self.connections += 1
            self.open_now += 1
            self.most_open = max(self.most_open, self.open_now)

    def closed(self) -> None:
        with self.lock:
            self.open_now -= 1

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        arrival = Arrival(
            time.monotonic(), envelope.mail_from, list(envelope.rcpt_tos), len(envelope.content)
        )
        with self.lock:
            self.arrivals.append(arrival)
            self.arrived.notify_all()
        return "250 2.0.0 OK"

    def wait_for(self, count: int, seconds: float) -> bool:
        """Wait until ``count`` messages have arrived in all."""
        deadline = time.monotonic() + seconds
        with self.lock:
            while len(self.arrivals) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.arrived.wait(left)
        return True


class _CountingSMTP(SMTP):
    def connection_made(self, transport):  # type: ignore[no-untyped-def]
        self.event_handler.opened()
        super().connection_made(transport)

    def connection_lost(self, exc):  # type: ignore[no-untyped-def]
        self.event_handler.closed()
        super().connection_lost(exc)


class _Controller(Controller):
    def factory(self):  # type: ignore[no-untyped-def]
        return _CountingSMTP(self.handler, **self.SMTP_kwargs)


@contextmanager
def counting_sink() -> Iterator[tuple[CountingSink, int]]:
    """A started sink on a free loopback port: yields (sink, port)."""
    sink = CountingSink()
    port = free_port()
    controller = _Controller(sink, hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()
