"""From a notice (what to tell whom) to a complete e-mail: rendered, threaded, marked.

Pure apart from reading the templates: ``render`` fills a template's subject, text and
HTML parts; ``build`` wraps them in a MIME message with our headers.

Each template ``templates/email/<lang>/<audience>.<event>.txt.j2`` defines the blocks
``subject`` and ``body``; its ``.html.j2`` sibling says the same in HTML. HTML is
autoescaped; undefined variables are errors, never empty text.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ticketing.conversation import REPLY_MARKER, message_id_prefix

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
LANGUAGES = ("id", "en")


AUTO_REPLIED = "auto-replied"  # RFC 3834: an answer to a message someone sent
AUTO_GENERATED = "auto-generated"  # RFC 3834: sent on the system's own initiative


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Sender:
    address: str
    name: str
    message_id_domain: str


@dataclass(frozen=True)
class Recipient:
    address: str
    name: str = ""


@dataclass(frozen=True)
class Threading:
    in_reply_to: str | None = None
    references: Sequence[str] = field(default_factory=tuple)


@lru_cache(maxsize=4)
def environment(root: Path = TEMPLATES) -> Environment:
    return Environment(
        loader=FileSystemLoader(str(root)),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def template_names(kind: str, language: str) -> tuple[str, str]:
    if language not in LANGUAGES:
        raise ValueError(f"no templates for language {language!r}")
    return (f"email/{language}/{kind}.txt.j2", f"email/{language}/{kind}.html.j2")


def render(
    kind: str, language: str, context: Mapping[str, Any], root: Path = TEMPLATES
) -> Rendered:
    """The subject, plain text and HTML of one e-mail."""
    env = environment(root)
    text_name, html_name = template_names(kind, language)
    text_template = env.get_template(text_name)
    values = {**context, "reply_marker": REPLY_MARKER}
    subject = "".join(text_template.blocks["subject"](text_template.new_context(values)))
    text = text_template.render(values)
    html = env.get_template(html_name).render(values)
    return Rendered(subject=one_line(subject), text=_tidy(text), html=html)


def one_line(text: str, limit: int = 200) -> str:
    """A header value: no line breaks or control characters, whitespace collapsed."""
    cleaned = re.sub(r"[\x00-\x1f\x7f\u2028\u2029]+", " ", text)
    cleaned = re.sub(r"\s+", " ", cleaned).strip()
    return cleaned[:limit].rstrip()


def _tidy(text: str) -> str:
    """At most one blank line in a row, and a final newline."""
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def new_message_id(domain: str, ticket_number: str | None = None) -> str:
    """``<tik-2026-00001.3f2a…@example.go.id>``: ours, unique, and naming its ticket."""
    return f"<{message_id_prefix(ticket_number)}.{uuid.uuid4().hex}@{domain}>"


def build(
    rendered: Rendered,
    *,
    sender: Sender,
    to: Sequence[Recipient],
    cc: Sequence[Recipient] = (),
    message_id: str,
    date: dt.datetime,
    auto_submitted: str,
    threading: Threading = Threading(),
    language: str = "id",
) -> EmailMessage:
    """A MIME message (text and HTML alternatives) with our headers.

    Names and subjects come from what people typed: ``Address`` and ``one_line`` keep
    them inside their header, so nothing can add a header of its own.
    """
    message = EmailMessage(policy=SMTP)
    message["From"] = Address(display_name=one_line(sender.name), addr_spec=sender.address)
    message["To"] = [_address(r) for r in to]
    if cc:
        message["Cc"] = [_address(r) for r in cc]
    message["Subject"] = one_line(rendered.subject, limit=250)
    message["Date"] = format_datetime(date.astimezone(dt.UTC))
    message["Message-ID"] = message_id
    if threading.in_reply_to:
        message["In-Reply-To"] = threading.in_reply_to
    references = _unique([*threading.references, *filter(None, [threading.in_reply_to])])
    if references:
        message["References"] = " ".join(references)
    message["Auto-Submitted"] = auto_submitted
    # Ask Exchange and others not to answer with their own auto-replies.
    message["X-Auto-Response-Suppress"] = "All"
    message["Content-Language"] = language
    message.set_content(rendered.text, subtype="plain", charset="utf-8")
    message.add_alternative(rendered.html, subtype="html", charset="utf-8")
    return message


def can_address(address: str) -> bool:
    """Whether an e-mail can be written to ``address`` (an internationalised local part,
    say, cannot go through every server, and is not accepted here)."""
    try:
        Address(addr_spec=address)
    except (ValueError, TypeError, IndexError):
        return False
    return address.isascii()


def _address(recipient: Recipient) -> Address:
    return Address(display_name=one_line(recipient.name), addr_spec=recipient.address)


def _unique(ids: Sequence[str]) -> list[str]:
    seen: list[str] = []
    for item in ids:
        if item and item not in seen:
            seen.append(item)
    return seen
