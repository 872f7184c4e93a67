"""Raw bytes of one e-mail -> one ``InboundMessage``: decoded headers, the body as text,
attachments with safe names, and the flags the router needs (automatic mail, mailing
list, bounce).

Pure and total: ``parse`` never raises, whatever the bytes. Every problem it works around
is recorded in ``defects``, in a few words.
"""

# Why the standard library's `email` package (policy=email.policy.default) and not
# mail-parser: mail-parser leaks the body of an attached message/rfc822 into text_plain, so
# a forwarded complaint would inject its "Nama: ..." lines into ours; it answers '' for a
# typo or a missing header instead of failing; and it had silent-corruption bugs (8-bit
# bodies read as Latin-1, quoted-printable attachments losing bytes) fixed only in 2026.
# The stdlib gives get_body(), iter_attachments(), header objects and per-part defects, with
# no churn. Its weak spots are covered here: get_content() raises on an unknown charset
# (_Parse.decode falls back: declared charset -> UTF-8 -> Windows-1252/Latin-1, with a
# defect), and reading a malformed header can raise (every read goes through a guard).

from __future__ import annotations

import base64
import binascii
import codecs
import email
import email.policy
import email.utils
import hashlib
import io
import quopri
import re
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.errors import MissingHeaderBodySeparatorDefect
from email.message import EmailMessage, Message
from email.parser import BytesParser, HeaderParser
from functools import lru_cache, partial
from typing import TYPE_CHECKING, Any, TypeVar

from intake import automatic
from intake.html import MAX_HTML_CHARS, html_to_text
from ticketing.conversation import bounce_tokens

T = TypeVar("T")

if TYPE_CHECKING:  # typeshed's EmailPolicy is generic in its message class; the stdlib's is not
    _EmailPolicy = email.policy.EmailPolicy[EmailMessage]
else:
    _EmailPolicy = email.policy.EmailPolicy


class _CachingPolicy(_EmailPolicy):
    """``email.policy.default`` that keeps the header objects it made for the last 256
    distinct short headers (name and value). The stdlib parses a header again at every
    read (a part's Content-Type some ten times over a message, by get_body,
    get_content_type, get_param and the like), and many of a complaint's headers are the
    same from one message to the next. A header object is immutable, so the one made
    before is the one the stdlib would make again; a header that raises is not kept, and
    raises again. At most some 6 MB are kept, whatever the headers."""

    def header_fetch_parse(self, name: str, value: Any) -> Any:
        if hasattr(value, "name"):  # a header object already
            return value
        if isinstance(value, str) and len(value) <= _CACHED_HEADER_CHARS:
            return _parsed_header(self.header_factory, name, value)
        return super().header_fetch_parse(name, value)


@lru_cache(maxsize=256)
def _parsed_header(factory: Any, name: str, value: str) -> Any:
    return factory(name, "".join(_LINESEP.split(value)))


_LINESEP = re.compile(r"\n|\r")  # as the stdlib's own header_fetch_parse
_CACHED_HEADER_CHARS = 256  # longer ones are parsed at every read, as before: a bound on memory
POLICY = _CachingPolicy()
# Parts walked per message. A complaint has a body and a few attachments; more is a list
# digest, a report or an attack, and none of those needs every part read.
MAX_PARTS = 200
# More MIME boundaries than parts we would walk means nesting deep enough to make the
# stdlib parser recurse past Python's limit (about 1000 levels) or crawl: read headers only.
MAX_BOUNDARIES = MAX_PARTS
# The stdlib parser checks every line against every open boundary: its cost is lines times
# nesting depth, about 0.1 microsecond each. Above this (some two seconds) headers only.
MAX_NESTING_COST = 20_000_000
# Repeated headers read (Authentication-Results): a message passes a few servers, not fifty.
MAX_REPEATED_HEADERS = 20
# A header is cut to this length before it is decoded: the stdlib's decoder of encoded
# words is quadratic, and no subject or address list we answer needs more.
MAX_HEADER_CHARS = 16_384
MAX_FILENAME_CHARS = 120
MAX_REFERENCES = 100
MAX_DEFECTS = 50

_BOUNDARY = re.compile(rb"boundary\s*=", re.IGNORECASE)
_BOUNDARY_VALUE = re.compile(rb"boundary\s*=\s*\"?([^\"\s;]{1,200})", re.IGNORECASE)
_CLOSE_DELIMITER = re.compile(rb"^--([^\r\n]{1,200}?)--[ \t]*\r?$", re.MULTILINE)
_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
_BARE_MESSAGE_ID = re.compile(r"^[^<>\s@]+@[^<>\s@]+$")
_ADDR_SPEC = re.compile(r"^[^@\s<>()\[\],;:\"\\]+@[^@\s<>()\[\],;:\"\\]+$")
_LINE_BREAKS = re.compile(r"\r\n|\r|\n")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MIME_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$")
_C1 = re.compile(r"[\x80-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_ONE_LINE = re.compile(r"[\s\x00-\x1f\x7f\x85\u2028\u2029]+")
_HTML_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)

# Charset labels seen in mail that Python does not know, or knows as a smaller set.
_CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "x-mac-cyrillic": "mac-cyrillic",
    "iso-8859-8-i": "iso-8859-8",
    "shift_jis": "cp932",
    "x-sjis": "cp932",
    "windows-874": "cp874",
    "iso-2022-jp": "iso2022_jp_ext",
    "unicode-1-1-utf-7": "utf-7",
    "x-user-defined": "windows-1252",
}
_NOT_TEXT_CODECS = frozenset({"base64", "hex", "quopri", "uu", "zlib", "bz2", "rot-13", "idna"})

# Automatic mail (RFC 3834 and common practice): see intake.automatic.
_DAEMONS = {"mailer-daemon": "MAILER-DAEMON sender", "postmaster": "postmaster sender"}
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|returned mail|returned to sender|delivery status notification|"
    r"mail delivery failed|delivery fail|failure notice|non[- ]?delivery|delivery has failed|"
    r"could not be delivered|mail system error|delivery notification|error sending your mail|"
    r"status pengiriman|tidak terkirim|gagal terkirim|gagal dikirim",
    re.IGNORECASE,
)
_STATUS = re.compile(r"(?<![\d.])([245]\.\d{1,3}\.\d{1,3})(?![\d.])")
_SMTP_REPLY = re.compile(r"(?<!\d)[45]\d\d[ -]")
_TEXT_MESSAGE_ID = re.compile(r"^[ \t>]*Message-ID:[ \t]*(<[^<>\s]+>)", re.IGNORECASE | re.M)
_TEXT_RECIPIENT = re.compile(
    r"^[ \t]*<?([^\s<>@:;,()\"]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})>?:?[ \t]*$|"
    r"^[ \t]*<([^\s<>@]+@[A-Za-z0-9.-]+)>:",
    re.M,
)
_FLOWED_SIGNATURE = "-- "


@dataclass(frozen=True)
class Attachment:
    filename: str  # sanitized: no path, no control characters, at most 120 characters
    content_type: str
    size: int
    sha256: str
    payload: bytes


@dataclass(frozen=True)
class Bounce:
    """A delivery status notification (DSN) or a similar non-delivery report."""

    original_message_id: str | None  # the Message-ID of the message that bounced, "<...>"
    recipients: tuple[str, ...]  # Final-Recipient / Original-Recipient, lower case
    status: str | None  # e.g. "5.1.1"
    action: str | None  # failed / delayed / ...
    diagnostic: str | None  # Diagnostic-Code text, one line: the remote server's words
    # Bounce tokens of ours the report carries (ticketing.conversation), wherever servers
    # put them: the envelope recipient our own server records (Delivered-To, X-Original-To,
    # Envelope-To), the report's To (the envelope sender it answers), the returned
    # original's headers (Return-Path, X-Helpdesk-Ref) or a copy of those in its text.
    tokens: tuple[str, ...] = ()


@dataclass(frozen=True)
class InboundMessage:
    raw_sha256: str
    size: int
    message_id: str | None  # "<...>", None when absent or garbage
    subject: str  # decoded, one line, stripped
    from_address: str | None  # lower-case addr-spec, None when unparseable
    from_name: str
    reply_to: str | None
    to: tuple[str, ...]
    date: datetime | None  # aware
    in_reply_to: tuple[str, ...]  # "<...>"
    references: tuple[str, ...]
    text: str  # the body as text; quotes are NOT removed here
    body_was_html: bool
    attachments: tuple[Attachment, ...]
    auto: str | None  # why the message is automatic; None for a person's mail
    mailing_list: str | None  # the List-Id value
    bounce: Bounce | None
    defects: tuple[str, ...]  # parse problems, in a few words each
    # The Authentication-Results header values, topmost first (intake.authentication).
    authentication_results: tuple[str, ...] = ()


def parse(raw: bytes) -> InboundMessage:
    """One message, however broken. Never raises."""
    raw = bytes(raw)
    try:
        return _Parse(raw).message()
    except Exception as exc:  # the last guard: a message is never lost here
        return _empty(raw, [f"unparseable: {type(exc).__name__}"])


def _empty(raw: bytes, defects: list[str]) -> InboundMessage:
    return InboundMessage(
        raw_sha256=hashlib.sha256(raw).hexdigest(), size=len(raw), message_id=None,
        subject="", from_address=None, from_name="", reply_to=None, to=(), date=None,
        in_reply_to=(), references=(), text="", body_was_html=False, attachments=(),
        auto=None, mailing_list=None, bounce=None, defects=tuple(defects),
    )  # fmt: skip


class _Parse:
    """One message being read; collects its defects on the way."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        self.defects: list[str] = []
        self.shallow = False  # only the headers were read
        # Each part's headers as they came, by lower-case name, in order: made once a
        # part, for the thirty-odd headers looked up in a message.
        self._headers: dict[int, tuple[Message, dict[str, list[Any]]]] = {}
        self.msg = self._message()

    def guarded(self, stage: str, call: Callable[[], T], default: T) -> T:
        """One stage of the reading; a stage that trips costs its own result, not the
        message's."""
        try:
            return call()
        except Exception as exc:  # a stdlib corner no guard below foresaw
            self.defect(f"{stage} failed: {type(exc).__name__}")
            return default

    def defect(self, text: str) -> None:
        if text not in self.defects and len(self.defects) < MAX_DEFECTS:
            self.defects.append(text)

    def _message(self) -> EmailMessage:
        # Every boundary parameter holds the word: its count bounds theirs, at a quarter
        # of the cost of counting them (a photo's 100 kB, say); they are counted only when
        # it is too high to tell. The lines are counted only when the message's length
        # does not bound them low enough.
        most = self.raw.lower().count(b"boundary")
        lines = len(self.raw) + 1
        if most * lines > MAX_NESTING_COST:
            lines = self.raw.count(b"\n") + 1
        boundaries = most
        if most > MAX_BOUNDARIES or most * lines > MAX_NESTING_COST:
            boundaries = len(_BOUNDARY.findall(self.raw))
        if boundaries > MAX_BOUNDARIES:
            self.defect(f"{boundaries} MIME boundaries: body not read")
            return self._headers_only()
        if boundaries * lines > MAX_NESTING_COST:
            depth = _nesting_depth(self.raw)
            if depth * lines > MAX_NESTING_COST:
                self.defect(f"MIME nesting {depth} deep over {lines} lines: body not read")
                return self._headers_only()
        try:
            msg: EmailMessage = _message_from_bytes(self.raw)
            if any(isinstance(d, MissingHeaderBodySeparatorDefect) for d in msg.defects):
                repaired = _repair_header_block(self.raw)
                if repaired is not None:
                    msg = _message_from_bytes(repaired)
                    self.defect("header lines without a name read as continuations")
        except RecursionError:
            self.defect("MIME nesting too deep: body not read")
            return self._headers_only()
        if _maintype(msg) == "multipart" and not msg.is_multipart():
            self.guarded("boundary repair", lambda: self.repair_boundary(msg), None)
        return msg

    def repair_boundary(self, msg: EmailMessage) -> None:
        """A multipart whose declared boundary never comes: try the boundary as written in
        the raw header (the stdlib stops at an unquoted '='), then the first delimiter line
        that is followed by a Content- header."""
        payload = _safe(msg.get_payload, None)
        if not isinstance(payload, str):
            return
        candidates = []
        declared = re.search(
            r"boundary\s*=\s*\"?([^\";]+)", self.raw_header(msg, "Content-Type") or "", re.I
        )
        if declared:
            candidates.append(declared.group(1).strip())
        seen = re.search(r"^--([^\s\"\\]{1,200})[ \t]*\r?\n(?=content-)", payload, re.M | re.I)
        if seen:
            candidates.append(seen.group(1))
        for boundary in candidates:
            if (
                '"' in boundary
                or "\\" in boundary
                or not re.search("^--" + re.escape(boundary), payload, re.M)
            ):
                continue
            head = f'Content-Type: {_content_type(msg)}; boundary="{boundary}"\n\n'
            data = head.encode("ascii", "replace") + payload.encode("utf-8", "surrogateescape")
            inner = _safe(partial(email.message_from_bytes, data, policy=POLICY), None)
            if inner is not None and inner.is_multipart() and inner.get_payload():
                msg.set_payload(inner.get_payload())
                self.defect("MIME boundary repaired")
                return

    def _headers_only(self) -> EmailMessage:
        self.shallow = True
        parsed = BytesParser(policy=POLICY).parsebytes(self.raw, headersonly=True)
        return parsed

    # -- the whole message -------------------------------------------------------------

    def message(self) -> InboundMessage:
        msg = self.msg
        from_name, from_address = self.first_address("From")
        if self.header(msg, "From") is None:
            self.defect("missing From")
        elif from_address is None:
            self.defect("unparseable From")
        _, reply_to = self.first_address("Reply-To")
        message_ids = self.message_ids("Message-ID")
        if self.raw_header(msg, "Message-ID") is None:
            self.defect("missing Message-ID")
        elif not message_ids:
            self.defect("unparseable Message-ID")
        references = self.message_ids("References")
        if len(references) > MAX_REFERENCES:
            references = [references[0], *references[-(MAX_REFERENCES - 1) :]]
        parts: list[Message] = [] if self.shallow else self.guarded("walk", self.walk, [])
        no_body: tuple[Message | None, list[Message]] = (None, [])
        body, extras = self.guarded("body", lambda: self.body_parts(parts), no_body)
        text, was_html = self.guarded("text", lambda: self.text_of(body, extras), ("", False))
        used = [p for p in (body, *extras) if p is not None]
        attachments: list[Attachment] = self.guarded(
            "attachments", lambda: self.attachments(parts, used), []
        )
        subject = self.header(msg, "Subject") or ""
        bounce = self.guarded(
            "bounce", lambda: self.bounce(parts, from_address, subject, text), None
        )
        signals: dict[str, str] = self.guarded("signal headers", self.signal_headers, {})
        auto = self.guarded("auto", lambda: self.auto(signals, from_address, subject, bounce), None)
        list_id = automatic.mailing_list(signals)
        for part in [msg, *parts]:
            for item in _safe(partial(list, part.defects), list[object]()):
                self.defect(type(item).__name__)
        return InboundMessage(
            raw_sha256=hashlib.sha256(self.raw).hexdigest(),
            size=len(self.raw),
            message_id=message_ids[0] if message_ids else None,
            subject=subject,
            from_address=from_address,
            from_name=from_name,
            reply_to=reply_to,
            to=tuple(address for _, address in self.addresses("To") if address),
            date=self.date(),
            in_reply_to=tuple(self.message_ids("In-Reply-To")[:MAX_REFERENCES]),
            references=tuple(references),
            text=text,
            body_was_html=was_html,
            attachments=tuple(attachments),
            auto=auto,
            mailing_list=list_id or None,
            bounce=bounce,
            defects=tuple(self.defects),
            authentication_results=self.guarded(
                "authentication results",
                lambda: tuple(self.raw_headers(msg, "Authentication-Results")),
                tuple[str, ...](),
            ),
        )

    # -- headers -----------------------------------------------------------------------

    def _raw_values(self, part: Message, name: str) -> list[Any]:
        """The values of every ``name`` header of the part as they came, in order."""
        return self._header_index(part).get(name.lower(), [])

    def _header_index(self, part: Message) -> dict[str, list[Any]]:
        """The part's headers as they came, by lower-case name, in order."""
        known = self._headers.get(id(part))
        if known is None or known[0] is not part:
            index: dict[str, list[Any]] = {}
            for key, value in _raw_items(part):
                if isinstance(key, str):
                    index.setdefault(key.strip().lower(), []).append(value)
            known = self._headers[id(part)] = (part, index)
        return known[1]

    def raw_header(self, part: Message, name: str) -> str | None:
        """The first ``name`` header as it came, unfolded, 8-bit bytes decoded; or None."""
        for value in self._raw_values(part, name)[:1]:
            value = str(value)
            if _SURROGATE.search(value):
                self.defect(f"8-bit bytes in {name}")
                value = _clean(value)  # UTF-8 (RFC 6532), else Windows-1252
            value = "".join(_LINE_BREAKS.split(value)).replace("\x00", "")
            if len(value) > MAX_HEADER_CHARS:
                self.defect(f"{name} header cut to {MAX_HEADER_CHARS} characters")
                value = value[:MAX_HEADER_CHARS]
            return value
        return None

    def raw_headers(self, part: Message, name: str) -> list[str]:
        """Every ``name`` header, in order, unfolded and cut like `raw_header`; at most
        `MAX_REPEATED_HEADERS` of them."""
        found = []
        for value in self._raw_values(part, name)[:MAX_REPEATED_HEADERS]:
            text = _clean(str(value)) if _SURROGATE.search(str(value)) else str(value)
            text = "".join(_LINE_BREAKS.split(text)).replace("\x00", "")
            found.append(text[:MAX_HEADER_CHARS])
        return found

    def header(self, part: Message, name: str) -> str | None:
        """An unstructured header, RFC 2047 decoded, as one stripped line."""
        value = self.raw_header(part, name)
        if value is None:
            return None
        decoded = value  # without an encoded word, what the header object gives
        if "=?" in value:
            try:
                decoded = str(POLICY.header_factory("x-unstructured", value))
            except Exception:  # a malformed encoded word
                self.defect(f"undecodable {name}")
        return _one_line(_clean(decoded))

    def addresses(self, name: str) -> list[tuple[str, str | None]]:
        """(display name, lower-case addr-spec or None) of every address in the header."""
        value = self.raw_header(self.msg, name)
        if value is None:
            return []
        found: list[tuple[str, str]] = []
        try:
            simple = _simple_addresses(value)
            if simple is not None:
                found = simple  # what the header object gives, read without it
            else:
                header = POLICY.header_factory(name.lower(), value)
                found = [(a.display_name, a.addr_spec) for a in header.addresses]
        except Exception:  # e.g. a group the stdlib cannot read
            # Also a display name whose encoded words decode to a line break: the stdlib
            # refuses to make an Address of it, and getaddresses leaves the words encoded.
            try:
                found = [(_decoded_words(d), s) for d, s in email.utils.getaddresses([value])]
            except Exception:
                self.defect(f"unparseable {name}")
        result = []
        for display, spec in found:
            spec = _one_line(_clean(str(spec))).strip("<>").lower()
            result.append(
                (_one_line(_clean(str(display))), spec if _ADDR_SPEC.match(spec) else None)
            )
        return result

    def first_address(self, name: str) -> tuple[str, str | None]:
        found = self.addresses(name)
        for display, address in found:
            if address:
                return display, address
        return (found[0][0] if found else ""), None

    def message_ids(self, name: str) -> list[str]:
        value = self.raw_header(self.msg, name)
        return _message_ids(value) if value else []

    def date(self) -> datetime | None:
        value = self.raw_header(self.msg, "Date")
        if value is None:
            self.defect("missing Date")
            return None
        try:
            parsed = email.utils.parsedate_to_datetime(value.strip())
        except Exception:  # out of range, garbage, empty
            self.defect("unparseable Date")
            return None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)  # "-0000": the zone is unknown; read it as UTC
        return parsed

    # -- the tree ----------------------------------------------------------------------

    def walk(self) -> list[Message]:
        """The parts of the message, depth first, at most MAX_PARTS; an attached message
        is one part: its own parts belong to it, not to this message."""
        parts: list[Message] = []
        stack: list[Message] = [self.msg]
        while stack:
            part = stack.pop()
            if len(parts) >= MAX_PARTS:
                self.defect(f"more than {MAX_PARTS} MIME parts: the rest not read")
                break
            parts.append(part)
            if _maintype(part) == "multipart" and part.is_multipart():
                children = _payload(part, [])
                stack.extend(reversed([c for c in children if isinstance(c, Message)]))
        return parts

    def body_parts(self, parts: list[Message]) -> tuple[Message | None, list[Message]]:
        """The body (text/plain preferred over text/html, never inside an attached message)
        and further inline text parts of a multipart/mixed, as iPhone mail writes
        "text, photo, text"."""
        if not parts:
            return None, []
        msg = self.msg
        body: Message | None = None
        try:
            body = msg.get_body(preferencelist=("plain", "html"))
        except Exception:  # broken multiparts
            self.defect("body found without get_body")
        if body is None:
            # get_body looks only at the first part of a multipart/related; MHTML puts an
            # image first. Look at every part (attached messages are single parts here).
            body = _find_body(parts)
        extras: list[Message] = []
        if (
            body is not None
            and _content_type(msg) == "multipart/mixed"
            and msg.is_multipart()
            and _content_type(body) == "text/plain"
        ):
            inside = _subtree_ids(body, parts)
            for child in _payload(msg, []):
                if not isinstance(child, Message) or id(child) in inside:
                    continue
                if _is_attachment(child) or _filename(child):
                    continue
                kind = _content_type(child)
                if kind == "text/plain":
                    extras.append(child)
                elif kind in ("multipart/alternative", "multipart/related"):
                    # Under POLICY every part is an EmailMessage, which has get_body.
                    extra = None
                    if isinstance(child, EmailMessage):
                        extra = _safe(partial(child.get_body, preferencelist=("plain",)), None)
                    if extra is not None:
                        extras.append(extra)
        return body, extras

    def text_of(self, body: Message | None, extras: list[Message]) -> tuple[str, bool]:
        if self.shallow:
            return "", False
        msg = self.msg
        if body is None:
            if _maintype(msg) == "multipart" and not msg.is_multipart():
                # A multipart whose boundary never comes: its body is all there is.
                self.defect("multipart without parts: body read as text")
                return _normalize(self.part_text(msg, plain=True)), False
            return "", False
        was_html = _content_type(body) == "text/html"
        pieces = [self.part_text(body)]
        pieces += [self.part_text(extra) for extra in extras]
        return "\n\n".join(_normalize(p) for p in pieces if p.strip()), was_html

    def part_text(self, part: Message, *, plain: bool = False) -> str:
        data = _decoded(part)
        if not isinstance(data, bytes):
            payload = _payload(part, "")
            data = payload.encode("utf-8", "surrogateescape") if isinstance(payload, str) else b""
        html = not plain and _content_type(part) == "text/html"
        charset = _charset(part)
        if html and charset is None:
            found = _HTML_CHARSET.search(data[:4096])
            charset = found.group(1).decode("ascii") if found else None
        text = self.decode(data, charset)
        if html:
            if len(text) > MAX_HTML_CHARS:
                self.defect(f"HTML body cut to {MAX_HTML_CHARS} characters")
            return html_to_text(text)
        if _param(part, "format").lower() == "flowed":
            text = _unflow(text, delsp=_param(part, "delsp").lower() == "yes")
        return text

    def decode(self, data: bytes, charset: str | None) -> str:
        """Bytes to text: the declared charset, else UTF-8, else Windows-1252 (its five
        unassigned bytes dropped); every fallback recorded. Never raises."""
        label = (charset or "us-ascii").strip().strip("\"'").lower()
        codec = _codec(label)
        if codec is not None:
            try:
                return data.decode(codec)
            except Exception:  # UnicodeDecodeError, odd codecs' own errors
                self.defect(f"body not valid {label}")
        else:
            self.defect(f"unknown charset {label[:40]!r}")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            self.defect("body read as windows-1252")
        return _c1_as_windows_1252(data.decode("latin-1"))

    # -- attachments -------------------------------------------------------------------

    def attachments(self, parts: list[Message], used: list[Message]) -> list[Attachment]:
        used_ids = {id(part) for part in used}
        inside_alternative = _inside(parts, "multipart/alternative")
        result: list[Attachment] = []
        names: set[str] = set()
        for part in parts:
            if id(part) in used_ids or _maintype(part) == "multipart":
                continue  # a container, or a multipart without parts read as the body
            kind = _content_type(part)
            if part is self.msg and kind in ("text/plain", "text/html"):
                if not _is_attachment(part):
                    continue  # a single-part message's body, even when empty
            if (
                id(part) in inside_alternative
                and kind.startswith("text/")
                and kind != "text/calendar"
                and not _filename(part)
            ):
                continue  # another version of the body
            payload = self.payload(part)
            name = self.filename(part, kind, len(result) + 1)
            name = _unique(name, names)
            result.append(
                Attachment(
                    filename=name,
                    content_type=kind,
                    size=len(payload),
                    sha256=hashlib.sha256(payload).hexdigest(),
                    payload=payload,
                )
            )
        return result

    def payload(self, part: Message) -> bytes:
        if _maintype(part) == "message" or part.is_multipart():
            return self.message_bytes(part)
        data = _decoded(part)
        if isinstance(data, bytes):
            return data
        self.defect("attachment payload unreadable")
        return b""

    def message_bytes(self, part: Message) -> bytes:
        """An attached message's bytes, as near to how they came as the stdlib allows."""
        inner = _safe(part.get_payload, None)
        if isinstance(inner, list):
            if len(inner) == 1 and _content_type(part) in ("message/rfc822", "message/global"):
                data = _as_bytes(inner[0])
            else:  # message/delivery-status and the like: blocks of fields
                data = b"\r\n".join(_as_bytes(block) for block in inner)
        elif isinstance(inner, str):
            data = inner.encode("utf-8", "surrogateescape")
        else:
            data = b""
        cte = (self.raw_header(part, "Content-Transfer-Encoding") or "").strip().lower()
        if cte in ("base64", "quoted-printable") and data:
            # The stdlib parsed the encoded text as if it were the message; undo that.
            # Base64 has no header lines, so all of it sits in the "body" after one blank
            # line; quoted-printable keeps its header lines readable, so all of it counts.
            try:
                if cte == "base64":
                    return base64.b64decode(data.lstrip(b"\r\n"), validate=False)
                return quopri.decodestring(data)
            except (binascii.Error, ValueError):
                self.defect("attached message's encoding unreadable")
        return data

    def filename(self, part: Message, kind: str, number: int) -> str:
        given = _filename(part)
        name = _safe_filename(given) if given else ""
        if given and name != given:
            self.defect("attachment filename sanitized")
        if name:
            return name
        if kind in ("message/rfc822", "message/global", "message/news"):
            return "forwarded-message.eml"
        return f"attachment-{number}{_extension(kind)}"

    # -- automatic mail and bounces ----------------------------------------------------

    def signal_headers(self) -> dict[str, str]:
        """The values of the headers that tell automatic and list mail (intake.automatic)."""
        found = {}
        present = self._header_index(self.msg)
        for name in automatic.HEADERS:
            # a header the message does not have is None without asking for it
            if name.lower() in present and (value := self.header(self.msg, name)) is not None:
                found[name] = value
        return found

    def auto(
        self, signals: dict[str, str], from_address: str | None, subject: str,
        bounce: Bounce | None,
    ) -> str | None:  # fmt: skip
        return automatic.automatic_reason(
            signals, from_address=from_address, subject=subject,
            content_type=_content_type(self.msg), daemon=self.daemon(from_address),
            bounce=bounce is not None,
        )  # fmt: skip

    def daemon(self, from_address: str | None) -> str | None:
        """MAILER-DAEMON or postmaster as the sender, even when From has no domain."""
        local = (from_address or "").split("@")[0]
        if not local:
            raw = (self.raw_header(self.msg, "From") or "").strip().lower()
            found = re.search(r"([a-z0-9._-]+)(?:@[^\s>]*)?\s*>?\s*(?:\(.*\))?$", raw)
            local = found.group(1) if found else ""
        return _DAEMONS.get(local.lower())

    def bounce(
        self, parts: list[Message], from_address: str | None, subject: str, text: str
    ) -> Bounce | None:
        msg = self.msg
        kind = _content_type(msg)
        report = _safe(lambda: str(msg.get_param("report-type") or ""), "").lower()
        statuses = [
            part
            for part in parts
            if _content_type(part) in ("message/delivery-status", "message/global-delivery-status")
        ]
        dsn = bool(statuses) or (kind == "multipart/report" and report == "delivery-status")
        failed = self.raw_header(msg, "X-Failed-Recipients")
        daemon = self.daemon(from_address)
        looks_bounced = bool(_BOUNCE_SUBJECT.search(subject))
        if not (
            dsn
            or failed is not None
            or daemon == "MAILER-DAEMON sender"
            or (daemon and looks_bounced)
        ):
            return None
        records: list[dict[str, str]] = []
        for part in statuses:
            records += _status_records(_status_text(part))
        original = self.original_message_id(parts, text)
        recipients: list[str] = []
        for record in records:
            for key in ("final-recipient", "original-recipient"):
                address = _address_of_field(record.get(key, ""))
                if address and address not in recipients:
                    recipients.append(address)
        chosen = next((r for r in records if r.get("action", "").lower() == "failed"), None)
        chosen = chosen or (records[0] if records else {})
        status = _STATUS.search(chosen.get("status", ""))
        action = chosen.get("action", "").strip().lower() or None
        diagnostic = _strip_diagnostic_type(_one_line(chosen.get("diagnostic-code", "")))
        if not records:  # a report in words only: take what the text says
            if failed:
                recipients = [a for a in re.split(r"[\s,;]+", failed.lower()) if "@" in a]
            if not recipients:
                recipients = _text_recipients(text, from_address)
            status = _STATUS.search(text)
            diagnostic = _diagnostic_line(text)
            if status:
                action = {"5": "failed", "4": "delayed", "2": "delivered"}[status.group(1)[0]]
        return Bounce(
            original_message_id=original,
            recipients=tuple(recipients[:50]),
            status=status.group(1) if status else None,
            action=action,
            diagnostic=diagnostic[:500] or None,
            tokens=self.guarded("bounce tokens", lambda: self.tokens(parts, text), ()),
        )

    def tokens(self, parts: list[Message], text: str) -> tuple[str, ...]:
        """The bounce tokens in the report's headers, its delivery-status fields, the
        returned original's headers and the report's text. Only the store can tell whether
        one is real; a forger can write one anywhere, so where it stands proves nothing."""
        sources = [str(value)[:MAX_HEADER_CHARS] for _, value in _raw_items(self.msg)]
        for part in parts:
            kind = _content_type(part)
            if kind in ("message/rfc822", "message/global"):
                inner = _safe(part.get_payload, None)
                if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                    items = _raw_items(inner[0])
                    sources += [str(value)[:MAX_HEADER_CHARS] for _, value in items]
            elif kind in ("text/rfc822-headers", "message/global-headers"):
                data = _decoded(part)
                if isinstance(data, bytes):
                    sources.append(data[:100_000].decode("utf-8", "replace"))
            elif kind in ("message/delivery-status", "message/global-delivery-status"):
                sources.append(_status_text(part)[:100_000])
            elif kind == "text/plain" and part is not self.msg:
                sources.append(self.part_text(part, plain=True)[:100_000])
        sources.append(text[:100_000])
        found: list[str] = []
        for source in sources:
            for token in bounce_tokens(source):
                if token not in found:
                    found.append(token)
            if len(found) >= 20:
                break
        return tuple(found[:20])

    def original_message_id(self, parts: list[Message], text: str) -> str | None:
        """The bounced message's Message-ID: from the returned message or its headers,
        else from a Message-ID line anywhere in the report's text."""
        texts = [text]
        for part in parts:
            kind = _content_type(part)
            if kind in ("message/rfc822", "message/global"):
                inner = _safe(part.get_payload, None)
                if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                    value = self.raw_header(inner[0], "Message-ID")
                    if value and _message_ids(value):
                        return _message_ids(value)[0]
            elif kind in ("text/rfc822-headers", "message/global-headers"):
                data = _decoded(part)
                headers = data.decode("utf-8", "replace") if isinstance(data, bytes) else ""
                value = self.raw_header(
                    _safe(partial(HeaderParser(policy=POLICY).parsestr, headers), Message()),
                    "Message-ID",
                )
                if value and _message_ids(value):
                    return _message_ids(value)[0]
                texts.append(headers)
            elif kind == "text/plain" and part is not self.msg:
                texts.append(self.part_text(part, plain=True))
        for candidate in texts:
            found = _TEXT_MESSAGE_ID.search(candidate)
            if found:
                return found.group(1)
        return None


# -- the email package's parser, spared the lines of encoded attachments -----------------
#
# The parser reads a message line by line in Python, each line checked against every open
# MIME boundary: a 100 kB photo is some 1,300 lines of base64, most of the cost of reading
# the message. A line of base64 alone (letters, digits, "+", "/", "=") can never be a
# boundary, a header or anything else the parser acts on; wherever it stands in a body it
# is only gathered into the text of the part it is in. So a run of such lines is given to
# the parser as one line of a marker the message does not contain, and the marker is put
# back in every part's text afterwards: the parts, their headers, defects and texts are
# those the parser makes of the message itself (tests/unit/test_parse.py holds the two
# equal on the real-world corpus and on generated messages).

_BASE64_RUN = re.compile(rb"(?m)^(?:[A-Za-z0-9+/=]+\r?\n){%d,}" % 64)


def _message_from_bytes(raw: bytes, *, spared: bool = True) -> EmailMessage:
    """``email.message_from_bytes(raw, policy=POLICY)``, the base64 lines of its bodies
    spared the line-by-line reading (``spared=False``: the email package alone)."""
    head_end = _body_start(raw)
    runs = list(_BASE64_RUN.finditer(raw, head_end)) if spared and head_end >= 0 else []
    if not runs:
        single = _single_part(raw) if spared else None
        if single is not None:
            return single
        msg: EmailMessage = email.message_from_bytes(raw, policy=POLICY)
        return msg
    tag = b"QmFzZTY0cnVu"
    while tag in raw:
        tag += b"X"
    pieces: list[bytes] = []
    kept: dict[str, str] = {}
    last = 0
    for number, run in enumerate(runs):
        marker = tag + b"%dZ" % number
        text = run.group()
        end = b"\r\n" if text.endswith(b"\r\n") else b"\n"
        pieces += [raw[last : run.start()], marker, end]
        kept[marker.decode("ascii")] = text[: -len(end)].decode("ascii")
        last = run.end()
    pieces.append(raw[last:])
    msg = email.message_from_bytes(b"".join(pieces), policy=POLICY)
    text_tag = tag.decode("ascii")
    needle = re.compile(re.escape(text_tag) + r"\d+Z")

    def restored(text: Any) -> Any:
        if isinstance(text, str) and text_tag in text:
            return needle.sub(lambda m: kept[m.group()], text)
        return text

    for part in msg.walk():
        # The texts the parser gathered, as it gathered them (``get_payload`` would decode
        # them): a part's, and a multipart's before its first part and after its last.
        state = vars(part)
        for name in ("_payload", "preamble", "epilogue"):
            state[name] = restored(state.get(name))
    return msg


# A message of one part that is neither a multipart nor a message (a complaint typed as
# text or HTML) whose header lines are all ``Name: value`` lines or their continuations,
# then an empty line: the email package's parser would make a message of those headers
# (each as its policy's header_source_parse gives it) and of the rest of the text as its
# payload, with no defects; made here without its line-by-line reading. Anything else
# (a "From " line, a line that is no header before the empty line, no empty line, a
# multipart or message type) is left to the parser (tests/unit/test_parse.py holds the two
# equal on the corpus and on generated messages).
_NAMED_HEADER = re.compile(r"[\041-\071\073-\176]+:")
_SINGLE_PART_TYPES = frozenset({"multipart", "message"})
# The shortcut follows the email package of Python 3.11, against which it is tested; on
# another Python the package reads every message itself.
_SINGLE_PART_CHECKED = sys.version_info[:2] == (3, 11)


def _single_part(raw: bytes) -> EmailMessage | None:
    if not _SINGLE_PART_CHECKED:
        return None
    text = raw.decode("ascii", "surrogateescape")
    lines = io.StringIO(text, newline="").readlines()
    header_line = _NAMED_HEADER.match
    headers: list[list[str]] = []
    offset = 0
    for line in lines:
        offset += len(line)
        if line in ("\n", "\r\n", "\r"):
            break
        if line[0] in " \t":
            if not headers:
                return None
            headers[-1].append(line)
        elif header_line(line) and not line.startswith("From "):
            headers.append([line])
        else:
            return None
    else:
        return None  # no empty line: left to the parser
    msg: EmailMessage = POLICY.message_factory(policy=POLICY)  # type: ignore[misc]
    for source in headers:
        msg.set_raw(*POLICY.header_source_parse(source))
    if msg.get_content_maintype() in _SINGLE_PART_TYPES:
        return None
    msg.set_payload(text[offset:])
    return msg


def _body_start(raw: bytes) -> int:
    """Where the message's first body begins (after the first empty line), or -1."""
    found = re.search(rb"\r?\n\r?\n", raw)
    return found.end() if found else -1


# -- small pure helpers ----------------------------------------------------------------


def _safe(call: Callable[[], T], default: T) -> T:
    """``call()``, or ``default`` when the stdlib trips over a malformed part."""
    try:
        return call()
    except Exception:
        return default


def _payload(part: Message, default: Any) -> Any:
    """``part.get_payload()`` (its parts, or its undecoded text), or ``default`` when the
    stdlib trips over a malformed part."""
    return _safe(lambda: part.get_payload(), default)


def _decoded(part: Message) -> Any:
    """``part.get_payload(decode=True)``: its bytes, or None. A base64 body of ASCII
    lines whose letters decode strictly (an attachment as mail programs write it) is
    decoded as the stdlib does it, by the same call on the same letters, without making
    an object of each of its lines; any other is left to the stdlib."""
    payload = vars(part).get("_payload")
    if isinstance(payload, str) and payload.isascii():
        cte = _safe(lambda: str(part.get("content-transfer-encoding", "")).lower(), "")
        if cte == "base64":
            letters = payload.encode("ascii").translate(None, b"\r\n")
            if len(letters) % 4 == 0:
                try:
                    return binascii.a2b_base64(letters, strict_mode=True)
                except binascii.Error:
                    pass  # the stdlib's own way, with its defects
    return _safe(lambda: part.get_payload(decode=True), None)


def _raw_items(part: Message) -> list[tuple[str, Any]]:
    """The part's headers as they came, or none when the stdlib trips over them."""
    return _safe(lambda: list(part.raw_items()), list[tuple[str, Any]]())


def _content_type(part: Message) -> str:
    """The part's type, lower case; a garbled one is application/octet-stream. Kept on
    the part once read (its headers do not change while it is read: a part's type is
    asked some ten times over a message)."""
    state = vars(part)
    kind = state.get(_TYPE_READ)
    if kind is None:
        kind = _safe(part.get_content_type, "text/plain")
        if not (isinstance(kind, str) and _MIME_TYPE.match(kind)):
            kind = "application/octet-stream"
        state[_TYPE_READ] = kind
    return kind


_TYPE_READ = "_intake_content_type"


def _maintype(part: Message) -> str:
    return _content_type(part).split("/", 1)[0]


def _is_attachment(part: Message) -> bool:
    return bool(_safe(lambda: part.get_content_disposition() == "attachment", False))


def _param(part: Message, name: str) -> str:
    value = _safe(lambda: part.get_param(name), None)
    return value if isinstance(value, str) else ""


def _charset(part: Message) -> str | None:
    value = _safe(part.get_content_charset, None)
    if isinstance(value, str):
        return value
    raw = str(_safe(lambda: part.get("Content-Type", ""), ""))
    found = re.search(r"charset\s*=\s*\"?([^\";\s]+)", raw, re.IGNORECASE)
    return found.group(1) if found else None


def _codec(label: str) -> str | None:
    """A Python codec for a mail charset label, or None when there is none."""
    label = label.replace("\x00", "")
    for candidate in (_CHARSET_ALIASES.get(label, label), label.removeprefix("x-")):
        try:
            info = codecs.lookup(candidate)
        except (LookupError, ValueError, TypeError):
            continue
        if info.name in _NOT_TEXT_CODECS or getattr(info, "_is_text_encoding", True) is False:
            return None
        return info.name
    return None


def _filename(part: Message) -> str:
    value = _safe(part.get_filename, None)
    return _clean(value) if isinstance(value, str) else ""


def _clean(text: str) -> str:
    """Text without lone surrogates: escaped bytes decoded, anything else replaced."""
    if not _SURROGATE.search(text):
        return text
    try:
        data = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("windows-1252", "replace")


def _one_line(text: str) -> str:
    return _ONE_LINE.sub(" ", _c1_as_windows_1252(text)).strip()


# An address list of the plainest kind, the one most mail has: ``Name <local@domain>`` or
# ``local@domain``, comma-separated, the name words of letters, digits and the atom's
# other characters (no dots, quotes, comments, encoded words or 8-bit text). Of such a
# list, the email package's header object gives each display name with its words joined
# by single spaces, and each addr-spec as written; `_simple_addresses` gives the same
# without it (about a tenth of its cost). Anything else is left to the header object.
_ATOM_CHARS = r"A-Za-z0-9!#$%&'*+/^_`{|}~-"
_SIMPLE_SPEC = rf"[{_ATOM_CHARS}]+(?:\.[{_ATOM_CHARS}]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
_SIMPLE_MAILBOX = re.compile(
    rf"[ \t]*(?:([{_ATOM_CHARS}]+(?:[ \t]+[{_ATOM_CHARS}]+)*)[ \t]*<({_SIMPLE_SPEC})>"
    rf"|({_SIMPLE_SPEC}))[ \t]*"
)


def _simple_addresses(value: str) -> list[tuple[str, str]] | None:
    """(display name, addr-spec) of each address of a plain address list, as the email
    package's header object reads them; None for any other value."""
    found = []
    for item in value.split(","):
        match = _SIMPLE_MAILBOX.fullmatch(item)
        if match is None:
            return None
        name, spec, bare = match.groups()
        found.append((" ".join(name.split()), spec) if spec else ("", bare))
    return found


def _decoded_words(text: str) -> str:
    """``text`` with its RFC 2047 encoded words decoded (as they are in an unstructured
    header); ``text`` itself when they cannot be."""
    if "=?" not in text:
        return text
    try:
        return str(POLICY.header_factory("x-unstructured", text))
    except Exception:  # a malformed encoded word
        return text


def _c1_as_windows_1252(text: str) -> str:
    """C1 control characters read as Windows-1252, as browsers do: mail labelled
    ISO-8859-1 is written by Windows, whose dashes and quotes sit at 0x80-0x9F."""
    return _C1.sub(lambda m: m.group().encode("latin-1").decode("windows-1252", "ignore"), text)


def _message_ids(value: str) -> list[str]:
    found = [f"<{m}>" for m in _MESSAGE_ID.findall(value) if len(m) <= 990]
    if not found:
        bare = value.strip()
        if _BARE_MESSAGE_ID.match(bare) and len(bare) <= 990:
            found = [f"<{bare}>"]
    return list(dict.fromkeys(found))


# What the stdlib's parser takes for a header line; anything else ends the header block.
_HEADER_LINE = re.compile(rb"^(From |[\041-\071\073-\176]*:|[\t ])")
_LINE_SPLIT = re.compile(rb"(\r\n|\r|\n)")


def _repair_header_block(raw: bytes) -> bytes | None:
    """The raw message with broken header lines (a Received or DKIM continuation that lost
    its indentation, a garbage line) joined to the header before them, when real header
    lines follow; None when there is nothing to repair."""
    end = re.search(rb"\r\n\r\n|\n\n|\r\r", raw)
    head = raw[: end.start()] if end else raw
    pieces = _LINE_SPLIT.split(head)
    lines, separators = pieces[0::2], pieces[1::2]
    valid = [
        bool(_HEADER_LINE.match(line)) and not (i and line.startswith(b"From "))
        for i, line in enumerate(lines)
    ]
    last_valid = max(
        (i for i, ok in enumerate(valid) if ok and lines[i][:1] not in b" \t"), default=-1
    )
    changed = False
    for index, line in enumerate(lines[:last_valid]):
        if not valid[index]:
            lines[index] = (b" " if index else b"X-Broken-Header: ") + line
            changed = True
    if not changed:
        return None
    rebuilt = b"".join(line + sep for line, sep in zip(lines, [*separators, b""], strict=True))
    return rebuilt + raw[len(head) :]


def _nesting_depth(raw: bytes) -> int:
    """How deep the multiparts nest, from where each boundary is declared and closed."""
    closes: dict[bytes, list[int]] = {}
    for match in _CLOSE_DELIMITER.finditer(raw):
        closes.setdefault(match.group(1), []).append(match.start())
    events: list[tuple[int, int]] = []
    for match in _BOUNDARY_VALUE.finditer(raw):
        start = match.start()
        end = next((c for c in closes.get(match.group(1), []) if c > start), len(raw))
        events += [(start, 1), (end, -1)]
    depth = deepest = 0
    for _, step in sorted(events):
        depth += step
        deepest = max(deepest, depth)
    return deepest


def _find_body(parts: list[Message]) -> Message | None:
    """get_body's choice, without recursion: the first inline text/plain, else text/html."""
    for wanted in ("text/plain", "text/html"):
        for part in parts:
            if _content_type(part) == wanted and not _is_attachment(part):
                return part
    return None


def _subtree_ids(root: Message, parts: list[Message]) -> set[int]:
    """The ids of ``root``'s ancestors among the walked parts, and of ``root`` itself."""
    parent: dict[int, Message] = {}
    for part in parts:
        if part.is_multipart() and _maintype(part) == "multipart":
            for child in _payload(part, []):
                parent[id(child)] = part
    ids = {id(root)}
    node: Message | None = root
    while node is not None and id(node) in parent:
        node = parent[id(node)]
        ids.add(id(node))
    return ids


def _inside(parts: list[Message], kind: str) -> set[int]:
    """The ids of the parts that lie inside a multipart of type ``kind``."""
    ids: set[int] = set()
    for part in parts:
        if _content_type(part) == kind and part.is_multipart():
            stack = [c for c in _payload(part, []) if isinstance(c, Message)]
            while stack and len(ids) <= MAX_PARTS:
                child = stack.pop()
                ids.add(id(child))
                if child.is_multipart() and _maintype(child) == "multipart":
                    stack.extend(c for c in _payload(child, []) if isinstance(c, Message))
    return ids


def _as_bytes(message: object) -> bytes:
    if not isinstance(message, Message):
        return b""
    for policy in (email.policy.compat32, POLICY.clone(max_line_length=0)):
        try:
            return message.as_bytes(policy=policy)
        except Exception:  # fuzzed headers the generator cannot write
            continue
    return _safe(lambda: message.as_string().encode("utf-8", "surrogateescape"), b"")


_RESERVED_NAMES = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
)
_UNSAFE_FILENAME = re.compile(r"[^\w .,()\[\]+@&=~#-]")


def _safe_filename(name: str) -> str:
    """A file name that is safe to write anywhere: the last path part, no control or
    shell-special characters, no leading dots, at most MAX_FILENAME_CHARS; '' if nothing
    is left."""
    name = unicodedata.normalize("NFC", name)
    name = re.split(r"[/\\]", name)[-1]
    name = _CONTROL.sub("", name.replace("\x00", ""))
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _UNSAFE_FILENAME.sub("_", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    name = name.lstrip("-~#")
    if not name or set(name) <= {"_", ".", " "}:
        return ""
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    if stem.split(".")[0].lower() in _RESERVED_NAMES:
        stem = "_" + stem
    extension = extension[:16]
    suffix = f".{extension}" if dot else ""
    return (stem[: MAX_FILENAME_CHARS - len(suffix)].rstrip(" .") or "attachment") + suffix


_EXTENSIONS = {
    "application/octet-stream": ".bin",
    "message/rfc822": ".eml",
    "message/delivery-status": ".txt",
    "message/disposition-notification": ".txt",
    "message/feedback-report": ".txt",
    "text/plain": ".txt",
    "text/html": ".html",
    "text/calendar": ".ics",
    "text/rfc822-headers": ".txt",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "application/pdf": ".pdf",
    "application/zip": ".zip",
    "application/ms-tnef": ".dat",
    "application/pgp-signature": ".asc",
    "application/pkcs7-signature": ".p7s",
}


def _extension(kind: str) -> str:
    return _EXTENSIONS.get(kind, ".bin")


def _unique(name: str, names: set[str]) -> str:
    candidate, number = name, 1
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    while candidate.lower() in names:
        number += 1
        tail = f"-{number}" + (f".{extension}" if dot else "")
        candidate = stem[: MAX_FILENAME_CHARS - len(tail)] + tail
    names.add(candidate.lower())
    return candidate


def _normalize(text: str) -> str:
    """Line endings as "\\n", no control characters, no trailing spaces, at most two blank
    lines in a row, no blank lines at either end."""
    text = _c1_as_windows_1252(text.replace("\u2028", "\n").replace("\u2029", "\n"))
    lines = [_CONTROL.sub("", line).rstrip() for line in _LINE_BREAKS.split(text)]
    text = "\n".join(lines)
    text = re.sub(r"\n{4,}", "\n\n\n", text)
    return text.strip("\n")


def _unflow(text: str, *, delsp: bool) -> str:
    """RFC 3676 format=flowed: soft line breaks (a trailing space) joined again."""
    out: list[str] = []
    current: str | None = None
    current_depth = -1
    for line in _LINE_BREAKS.split(text):
        depth = len(line) - len(line.lstrip(">"))
        body = line[depth:]
        if body.startswith(" "):
            body = body[1:]  # space-stuffing
        if current is not None and depth == current_depth:
            current += body
        else:
            if current is not None:
                out.append(">" * current_depth + (" " if current_depth else "") + current)
            current, current_depth = body, depth
        if not body.endswith(" ") or body == _FLOWED_SIGNATURE:
            out.append(">" * depth + (" " if depth else "") + current)
            current, current_depth = None, -1
        elif delsp:
            current = current[:-1]
    if current is not None:
        out.append(">" * current_depth + (" " if current_depth else "") + current)
    return "\n".join(out)


def _status_text(part: Message) -> str:
    """The fields of a message/delivery-status part, as text."""
    blocks = _safe(part.get_payload, None)
    if isinstance(blocks, str):
        return blocks
    if not isinstance(blocks, list):
        return ""
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, Message):
            for key, value in _raw_items(block):
                lines.append(f"{key}: {_iso2022(_clean(str(value)))}")
            payload = _payload(block, "")
            if isinstance(payload, str):
                lines.append(_clean(payload))
        lines.append("")
    return "\n".join(lines)


def _iso2022(text: str) -> str:
    """Japanese servers write 7-bit ISO-2022-JP straight into DSN fields."""
    if "\x1b" not in text:
        return text
    try:
        return text.encode("latin-1").decode("iso2022_jp_ext")
    except (UnicodeError, LookupError):
        return text


def _status_records(text: str) -> list[dict[str, str]]:
    """Per-recipient fields of a delivery-status text; a new recipient starts where its
    Final-Recipient (or Original-Recipient) comes, blank line or not."""
    records: list[dict[str, str]] = []
    current: dict[str, str] = {}
    last = ""
    for line in _LINE_BREAKS.split(text):
        if line[:1] in (" ", "\t") and last and last in current:
            current[last] += " " + line.strip()
            continue
        key, colon, value = line.partition(":")
        key = key.strip().lower()
        if not colon or not key or " " in key:
            last = ""
            continue
        if key in ("final-recipient", "original-recipient") and key in current:
            records.append(current)
            current = {}
        if key in ("final-recipient", "original-recipient", "action", "status",
                   "diagnostic-code", "remote-mta"):  # fmt: skip
            current.setdefault(key, value.strip())
            last = key
        else:
            last = ""
    records.append(current)
    return [r for r in records if "final-recipient" in r or "original-recipient" in r]


def _address_of_field(value: str) -> str | None:
    """``rfc822; <user@example.org>`` -> ``user@example.org``."""
    value = value.split(";", 1)[-1].strip().strip("<>").strip().lower()
    return value if _ADDR_SPEC.match(value) else None


def _text_recipients(text: str, sender: str | None) -> list[str]:
    found: list[str] = []
    for match in _TEXT_RECIPIENT.finditer(text[:20_000]):
        address = (match.group(1) or match.group(2) or "").lower()
        if address and address != sender and address not in found:
            found.append(address)
        if len(found) >= 20:
            break
    return found


def _diagnostic_line(text: str) -> str:
    for line in text[:20_000].split("\n"):
        if _STATUS.search(line) or _SMTP_REPLY.search(line):
            line = re.sub(r"^\s*diagnostic-code:\s*", "", line, flags=re.I)
            return _strip_diagnostic_type(_one_line(line))
    return ""


def _strip_diagnostic_type(text: str) -> str:
    """``smtp; 550 5.1.1 ...`` -> ``550 5.1.1 ...``."""
    found = re.match(r"^[A-Za-z][\w-]{0,20}\s*;\s*", text)
    return text[found.end() :] if found else text
