"""Slow, plainly right versions of the product's fast hand-written parts, for its tests.

`notifier.compose.message_bytes` writes an e-mail's bytes itself, much faster than the
email package does. `message` here makes the same e-mail the ordinary way, as an
`EmailMessage` of the standard library, and `message_bytes` flattens it with the email
package's own generator: what the product's `message_bytes` must give, byte for byte.
"""

from __future__ import annotations

import datetime as dt
import email.generator
import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from notifier.compose import Recipient, Rendered, Sender, Threading, one_line
from ticketing.conversation import BOUNCE_REF_HEADER, bounce_ref

NOT_A_REPLY = Threading()


def message(
    rendered: Rendered,
    *,
    sender: Sender,
    to: Sequence[Recipient],
    cc: Sequence[Recipient] = (),
    message_id: str,
    date: dt.datetime,
    auto_submitted: str,
    threading: Threading = NOT_A_REPLY,
    language: str = "id",
    bounce_token: str | None = None,
) -> EmailMessage:
    """A MIME message (text and HTML alternatives) with our headers, made by the email
    package: ``Address`` and ``one_line`` keep names and subjects inside their header."""
    built = EmailMessage(policy=SMTP)
    built["From"] = Address(display_name=one_line(sender.name), addr_spec=sender.address)
    built["To"] = [_address(r) for r in to]
    if cc:
        built["Cc"] = [_address(r) for r in cc]
    built["Subject"] = one_line(rendered.subject, limit=250)
    built["Date"] = format_datetime(date.astimezone(dt.UTC))
    built["Message-ID"] = message_id
    if threading.in_reply_to:
        built["In-Reply-To"] = threading.in_reply_to
    references = list(dict.fromkeys(filter(None, [*threading.references, threading.in_reply_to])))
    if references:
        built["References"] = " ".join(references)
    built["Auto-Submitted"] = auto_submitted
    built["X-Auto-Response-Suppress"] = "All"
    if bounce_token:
        built[BOUNCE_REF_HEADER] = bounce_ref(bounce_token)
    built.set_content(rendered.text, subtype="plain", charset="utf-8")
    built.add_alternative(rendered.html, subtype="html", charset="utf-8")
    built["Content-Language"] = language  # after set_content(), which clears Content-*
    return built


def message_bytes(
    rendered: Rendered, *, rng: random.Random, **headers: object
) -> tuple[bytes, str]:
    """``bytes()`` of `message` (its boundary drawn from ``rng``) and its Subject header:
    what `notifier.compose.message_bytes` gives for the same arguments."""
    built = message(rendered, **headers)  # type: ignore[arg-type]
    with _boundaries_from(rng):
        raw = bytes(built)
    return raw, str(built["Subject"])


@contextmanager
def _boundaries_from(rng: random.Random) -> Iterator[None]:
    """The email package's generator draws a MIME boundary with ``random.randrange``, from
    the global generator: here from ``rng``, for as long as this lasts."""
    module = email.generator
    saved = module.random  # type: ignore[attr-defined]
    module.random = rng  # type: ignore[attr-defined]
    try:
        yield
    finally:
        module.random = saved  # type: ignore[attr-defined]


def _address(recipient: Recipient) -> Address:
    return Address(display_name=one_line(recipient.name), addr_spec=recipient.address)
