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


@dataclass(frozen=True)
class Certificate:
    cert: str
    key: str


def self_signed(folder: str) -> Certificate:
    """A certificate for 127.0.0.1, made with the openssl command."""
    import subprocess
    from pathlib import Path

    cert, key = Path(folder) / "cert.pem", Path(folder) / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-out", str(cert), "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True,
    )  # fmt: skip
    return Certificate(str(cert), str(key))


@contextmanager
def secure_smtp_server(
    sink: Sink, certificate: Certificate, *, implicit_tls: bool, users: dict[str, str]
) -> Iterator[int]:
    """SMTPS (implicit TLS) or STARTTLS-required, with login required; yields the port."""
    import ssl

    from aiosmtpd.smtp import AuthResult, LoginPassword

    def authenticate(server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        if isinstance(auth_data, LoginPassword):
            user = auth_data.login.decode()
            if users.get(user) == auth_data.password.decode():
                return AuthResult(success=True)
        # handled=False: aiosmtpd answers 535 itself instead of leaving the client waiting
        return AuthResult(success=False, handled=False)

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate.cert, certificate.key)
    port = free_port()
    options: dict = {"authenticator": authenticate, "auth_required": True}
    if implicit_tls:
        # aiosmtpd does not see the SMTPS layer as TLS (session.ssl stays None), so it
        # would hide AUTH; the whole connection is encrypted anyway.
        options.update(ssl_context=context, auth_require_tls=False)
    else:
        options.update(tls_context=context, require_starttls=True)
    controller = Controller(sink, hostname="127.0.0.1", port=port, ready_timeout=10, **options)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


class RestartableSmtp:
    """A plain SMTP server that keeps its loopback port across ``stop()`` and ``start()``:
    an outage its clients see as "connection refused", then the same server back."""

    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self.port = free_port()
        self._controller: Controller | None = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> None:
        if self._controller is None:
            controller = Controller(self.sink, hostname="127.0.0.1", port=self.port,
                                    ready_timeout=10)  # fmt: skip
            controller.start()
            self._controller = controller

    def stop(self) -> None:
        controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop()


@contextmanager
def restartable_smtp_server(sink: Sink) -> Iterator[RestartableSmtp]:
    """A started RestartableSmtp; stopped on exit."""
    server = RestartableSmtp(sink)
    server.start()
    try:
        yield server
    finally:
        server.stop()
