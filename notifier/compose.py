"""From a notice (what to tell whom) to a complete e-mail: rendered, threaded, marked.

Pure apart from reading the templates: ``render`` fills a template's subject, text and
HTML parts; ``message_bytes`` writes them as a MIME message with our headers (what the
outbox stores). What is drawn at random for an e-mail (its Message-ID, the MIME boundary;
the outbox draws its bounce token too) comes from a ``random.Random`` the caller gives:
the site's `Sender` holds the operating system's, a test a seeded one.

Each template ``templates/email/<lang>/<audience>.<event>.txt.j2`` (package data of
``notifier``, read through ``importlib.resources``) defines the blocks
``subject`` and ``body``; its ``.html.j2`` sibling says the same in HTML. HTML is
autoescaped; undefined variables are errors, never empty text.
"""

from __future__ import annotations

import binascii
import datetime as dt
import random
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.policy import SMTP
from email.utils import format_datetime
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Template,
    Undefined,
    meta,
    nodes,
    select_autoescape,
)

from ticketing.conversation import (
    BOUNCE_REF_HEADER,
    REPLY_MARKERS,
    bounce_ref,
    message_id_prefix,
    verp_address,
)

# pip installs a wheel unpacked: the package data is a real folder, for FileSystemLoader
TEMPLATES = Path(str(files("notifier") / "templates"))
LANGUAGES = ("id", "en")


# The e-mails whose replies are read: they ask for an answer, a correction or a command
# word, and open with the reply marker (quotes are cut there). The others (reports,
# alerts, notices that ask nothing) carry no marker.
REPLIABLE_KINDS = frozenset(
    {
        "help_desk.confirm_by_phone",
        "help_desk.new_ticket",
        "official.escalated_higher",
        "reporter.acknowledged",
        "reporter.confirmation_reminder",
        "reporter.escalated",
        "reporter.final_report",
        "reporter.first_level_solution",
        "reporter.incomplete",
        "reporter.paused",
        "reporter.reopened",
        "staff.breach",
        "staff.command_accepted",
        "staff.command_refused",
        "staff.reminder",
        "staff.reopened",
        "technician.disposed",
        "unit_head.escalated",
    }
)


def reply_marker(kind: str, language: str, *, asks_reply: bool = False) -> str:
    """The marker line an e-mail of ``kind`` opens with, or "" for one whose replies are
    not read. ``asks_reply``: this one asks for an answer, whatever its kind (a closure
    notice with the survey's invitation)."""
    return REPLY_MARKERS[language] if asks_reply or kind in REPLIABLE_KINDS else ""


AUTO_REPLIED = "auto-replied"  # RFC 3834: an answer to a message someone sent
AUTO_GENERATED = "auto-generated"  # RFC 3834: sent on the system's own initiative


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Sender:
    address: str  # the From header
    name: str
    message_id_domain: str
    # The envelope sender (MAIL FROM), where delivery reports go: by default the From
    # address; with ``verp_delimiter`` each e-mail's own token is added to its local part.
    bounce_address: str = ""
    verp_delimiter: str | None = "+"
    # What each e-mail's Message-ID, bounce token and MIME boundary are drawn from: by
    # default the operating system's random source (tokens must be unguessable); a test
    # gives a seeded ``random.Random`` to make the same e-mails every run.
    rng: random.Random = field(default_factory=random.SystemRandom, compare=False, repr=False)


def envelope_sender(sender: Sender, token: str | None) -> str:
    """The MAIL FROM of an e-mail with bounce token ``token``: ``helpdesk+b-<token>@…``
    with VERP, else the plain bounce address (also for an e-mail without a token)."""
    address = sender.bounce_address or sender.address
    if token and sender.verp_delimiter:
        return verp_address(address, token, sender.verp_delimiter)
    return address


@dataclass(frozen=True)
class Recipient:
    address: str
    name: str = ""


@dataclass(frozen=True)
class Threading:
    in_reply_to: str | None = None
    references: Sequence[str] = field(default_factory=tuple)


class _Environment(Environment):
    """Jinja2's environment, looking up ``a.b`` on a dict (a mapping) as an item first.

    Jinja2 tries an attribute first and only then an item, and the failed attribute lookup
    (an exception) was a good part of each e-mail's rendering, since every template context
    is made of dicts. The templates never ask a dict for one of its methods, so the result
    is the same.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict or isinstance(obj, Mapping):
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


@lru_cache(maxsize=4)
def environment(root: Path = TEMPLATES) -> Environment:
    """The e-mails' environment, made once a process (a folder of templates): each template
    is compiled on first use and kept. The templates are the program's own files, so it
    does not look at them again (``auto_reload``, a stat of the file at each render)."""
    return _Environment(
        loader=FileSystemLoader(str(root)),
        auto_reload=False,
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
    values = _values(kind, language, context)
    subject = "".join(text_template.blocks["subject"](text_template.new_context(values)))
    text = text_template.render(values)
    html = env.get_template(html_name).render(values)
    return Rendered(subject=one_line(subject), text=_tidy(text), html=html)


def render_subject(
    kind: str, language: str, context: Mapping[str, Any], root: Path = TEMPLATES
) -> str:
    """``render(...).subject`` alone: the subject block of the text template."""
    text_template = environment(root).get_template(template_names(kind, language)[0])
    # Only what the block reads: a context composed when read (`notifier.policy.Composed`)
    # makes only that part of itself.
    names = _subject_names(text_template)
    read = {name: context[name] for name in names if name in context}
    if (parts := _plain_subject(text_template)) is not None and (
        text := _joined(text_template.environment, parts, read)
    ) is not None:
        return one_line(text)
    # The context a template's render makes, its globals under the values, made here once
    # instead of copied again by ``new_context``.
    values = _values(kind, language, read, _globals(text_template))
    block = text_template.blocks["subject"](text_template.new_context(values, shared=True))
    return one_line("".join(block))


_Part = str | tuple[str, str]
"""Of a plain subject: its text as written, or a ``{{ name.attribute }}`` it shows."""


@lru_cache(maxsize=256)
def _plain_subject(template: Template) -> tuple[_Part, ...] | None:
    """The subject block of ``template`` as its parts when it is only text and
    ``{{ name.attribute }}`` (most are: ``{{ ticket.tag }} Pengaduan diterima: ...``), else
    None: such a block is the text of its parts, each value as jinja2 writes it (`_joined`),
    without a template context made for it."""
    block = _subject_block(template)
    if len(block.body) != 1 or not isinstance(output := block.body[0], nodes.Output):
        return None
    parts: list[_Part] = []
    for node in output.nodes:
        if isinstance(node, nodes.TemplateData):
            parts.append(node.data)
        elif (
            isinstance(node, nodes.Getattr)
            and isinstance(node.node, nodes.Name)
            and node.ctx == "load"
        ):
            parts.append((node.node.name, node.attr))
        else:
            return None
    return tuple(parts)


def _joined(
    environment: Environment, parts: Sequence[_Part], values: Mapping[str, Any]
) -> str | None:
    """A plain subject's text (`_plain_subject`), or None when a value is missing (the
    template then says what is missing, as it would anyway)."""
    out = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
            continue
        name, attribute = part
        if name not in values:
            return None
        value = environment.getattr(values[name], attribute)
        if isinstance(value, Undefined):
            return None
        out.append(str(value))
    return "".join(out)


@lru_cache(maxsize=256)
def _subject_names(template: Template) -> frozenset[str]:
    """The names the subject block of ``template`` reads from its context (``asks_reply``
    too where it shows the reply marker, which depends on it)."""
    body = nodes.Template(_subject_block(template).body)
    body.set_environment(template.environment)
    names = meta.find_undeclared_variables(body)
    return frozenset(names | {"asks_reply"} if "reply_marker" in names else names)


def _subject_block(template: Template) -> nodes.Block:
    """The subject block of ``template``, as parsed."""
    environment = template.environment
    assert environment.loader is not None and template.name is not None
    source = environment.loader.get_source(environment, template.name)[0]
    return next(b for b in environment.parse(source).find_all(nodes.Block) if b.name == "subject")


@lru_cache(maxsize=256)
def _globals(template: Template) -> dict[str, Any]:
    """A template's globals as one mapping (jinja2 chains the template's and the
    environment's: read key by key at each e-mail, the chain costs more than the rest)."""
    return dict(template.globals)


def _values(
    kind: str, language: str, context: Mapping[str, Any], under: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """What a template sees: the notice's context and what every e-mail of ``kind`` has
    (over ``under``)."""
    asks = bool(context.get("asks_reply"))
    return {
        **(under or {}),
        **context,
        "reply_marker": reply_marker(kind, language, asks_reply=asks),
        # The page the e-mail links to: the reporter's status page, or the staff desk's.
        "for_reporter": kind.startswith("reporter."),
    }


def one_line(text: str, limit: int = 200) -> str:
    """A header value: no line breaks or control characters, whitespace collapsed, and no
    RFC 2047 encoded word left in it.

    The email package decodes encoded words again when it writes a header given as a
    string: a name typed as ``=?utf-8?b?...?=`` in a form, or a subject encoded twice,
    would come out as whatever it encodes, line breaks and all (a header of its own, or a
    ValueError for an address). So the value is what it decodes to, flattened, until
    nothing in it decodes any further."""
    cleaned = _flat(text)
    for _ in range(_MAX_DECODING_ROUNDS):
        if "=?" not in cleaned:
            break
        decoded = _flat(_decoded_words(cleaned))
        if decoded == cleaned:
            break
        cleaned = decoded
    if _ENCODED_WORD.search(cleaned):  # still more layers: written as it stands, inert
        cleaned = cleaned.replace("=?", "= ?")
    return cleaned[:limit].rstrip()


_MAX_DECODING_ROUNDS = 4
_ENCODED_WORD = re.compile(r"=\?[^?]*\?[^?]*\?[^?]*\?=")


_CONTROLS = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
_SPACES = re.compile(r"\s+")


def _flat(text: str) -> str:
    if text.isascii() and text.isprintable():  # no control character; no space but " "
        return " ".join(text.split())
    return _SPACES.sub(" ", _CONTROLS.sub(" ", text)).strip()


def _decoded_words(text: str) -> str:
    try:
        return str(SMTP.header_factory("x-unstructured", text))
    except Exception:  # a malformed encoded word: nothing the writer would decode either
        return text


def _tidy(text: str) -> str:
    """At most one blank line in a row, and a final newline."""
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def uuid4_hex(bits: int) -> str:
    """``uuid.UUID(int=bits, version=4).hex``: the variant and version bits set as `uuid`
    sets them, without making the object."""
    bits &= ~(0xC000 << 48)
    bits |= 0x8000 << 48
    bits &= ~(0xF000 << 64)
    bits |= 4 << 76
    return f"{bits:032x}"


def new_message_id(domain: str, ticket_number: str | None = None, *, rng: random.Random) -> str:
    """``<tik-2026-00001.3f2a…@example.go.id>``: ours, unique, and naming its ticket; the
    unique part is a version-4 UUID drawn from ``rng``."""
    unique = uuid4_hex(rng.getrandbits(128))
    return f"<{message_id_prefix(ticket_number)}.{unique}@{domain}>"


# --- The message's bytes, without the email package's objects -------------------------------
#
# Building an EmailMessage and flattening it costs about 2 ms, most of it parsing each header
# into a tree and folding it back; a phone log of thousands of calls spends most of its time
# there. `message_bytes` writes the bytes that the email package writes for the same message
# (an EmailMessage under the SMTP policy with the text and HTML parts as alternatives: the same
# headers, folding, transfer encodings and boundary, drawn the same way from the generator it is
# given), taking the email package's own code only for what it does not write itself: a header
# outside the plain-ASCII cases below. tests/unit/test_compose_bytes.py holds it to byte
# equality with that message, built by tests/oracles.py.

_CRLF = "\r\n"
_MAX_LINE = 78
assert SMTP.max_line_length == _MAX_LINE  # where the SMTP policy folds a line
_PRINTABLE = re.compile(r"[ -~]*")
_WORD_OR_SPACE = re.compile(r"( )")
_SIMPLE_NAME = re.compile(r"[A-Za-z0-9'-]+(?: [A-Za-z0-9'-]+)*")
_SIMPLE_ADDRESS = re.compile(
    r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
)
_SIMPLE_MESSAGE_ID = re.compile(
    r"<[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*>"
)
_QP_UNSAFE = re.compile(r"[^\t\n\r !-<>-~]")  # what quoted-printable writes as =XX
_BOUNDARY_WIDTH = len(repr(sys.maxsize - 1))
_UNSTRUCTURED = frozenset(
    {"subject", "in-reply-to", "references", "auto-submitted", "x-auto-response-suppress",
     BOUNCE_REF_HEADER.lower()}
)  # fmt: skip
_ADDRESSES = frozenset({"from", "to", "cc"})


def message_bytes(
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
    bounce_token: str | None = None,
    rng: random.Random | None = None,
    boundary_token: int | None = None,
) -> tuple[bytes, str]:
    """A MIME message (text and HTML alternatives) with our headers, as bytes, and its
    Subject header as a reader sees it; the MIME boundary is drawn from ``rng``, or made
    of ``boundary_token`` (`draw_boundary_token`, drawn before) when that is given.

    Names and subjects come from what people typed: each header is written as one line
    (folded), so nothing can add a header of its own.
    """
    subject = header_subject(rendered.subject)
    headers: list[tuple[str, str]] = [
        ("From", _address_text(sender.name, sender.address)),
        ("To", ", ".join(_address_text(r.name, r.address) for r in to)),
    ]
    if cc:
        headers.append(("Cc", ", ".join(_address_text(r.name, r.address) for r in cc)))
    headers += [
        ("Subject", subject),
        ("Date", format_datetime(date.astimezone(dt.UTC))),
        ("Message-ID", message_id),
    ]
    if threading.in_reply_to:
        headers.append(("In-Reply-To", threading.in_reply_to))
    references = _unique([*threading.references, *filter(None, [threading.in_reply_to])])
    if references:
        headers.append(("References", " ".join(references)))
    headers += [
        ("Auto-Submitted", auto_submitted),
        ("X-Auto-Response-Suppress", "All"),
        *([(BOUNCE_REF_HEADER, bounce_ref(bounce_token))] if bounce_token else []),
        ("MIME-Version", "1.0"),
    ]
    text_part = _text_part(rendered.text, "plain", mime_version=False)
    html_part = _text_part(rendered.html, "html", mime_version=True)
    if boundary_token is None:
        if rng is None:
            raise TypeError("message_bytes needs rng or boundary_token")
        boundary_token = draw_boundary_token(rng)
    boundary = _boundary(text_part + b"\r\n" + html_part, boundary_token)
    head = b"".join(_header_line(name, value) for name, value in headers)
    head += b'Content-Type: multipart/alternative;\r\n boundary="' + boundary + b'"\r\n'
    head += _header_line("Content-Language", language) + b"\r\n"
    delimiter = b"--" + boundary
    raw = b"".join(
        [head, delimiter, b"\r\n", text_part, b"\r\n", delimiter, b"\r\n", html_part,
         b"\r\n", delimiter, b"--\r\n"]
    )  # fmt: skip
    return raw, _subject_text(subject)


def header_subject(subject: str) -> str:
    """The Subject header's value as `message_bytes` writes it, of a rendered subject."""
    return one_line(subject, limit=250)


def subject_text(subject: str) -> str:
    """What `message_bytes` returns as the subject a reader sees, of a rendered subject."""
    return _subject_text(header_subject(subject))


def _address_text(name: str, address: str) -> str:
    """What ``str(Address(display_name=one_line(name), addr_spec=address))`` gives."""
    display = one_line(name)
    if _SIMPLE_NAME.fullmatch(display) and _SIMPLE_ADDRESS.fullmatch(address):
        return f"{display} <{address}>"
    if not display and _SIMPLE_ADDRESS.fullmatch(address):
        return address
    return str(Address(display_name=display, addr_spec=address))


def _header_line(name: str, value: str) -> bytes:
    """The header as ``bytes(message)`` writes it, folded, with its CRLF."""
    lowered = name.lower()
    line = f"{name}: {value}"
    if len(line) <= _MAX_LINE and _PRINTABLE.fullmatch(value) and value.strip() == value:
        if lowered in _ADDRESSES and _simple_addresses(value):
            return (line + _CRLF).encode("ascii")
        if lowered == "message-id" and _SIMPLE_MESSAGE_ID.fullmatch(value):
            return (line + _CRLF).encode("ascii")
    if lowered in _UNSTRUCTURED:
        folded = _fold_unstructured(name, value)
        if folded is not None:
            return folded.encode("ascii")
    return _folded_by_policy(name, value)


def _simple_addresses(value: str) -> bool:
    for item in value.split(", "):
        name, _, rest = item.rpartition(" <")
        if rest:
            if not (_SIMPLE_NAME.fullmatch(name) and rest.endswith(">")):
                return False
            item = rest[:-1]
        if not _SIMPLE_ADDRESS.fullmatch(item):
            return False
    return True


def _fold_unstructured(name: str, value: str) -> str | None:
    """An unstructured header of printable ASCII words, each space single, folded as the
    email package folds it (before the space that would pass 78 characters); None when
    the value is not of that kind."""
    if (
        not value
        or not _PRINTABLE.fullmatch(value)
        or "  " in value
        or value.strip() != value
        or "=?" in value
    ):
        return None
    if len(name) + 2 + len(value) <= _MAX_LINE:
        return f"{name}: {value}{_CRLF}"
    if len(value) + 1 <= _MAX_LINE:  # the whole value fits on a line of its own
        return f"{name}:{_CRLF} {value}{_CRLF}"
    lines = [f"{name}: "]
    for token in _WORD_OR_SPACE.split(value):
        if len(token) <= _MAX_LINE - len(lines[-1]):
            lines[-1] += token
        elif len(token) + 1 > _MAX_LINE:
            return None  # a word too long for any line: encoded words, not written here
        elif lines[-1].endswith(" "):
            lines[-1] = lines[-1][:-1]
            lines.append(" " + token)
        elif token == " ":
            lines.append(token)
        else:
            return None
    return _CRLF.join(lines) + _CRLF


@lru_cache(maxsize=256)
def _folded_by_policy(name: str, value: str) -> bytes:
    """The email package's own folding (cached: From and Date repeat in a batch)."""
    return SMTP.fold_binary(name, SMTP.header_store_parse(name, value)[1])


@lru_cache(maxsize=256)
def _subject_text(subject: str) -> str:
    """``str(message["Subject"])``."""
    if _PRINTABLE.fullmatch(subject) and "=?" not in subject:
        return subject
    return str(SMTP.header_store_parse("Subject", subject)[1])


def _text_part(text: str, subtype: str, *, mime_version: bool) -> bytes:
    """One text part as `set_content(text, subtype=..., charset="utf-8")` makes it and
    ``bytes()`` writes it: headers, a blank line, the encoded body."""
    cte, body = _encode_text(text)
    head = f'Content-Type: text/{subtype}; charset="utf-8"\r\nContent-Transfer-Encoding: {cte}\r\n'
    if mime_version:
        head += "MIME-Version: 1.0\r\n"
    return head.encode("ascii") + b"\r\n" + body


def _encode_text(text: str) -> tuple[str, bytes]:
    """The transfer encoding `email.contentmanager` chooses for UTF-8 text under the SMTP
    policy, and the body as the generator writes it (CRLF line ends)."""
    lines = text.encode("utf-8").splitlines()
    if max((len(line) for line in lines), default=0) <= _MAX_LINE:
        body = b"\r\n".join(lines) + b"\r\n"
        return ("7bit" if body.isascii() else "8bit"), body
    # Quoted-printable encodes each line on its own, so the first ten lines (the sample the
    # email package compares with base64) and the whole body come from one pass.
    pieces = _qp_pieces(lines)
    sniff = b"\r\n".join(lines[:10]) + b"\r\n"
    sniff_qp_length = sum(len(p) + 1 for line in pieces[:10] for p in line)
    if sniff_qp_length > len(binascii.b2a_base64(sniff)):
        data = b"\r\n".join(lines) + b"\r\n"
        step = _MAX_LINE // 4 * 3
        encoded = b"".join(
            binascii.b2a_base64(data[i : i + step]) for i in range(0, len(data), step)
        )
        return "base64", encoded.replace(b"\n", b"\r\n")
    return "quoted-printable", ("\r\n".join(p for line in pieces for p in line) + "\r\n").encode(
        "ascii"
    )


def _qp_pieces(lines: Sequence[bytes]) -> list[list[str]]:
    """The quoted-printable lines of each line of the body: `email.quoprimime.body_encode`,
    with its character table replaced by a regular expression (the table costs a Python
    call for every character)."""
    maxlinelen, maxlinelen1 = _MAX_LINE, _MAX_LINE - 1
    soft_break = "=\n"
    quote = _QP_UNSAFE.sub(lambda m: f"={ord(m.group()):02X}", b"\n".join(lines).decode("latin-1"))
    result: list[list[str]] = []
    for line in quote.split("\n"):
        encoded: list[str] = []
        append = encoded.append
        start = 0
        laststart = len(line) - 1 - maxlinelen
        while start <= laststart:
            stop = start + maxlinelen1
            if line[stop - 2] == "=":
                append(line[start : stop - 1])
                start = stop - 2
            elif line[stop - 1] == "=":
                append(line[start:stop])
                start = stop - 1
            else:
                append(line[start:stop] + "=")
                start = stop
        if line and line[-1] in " \t":
            room = start - laststart
            if room >= 3:
                q = f"={ord(line[-1]):02X}"
            elif room == 2:
                q = line[-1] + soft_break
            else:
                q = soft_break + f"={ord(line[-1]):02X}"
            # A soft break inside is one more line of the encoded body.
            encoded.extend((line[start:-1] + q).split("\n"))
        else:
            append(line[start:])
        result.append(encoded)
    return result


def draw_boundary_token(rng: random.Random) -> int:
    """What `email.generator.Generator._make_boundary` draws for a MIME boundary."""
    return rng.randrange(sys.maxsize)


def _boundary(text: bytes, token: int) -> bytes:
    """`email.generator.Generator._make_boundary` for the parts' bytes, of its drawn
    ``token``."""
    boundary = f"{'=' * 15}{token:0{_BOUNDARY_WIDTH}d}=="
    candidate, counter = boundary, 0
    while b"--" + candidate.encode("ascii") in text and re.search(
        ("^--" + re.escape(candidate) + "(--)?$").encode("ascii"), text, re.MULTILINE
    ):
        candidate = boundary + "." + str(counter)
        counter += 1
    return candidate.encode("ascii")


def can_address(address: str) -> bool:
    """Whether an e-mail can be written to ``address`` (an internationalised local part,
    say, cannot go through every server, and is not accepted here)."""
    if _SIMPLE_ADDRESS.fullmatch(address):
        return True  # what Address() always takes
    try:
        Address(addr_spec=address)
    except (ValueError, TypeError, IndexError):
        return False
    return address.isascii()


def _unique(ids: Sequence[str]) -> list[str]:
    seen: list[str] = []
    for item in ids:
        if item and item not in seen:
            seen.append(item)
    return seen
