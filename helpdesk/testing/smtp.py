"""A real SMTP server on a free loopback port (aiosmtpd), with one sink for the tests, the
benchmarks and the demo.

The server speaks the protocol; the ``Sink`` decides. It keeps every message it accepts
with the moment it arrived, counts the connections, and answers DATA as a test scripts it
(a refusal such as "451 4.3.0 try later", then acceptance). Without a certificate the
server is plain SMTP with no login; with one, it requires STARTTLS (or speaks implicit
TLS) and a login. aiosmtpd comes with the ``test`` extra.
"""

from __future__ import annotations

import asyncio
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from helpdesk.testing.loopback import HOST, Certificate, free_port

READY_SECONDS = 10.0  # a start takes a few ms; this only bounds a broken one


@dataclass
class Received:
    sender: str
    recipients: list[str]
    raw: bytes
    at: float  # time.monotonic() when the server accepted it

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.raw, policy=default_policy)
        assert isinstance(parsed, EmailMessage)  # what the default policy builds
        return parsed


@dataclass
class Sink:
    """What the server accepted, and how it answers.

    ``replies`` scripts the answers to DATA, one per message: a reply string such as
    "451 4.3.0 try later" refuses that message; None accepts it. When the script runs out,
    ``default`` answers (None: accept). ``connections`` counts every connection made,
    the server's own readiness probe included; ``most_open`` is the most open at once.
    ``on_accept(n)``, when set, is called as the n-th message is accepted, before the
    server answers (a test's fault at that moment: the database stopped while the
    sender waits for the reply).
    """

    replies: list[str | None] = field(default_factory=list)
    default: str | None = None
    received: list[Received] = field(default_factory=list)
    connections: int = 0
    open_now: int = 0
    most_open: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    arrived: threading.Condition = field(init=False)  # notified on each accepted message
    on_accept: Callable[[int], None] | None = None

    def __post_init__(self) -> None:
        self.arrived = threading.Condition(self.lock)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        with self.lock:
            reply = self.replies.pop(0) if self.replies else self.default
            if reply is not None:
                return reply
            self.received.append(
                Received(
                    envelope.mail_from or "",
                    list(envelope.rcpt_tos),
                    envelope.original_content or b"",
                    time.monotonic(),
                )
            )
            self.arrived.notify_all()
            accepted = len(self.received)
        if self.on_accept is not None:
            self.on_accept(accepted)
        return "250 2.0.0 OK"

    def wait_for(self, count: int, seconds: float) -> bool:
        """Wait until ``count`` messages have been accepted in all; False if time ran out."""
        deadline = time.monotonic() + seconds
        with self.lock:
            while len(self.received) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.arrived.wait(left)
        return True

    def _opened(self) -> None:
        with self.lock:
            self.connections += 1
            self.open_now += 1
            self.most_open = max(self.most_open, self.open_now)

    def _closed(self) -> None:
        with self.lock:
            self.open_now -= 1


class _CountingSMTP(SMTP):
    """aiosmtpd's protocol, telling the sink when a connection opens and closes."""

    def __init__(self, sink: Sink, **options: Any) -> None:
        super().__init__(sink, **options)
        self.sink = sink

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.sink._opened()
        super().connection_made(transport)

    def connection_lost(self, error: Exception | None) -> None:
        self.sink._closed()
        super().connection_lost(error)


class _Controller(Controller):
    def __init__(self, sink: Sink, **options: Any) -> None:
        super().__init__(sink, **options)
        self.sink = sink

    def factory(self) -> SMTP:
        return _CountingSMTP(self.sink, **self.SMTP_kwargs)


class SmtpServer:
    """aiosmtpd on a loopback port, handing what it gets to ``sink``. The port is chosen
    once and kept across ``stop()`` and ``start()``: an outage its clients see as
    "connection refused", then the same server back.

    With a certificate, only a login with one of ``users`` (name → password) is let send:
    after STARTTLS, which the server then requires, or with ``implicit_tls`` over TLS
    from the first byte (SMTPS).
    """

    host = HOST

    def __init__(
        self,
        sink: Sink,
        tls: Certificate | None = None,
        *,
        implicit_tls: bool = False,
        users: Mapping[str, str] | None = None,
    ) -> None:
        if tls is None and (implicit_tls or users):
            raise ValueError("implicit_tls and users need a certificate (tls=)")
        self.sink = sink
        self.port = free_port()
        self.tls = tls
        self.implicit_tls = implicit_tls
        self.users = dict(users or {})
        self._controller: Controller | None = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> None:
        if self._controller is None:
            controller = _Controller(
                self.sink, hostname=HOST, port=self.port, ready_timeout=READY_SECONDS,
                **self._security(),
            )  # fmt: skip
            controller.start()
            self._controller = controller

    def stop(self) -> None:
        controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop()

    def _security(self) -> dict[str, Any]:
        """aiosmtpd's options for TLS and the login; none for plain SMTP."""
        if self.tls is None:
            return {}
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.tls.cert, self.tls.key)
        options: dict[str, Any] = {"authenticator": self._authenticate, "auth_required": True}
        if self.implicit_tls:
            # aiosmtpd does not see the SMTPS layer as TLS (session.ssl stays None), so it
            # would hide AUTH; the whole connection is encrypted anyway.
            options.update(ssl_context=context, auth_require_tls=False)
        else:
            options.update(tls_context=context, require_starttls=True)
        return options

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        if isinstance(data, LoginPassword):
            if self.users.get(data.login.decode()) == data.password.decode():
                return AuthResult(success=True)
        # handled=False: aiosmtpd answers 535 itself instead of leaving the client waiting
        return AuthResult(success=False, handled=False)


@contextmanager
def smtp_server(
    sink: Sink,
    tls: Certificate | None = None,
    *,
    implicit_tls: bool = False,
    users: Mapping[str, str] | None = None,
) -> Iterator[SmtpServer]:
    """A started SmtpServer (see there for ``tls``, ``implicit_tls`` and ``users``);
    stopped on exit."""
    server = SmtpServer(sink, tls, implicit_tls=implicit_tls, users=users)
    server.start()
    try:
        yield server
    finally:
        server.stop()
