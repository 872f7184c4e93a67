"""A real SMTP server on loopback (aiosmtpd) whose answers a test can script."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy

from aiosmtpd.controller import Controller


@dataclass
class Received:
    sender: str
    recipients: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.raw, policy=default_policy)  # type: ignore[return-value]


@dataclass
class Sink:
    """Records what it accepts. ``replies`` scripts the answers to DATA, one per message:
    a reply string such as "451 4.3.0 try later" refuses that message; None accepts.
    When the script runs out, ``default`` answers (None: accept)."""

    replies: list[str | None] = field(default_factory=list)
    default: str | None = None
    received: list[Received] = field(default_factory=list)
    attempts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        with self.lock:
            self.attempts += 1
            reply = self.replies.pop(0) if self.replies else self.default
            if reply is not None:
                return reply
            self.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content))
            )
        return "250 2.0.0 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def smtp_server(sink: Sink) -> Iterator[int]:
    """Start a plain SMTP server on 127.0.0.1 and yield its port; stopped on exit."""
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()
