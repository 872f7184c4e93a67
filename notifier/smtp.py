"""Delivery over SMTP with aiosmtplib: one connection per batch, every failure classified.

A result is one of:
- ``sent``: the server took the message (recipients it refused are reported);
- ``temporary``: try again later (connection refused or lost, time-out, a 4xx reply);
- ``permanent``: the server refused for good (a 5xx reply): the e-mail is dead;
- ``config``: the settings are wrong (login refused, TLS unavailable or untrusted): no
  message is to blame, so none uses up its attempts; the whole outbox waits.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import aiosmtplib

Security = Literal["ssl", "starttls", "none"]
Kind = Literal["sent", "temporary", "permanent", "config"]


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: Security
    username: str = ""
    password: str | None = None
    timeout: float = 30.0
    local_hostname: str = "helpdesk.localdomain"
    tls_context: ssl.SSLContext | None = None


@dataclass(frozen=True)
class Outgoing:
    id: int
    sender: str
    recipients: Sequence[str]
    raw: bytes


@dataclass(frozen=True)
class Result:
    kind: Kind
    detail: str = ""
    refused: dict[str, str] = field(default_factory=dict)  # recipient -> reply, when partly sent


# Replies that mean "log in first" or "not with these credentials": the settings are
# wrong, not the message.
AUTH_CODES = frozenset({530, 534, 535, 538})


def classify_code(code: int | None) -> Kind:
    if code is not None and 400 <= code < 500:
        return "temporary"
    if code is not None and 500 <= code < 600:
        return "permanent"
    return "temporary"


def classify(exc: BaseException) -> Kind:
    """What a failure means for the e-mail being sent."""
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        return "config"
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [r.code for r in exc.recipients]
        return "temporary" if any(400 <= c < 500 for c in codes) else "permanent"
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        if exc.code in AUTH_CODES:
            return "config"
        return classify_code(exc.code)
    if isinstance(exc, aiosmtplib.SMTPConnectError) and "CERTIFICATE_VERIFY_FAILED" in str(exc):
        return "config"
    if isinstance(exc, ssl.SSLError):
        return "config"
    if isinstance(exc, (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError, OSError)):
        return "temporary"
    if isinstance(exc, aiosmtplib.SMTPException):
        # "STARTTLS extension not supported", "No suitable authentication method": settings.
        return "config"
    return "temporary"


def describe(exc: BaseException) -> str:
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        text = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in exc.recipients)
    elif isinstance(exc, aiosmtplib.SMTPResponseException):
        text = f"{exc.code} {exc.message}"
    else:
        text = str(exc).strip() or type(exc).__name__
    return " ".join(text.split())[:500]


def send_batch(
    settings: SmtpSettings,
    batch: Sequence[Outgoing],
    on_sent: Callable[[int], None] | None = None,
) -> dict[int, Result]:
    """Send ``batch`` over one connection; never raises for a delivery problem.

    ``on_sent(id)`` is called as soon as the server has accepted a message, before the
    next is sent, so that the caller can record it at once: a sender killed mid-batch
    then sends again at most the one message it was sending.
    """
    return asyncio.run(_send_batch(settings, batch, on_sent))


async def _send_batch(
    settings: SmtpSettings,
    batch: Sequence[Outgoing],
    on_sent: Callable[[int], None] | None = None,
) -> dict[int, Result]:
    results: dict[int, Result] = {}
    if not batch:
        return results
    client = aiosmtplib.SMTP(
        hostname=settings.host,
        port=settings.port,
        use_tls=settings.security == "ssl",
        start_tls=settings.security == "starttls",
        timeout=settings.timeout,
        local_hostname=settings.local_hostname,
        tls_context=settings.tls_context,
        username=settings.username or None,
        password=settings.password if settings.username else None,
    )
    try:
        await client.connect()
    except Exception as exc:  # noqa: BLE001 - every failure is classified, none escapes
        kind = classify(exc)
        return {m.id: Result(kind, f"connect {settings.host}:{settings.port}: {describe(exc)}")
                for m in batch}  # fmt: skip
    try:
        for position, message in enumerate(batch):
            try:
                refused, _reply = await client.sendmail(
                    message.sender, list(message.recipients), message.raw
                )
            except Exception as exc:  # noqa: BLE001
                kind = classify(exc)
                results[message.id] = Result(kind, describe(exc))
                if (
                    isinstance(exc, (aiosmtplib.SMTPServerDisconnected, OSError))
                    or kind == "config"
                ):
                    for rest in batch[position + 1 :]:
                        results[rest.id] = Result("temporary", f"not tried: {describe(exc)}")
                    break
                continue
            results[message.id] = Result(
                "sent",
                refused={addr: f"{r.code} {r.message}" for addr, r in refused.items()},
            )
            if on_sent is not None:
                on_sent(message.id)
    finally:
        try:
            await client.quit()
        except Exception:  # noqa: BLE001 - the messages are already accounted for
            client.close()
    return results
