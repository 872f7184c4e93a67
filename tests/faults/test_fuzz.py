"""Bad input, generated: broken MIME, arbitrary bytes, huge headers, deep nesting, odd
charsets into the intake; arbitrary CSV into the phone-log import; arbitrary option
values into the CLI. Nothing raises out of the intake, every message is kept, every
command ends with exit 0, 1 or 2 and readable lines, and the daemon keeps serving.

The unit tests of each module fuzz it with plain text and bytes; these build hostile
messages part by part and follow them through the whole path (parse, quotes, fields,
routing, the store, the CLI and the daemon).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from helpdesk.config import load_config
from helpdesk.jobs.mailbox import process_message
from helpdesk.testing.imap import DovecotServer
from helpdesk.wiring import Site
from intake.extract import extract_fields, looks_like_form
from intake.html import html_to_text
from intake.parse import InboundMessage, parse
from intake.quotes import strip_quotes
from intake.subject import is_forward, is_reply, strip_prefixes, ticket_number
from tests.cli.conftest import OPTION
from tests.clocks import written_ago
from tests.conftest import FORM
from tests.faults.support import (
    FUZZ,
    NOW,
    Daemon,
    configure,
    count,
    deliver,
    helpdesk,
    inbox_size,
    query,
    wait_for,
)
from tests.mail import FORM_TEXT, email
from ticketing.formulir import FIELDS

# A failing example with the 1 MB header would print a long repr; that is what it is.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")
NUMBER_FORMAT = "TIK-{year}-{seq:05d}"
KEYS = {f.key for f in FIELDS}

# --- hostile messages, part by part ---------------------------------------------------------

CHARSETS = [
    b"utf-8", b"us-ascii", b"iso-8859-1", b"windows-1252", b"x-unknown", b"unknown-8bit",
    b"utf-7", b"utf-16", b"utf-32", b"gb2312", b"shift_jis", b"", b'"', b"utf-8\x00",
    b"x-mac-\xff", b"=?utf-8?q?x?=",
]  # fmt: skip
ENCODINGS = [
    b"7bit", b"8bit", b"binary", b"base64", b"quoted-printable", b"x-uuencode", b"bogus", b"",
]  # fmt: skip
KINDS = [
    b"text/plain", b"text/html", b"text/enriched", b"application/pdf", b"message/rfc822",
    b"message/delivery-status", b"text/rfc822-headers", b"image/png", b"text/x-unknown",
    b"", b"garbage", b"multipart/alternative",
]  # fmt: skip
DISPOSITIONS = [
    b'attachment; filename="\xed\xa0\x80.pdf"',  # a lone surrogate, as UTF-8 would write it
    b"attachment; filename*=utf-8''%ED%A0%80.pdf",
    b'attachment; filename="=?utf-8?b?7aCA?=.pdf"',  # an encoded word that decodes to one
    b'attachment; filename="=?x-bogus?q?laporan?=.pdf"',
    b'attachment; filename="a\x00b.pdf"',
    b'attachment; filename="../../../etc/passwd"',
    b'attachment; filename="' + b"n" * 5000 + b'.pdf"',
    b'attachment; filename=""',
    b"attachment; filename*0*=x-unknown''%FF%FE; filename*1=b.pdf",
    b'attachment; filename="C:\\\\Windows\\\\system32\\\\CON"',
    b"inline", b"attachment", b"bogus; ;;; =",
]  # fmt: skip
BAD_PAYLOADS = [
    b"!!!! not base64 !!!!", b"QUJD\x00RA==", b"====", b"YWJj\r\n-----\r\nQUJD", b"=ZZ=4=\n=",
    b"= \r\n=\r\n=3", b"\x00\x00\x00", b"\xff\xfe\xfd\xfc", b"begin 644 x\nM\x00\nend",
    b"<html><body><table><tr><td>Nama Pelapor</td><td>:</td><td>Budi" + b"<div>" * 200,
    b"<p>Pada 30 Nov 2026, Budi menulis:</p><blockquote>Nama Pelapor: X</blockquote>",
    b"-----Pesan Asli-----\r\nDari: a\r\nDikirim: b\r\n" + FORM_TEXT.encode(),
]  # fmt: skip
NASTY_HEADERS = [
    b"Subject: =?x-unknown?q?Internet_mati?=",
    b"Subject: =?utf-8?b?!!!notbase64?=",
    b"Subject: =?bogus*id?Q?=FF=FE?= Re: Balas: FW: [TIK-2026-00001]",
    b"Subject: =?utf-8?q?=ED=A0=80?= =?utf-16?b?2D3eAA==?=",
    b"Subject: \xff\xfe\xed\xa0\x80 8-bit junk",
    b"Subject: Re: Re: RE: Bls: AW: VS: TR: Teruskan: [ tik-2026-99999 ] [TIK-0-0]",
    b"From: =?x-bogus?b?QnVkaQ==?= <budi@dinkes.example.go.id>",
    b"From: <>", b'From: "unterminated <a@b', b"From: a@b@c, ,,, <@>, ;:", b"From:",
    b"From: MAILER-DAEMON", b"From: =?utf-8?b?7aCA?= <x@example.org>",
    b"Message-ID: <" + b"x" * 10000 + b">", b"Message-ID:", b"Message-ID: <>",
    b"In-Reply-To: <a@b> <c@d> garbage <<<>>>",
    b"References: " + b" ".join(b"<r%d@example.org>" % n for n in range(2000)),
    b"Date: Mon, 99 Foo 99999 99:99:99 +9999", b"Date: \x00",
    b"Auto-Submitted: no", b"Auto-Submitted:", b"Return-Path: <>", b"Precedence: junk",
    b"List-Id: <\xff>", b"Content-Type: multipart/mixed", b"Content-Type: ;;;",
    b"Content-Type: text/plain; charset*=utf-8''%FF%FE", b"Content-Type: message/rfc822",
    b"Content-Transfer-Encoding: base64", b"MIME-Version: 99", b"X-Null: a\x00b",
    b"garbage line without a colon", b": no name", b" folded continuation first",
    b"X-Long: " + b"word " * 20000,
]  # fmt: skip
HUGE_HEADER = b"X-Huge: " + b"a" * 1_000_000  # one 1 MB header line
FORM_BODIES = [
    FORM_TEXT.encode(), FORM_TEXT.encode("utf-16"), FORM_TEXT.encode("cp1252"),
    ("> " + FORM_TEXT.replace("\n", "\n> ")).encode(),
    b"Nama Pelapor:\x00Budi\r\nJenis Kelamin: \xed\xa0\x80\r\nIsi Aduan: " + b"x" * 3000,
]  # fmt: skip


def _part(headers: list[bytes], body: bytes, eol: bytes = b"\r\n") -> bytes:
    return b"".join(h + eol for h in headers) + eol + body


def leaf(kind: bytes, charset: bytes, encoding: bytes, disposition: bytes | None, body: bytes):  # type: ignore[no-untyped-def]
    """One body part: its header lines and its payload."""
    headers = [b'Content-Type: %s; charset="%s"' % (kind, charset)]
    if encoding:
        headers.append(b"Content-Transfer-Encoding: " + encoding)
    if disposition is not None:
        headers.append(b"Content-Disposition: " + disposition)
    return headers, body


def multipart(children, boundary: bytes, closed: bool, declared: bytes | None, subtype: bytes):  # type: ignore[no-untyped-def]
    """A multipart of ``children``; its boundary maybe never closed, or not the one declared."""
    said = boundary if declared is None else declared
    headers = [b'Content-Type: multipart/%s; boundary="%s"' % (subtype, said)]
    body = b"preamble\r\n"
    for child_headers, child_body in children:
        body += b"--" + boundary + b"\r\n" + _part(child_headers, child_body) + b"\r\n"
    if closed:
        body += b"--" + boundary + b"--\r\nepilogue"
    return headers, body


def nested(inner, depth: int, closed: bool):  # type: ignore[no-untyped-def]
    """``inner`` inside ``depth`` multiparts, one in another."""
    for level in range(depth):
        inner = multipart([inner], b"deep%d" % level, closed, None, b"mixed")
    return inner


def message(
    headers: list[bytes], root, *, huge: bool = False, nul: bool = False, eol: bytes = b"\r\n"
) -> bytes:  # type: ignore[no-untyped-def]
    root_headers, body = root
    lines = [b"MIME-Version: 1.0", *headers, *([HUGE_HEADER] if huge else []), *root_headers]
    raw = _part(lines, body, eol)
    if nul:
        raw = raw.replace(b"a", b"a\x00", 3)
    return raw


def one_of_list(items: list) -> st.SearchStrategy:  # type: ignore[type-arg]
    """One of ``items``, drawn by index (a failure report shows a short repr)."""
    return st.integers(0, len(items) - 1).map(items.__getitem__)


BODIES = st.one_of(
    st.binary(max_size=300),
    one_of_list(BAD_PAYLOADS),
    one_of_list(FORM_BODIES),
    st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
)
LEAVES = st.builds(
    leaf, one_of_list(KINDS), one_of_list(CHARSETS), one_of_list(ENCODINGS),
    st.one_of(st.none(), one_of_list(DISPOSITIONS)), BODIES,
)  # fmt: skip
PARTS = st.recursive(
    LEAVES,
    lambda children: st.builds(
        multipart,
        st.lists(children, max_size=4),
        st.sampled_from([b"b", b"=_x", b"", b"a b"]),
        st.booleans(),
        st.sampled_from([None, None, b"other", b""]),
        st.sampled_from([b"mixed", b"alternative", b"report", b"related", b"digest"]),
    ),  # fmt: skip
    max_leaves=6,
)
HEADERS = st.lists(
    st.one_of(
        one_of_list(NASTY_HEADERS),
        st.tuples(
            st.sampled_from(
                [
                    "Subject",
                    "From",
                    "To",
                    "Message-ID",
                    "In-Reply-To",
                    "Date",
                    "Content-Type",
                    "Auto-Submitted",
                    "Reply-To",
                    "References",
                ]
            ),
            st.text(max_size=60),
        ).map(lambda h: f"{h[0]}: {h[1]}".encode("utf-8", "surrogatepass")),  # fmt: skip
    ),
    max_size=8,
)


@st.composite
def hostile_mail(draw: st.DrawFn) -> bytes:
    root = draw(PARTS)
    depth = draw(st.sampled_from([0, 0, 0, 50]))
    if depth:
        root = nested(root, depth, closed=draw(st.booleans()))
    headers = draw(HEADERS)
    person = draw(st.one_of(st.integers(0, 10_000), st.none()))  # mostly a person's mail
    if person is not None:
        headers.insert(0, b"From: Pelapor <p%d@dinkes.example.go.id>" % person)
    return message(
        headers, root, huge=draw(st.sampled_from([False, False, False, True])),
        nul=draw(st.booleans()), eol=draw(st.sampled_from([b"\r\n", b"\n"])),
    )  # fmt: skip


@st.composite
def complaints_with_hostile_attachments(draw: st.DrawFn) -> bytes:
    """A complete complaint from a person (so a ticket, whose attachments are archived) with
    attachments of hostile names, types and encodings, in a multipart maybe left open."""
    text = leaf(b"text/plain", b"utf-8", draw(one_of_list([b"8bit", b"quoted-printable", b""])),
                None, FORM_TEXT.encode())  # fmt: skip
    attachments = draw(st.lists(LEAVES, min_size=1, max_size=3))
    sender = b"From: Pelapor <p%d@dinkes.example.go.id>" % draw(st.integers(0, 10_000))
    root = multipart([text, *attachments], b"b", draw(st.booleans()), None, b"mixed")
    return message([sender, *draw(HEADERS.map(lambda h: h[:2]))], root)


MAILS = st.one_of(hostile_mail(), complaints_with_hostile_attachments(), st.binary(max_size=2000))


def corpus() -> list[bytes]:
    """Fixed hostile messages, one of each kind, each with its own Message-ID."""
    form = leaf(b"text/plain", b"utf-8", b"8bit", None, FORM_TEXT.encode())
    pdf = leaf(b"application/pdf", b"", b"base64", DISPOSITIONS[0], b"JVBERi0xLjQ=")
    items = [
        message([], nested(form, 50, closed=True)),
        message([], nested(form, 50, closed=False)),
        message([b"Subject: Huge"], form, huge=True),
        message([NASTY_HEADERS[0], NASTY_HEADERS[6]],
                leaf(b"text/plain", b"x-unknown", b"quoted-printable", None, BAD_PAYLOADS[4])),
        message([], leaf(b"text/html", b"utf-8", b"base64", None, BAD_PAYLOADS[0])),
        message([], multipart([form, pdf], b"b", False, None, b"mixed")),
        message([], multipart([form, pdf], b"b", True, b"other", b"mixed")),
        *[message([b"Subject: Lampiran"], multipart([form, leaf(b"application/pdf", b"",
                  b"base64", d, b"JVBERi0=")], b"b", True, None, b"mixed"))
          for d in DISPOSITIONS[:5]],
        message([NASTY_HEADERS[3], NASTY_HEADERS[4]], leaf(b"text/plain", b"utf-16", b"8bit",
                None, FORM_TEXT.encode("utf-16"))),
        message([], leaf(b"message/rfc822", b"", b"", None, b"Subject: x\n\n" + FORM_BODIES[4])),
        message([NASTY_HEADERS[16], NASTY_HEADERS[17]], form),
        message([], form, nul=True),
        random.Random(7).randbytes(3000),
        b"Subject: only headers\r\nFrom: a@example.org",
    ]  # fmt: skip
    head = b"Message-ID: <nasty%d@fuzz.example.org>\r\nFrom: Penguji <uji%d@fuzz.example.org>\r\n"
    # Each with its own Message-ID and sender; the random bytes stay as they are.
    return [raw if n == len(items) - 2 else head % (n, n) + raw for n, raw in enumerate(items)]


# --- the invariants -------------------------------------------------------------------------


def _storable(text: str) -> bool:
    """Text a UTF-8 database, file system and terminal take (no lone surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check(parsed: InboundMessage) -> None:
    assert not any(d.startswith("unparseable:") for d in parsed.defects), parsed.defects
    for value in (parsed.subject, parsed.from_name, parsed.from_address or "",
                  parsed.message_id or "", parsed.text):  # fmt: skip
        assert _storable(value), repr(value[:200])
    assert "\n" not in parsed.subject and "\r" not in parsed.text
    for attachment in parsed.attachments:
        name = attachment.filename
        assert name and _storable(name) and "/" not in name and "\\" not in name
        assert "\x00" not in name and len(name) <= 120


@settings(FUZZ, max_examples=250)
@given(MAILS)
def test_parsing_and_extraction_never_raise_and_give_storable_text(raw: bytes) -> None:
    """Any message: parsed without falling back to the last guard, every piece of text
    storable, and quotes, fields, HTML and subject read from it without an exception."""
    parsed = parse(raw)
    check(parsed)
    text = strip_quotes(parsed.text)
    extracted = extract_fields(text)
    assert set(extracted.values) <= KEYS and all(_storable(v) for v in extracted.values.values())
    assert looks_like_form(text) in (True, False)
    assert _storable(html_to_text(raw.decode("utf-8", "replace")))
    for subject in (parsed.subject, raw[:300].decode("latin-1")):
        assert _storable(strip_prefixes(subject, NUMBER_FORMAT)) or not _storable(subject)
        number = ticket_number(subject, NUMBER_FORMAT)
        assert number is None or number.startswith("TIK-")
        assert is_reply(subject) in (True, False) and is_forward(subject) in (True, False)


@pytest.fixture
def store_site(site_dir: Path) -> Site:
    here = Site(load_config(site_dir / "config.toml"))
    here.init()
    return here


@settings(FUZZ, max_examples=120)
@given(MAILS)
def test_the_intake_stores_any_message_without_an_exception(
    store_site: Site, site_dir: Path, raw: bytes
) -> None:
    """Through the whole intake into a real database: processing never raises (a message
    that did would end in quarantine) and the message is kept, or was kept before."""
    now = dt.datetime.fromisoformat(NOW)
    processed = process_message(store_site, raw, source="fuzz", now=now)
    event(f"outcome: {processed.outcome}")
    assert processed.outcome != "quarantine"
    message = parse(raw)
    if processed.duplicate:  # a message with its Message-ID (or its bytes) was kept before
        where, values = (
            "message_id = ? OR raw_sha256 = ?",
            (message.message_id or "", message.raw_sha256),
        )
    else:
        where, values = "raw_sha256 = ?", (message.raw_sha256,)
    assert count(site_dir, f"SELECT count(*) FROM inbound WHERE {where}", *values) >= 1


# --- `helpdesk intake inject` -----------------------------------------------------------------


@pytest.fixture
def cli(site_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """The CLI in this process on an initialised site, at NOW."""
    monkeypatch.setenv("HELPDESK_CONFIG", str(site_dir / "config.toml"))
    monkeypatch.setenv("HELPDESK_NOW", NOW)
    monkeypatch.delenv("HELPDESK_USER", raising=False)
    runner = CliRunner()
    from helpdesk.cli.main import app

    assert runner.invoke(app, ["init"]).exit_code == 0
    yield runner


def invoke(runner: CliRunner, *args: str) -> Result:
    from helpdesk.cli.main import app

    return runner.invoke(app, list(args))


def plain_ending(result: Result) -> None:
    """Exit 0, 1 or 2 with readable lines, never an exception or a traceback."""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        trace = "".join(traceback.format_exception(result.exception))
        raise AssertionError(f"the command raised:\n{trace}")
    assert result.exit_code in (0, 1, 2), result.exit_code
    assert "Traceback" not in result.stdout + result.stderr
    if result.exit_code == 1:
        assert result.stderr == "" or all(
            line.startswith(ERROR_LINES) for line in result.stderr.splitlines()
        ), result.stderr


# How an error line begins: "error: ", or "kesalahan: " where the line is Indonesian
# (the phone and letter commands on an Indonesian site), never both in one line.
ERROR_LINES = ("error: ", "kesalahan: ")


OUTCOMES = {"ticket", "completed", "reply", "incomplete", "automatic", "bounce",
            "reply_stranger", "quarantine", "held", "refused"}  # fmt: skip


@settings(FUZZ, max_examples=40)
@given(MAILS)
def test_inject_gives_one_line_and_keeps_the_message(
    cli: CliRunner, site_dir: Path, tmp_path: Path, raw: bytes
) -> None:
    """`helpdesk intake inject FILE` with any message: one line naming the file and what
    became of it, exit 0 (or 1 when it was quarantined), and the message is in the database."""
    path = tmp_path / "pesan.eml"
    path.write_bytes(raw)
    result = invoke(cli, "intake", "inject", str(path))
    plain_ending(result)
    [line] = result.stdout.splitlines()
    event(f"outcome: {line.split()[1]}")
    assert line.startswith(f"{path}: ") and line.split()[1] in OUTCOMES
    assert result.exit_code == (1 if line.split()[1] == "quarantine" else 0)
    message = parse(raw)
    ids = count(site_dir, "SELECT count(*) FROM inbound WHERE raw_sha256 = ? OR message_id = ?",
                message.raw_sha256, message.message_id or "")  # fmt: skip
    assert ids >= 1


def test_inject_process_answers_each_hostile_file_on_its_line(site: Path, tmp_path: Path) -> None:
    """The real command, as a process, with the fixed hostile corpus (1 MB header, 50-deep
    nesting, NUL bytes, lone surrogates in file names, bogus charsets) and an empty file:
    one line per file, no traceback, every message stored once."""
    paths = []
    for n, raw in enumerate([*corpus(), b""]):
        path = tmp_path / f"nasty{n:02d}.eml"
        path.write_bytes(raw)
        paths.append(str(path))
    done = helpdesk(site, "intake", "inject", *paths)
    assert done.returncode in (0, 1) and "Traceback" not in done.stderr, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert [line.split(": ")[0] for line in lines] == paths
    assert all(line.split(": ", 1)[1].split()[0] in OUTCOMES for line in lines)
    assert count(site, "SELECT count(*) FROM inbound") == len(paths)


# --- the daemon keeps serving -----------------------------------------------------------------


def test_daemon_keeps_serving_through_hostile_mail(
    site: Path, dovecot: DovecotServer, tmp_path: Path
) -> None:
    """The hostile corpus and a good complaint in the real mailbox, a file of random bytes
    and a CSV of broken rows around one good row in the phone-log drop folder, the real
    daemon running: the complaints become tickets, each hostile message is recorded once,
    the inbox empties, the files leave the drop folder (rejected, and read with an error
    file), and a complaint that arrives afterwards is served as well."""
    configure(site, {"daemon.mailbox_seconds": 5})
    hostile = corpus()
    good = email(message_id="<baik1@dinkes.example.go.id>")
    deliver(dovecot.port, [*hostile[:8], good, *hostile[8:]])
    drop = site / "var" / "phone-drop"
    (drop / "sampah.csv").write_bytes(random.Random(3).randbytes(2000))
    text = io.StringIO()
    csv.writer(text, delimiter=";").writerows(
        [
            HEADER,
            ["x"] * 3,
            GOOD_ROW[:5],
            [*GOOD_ROW, "lebih", "=cmd|' /C calc'!A0"],
            GOOD_ROW,
            [";;\r\n"],
        ]
    )
    (drop / "campur.csv").write_bytes(text.getvalue().encode("utf-16"))
    for path in drop.glob("*.csv"):
        written_ago(path, 60)  # complete
    daemon = Daemon(site, tmp_path / "daemon.log")
    try:
        assert wait_for(lambda: inbox_size(dovecot.port) == 0, 60), daemon.text()[-3000:]
        assert wait_for(lambda: not list(drop.glob("*.csv")), 30), daemon.text()[-3000:]
        later = email(sender="Siti <siti@bpkad.example.go.id>", subject="Printer rusak",
                      message_id="<baik2@bpkad.example.go.id>",
                      body=FORM_TEXT.replace("budi.santoso@dinkes", "siti@bpkad"))  # fmt: skip
        deliver(dovecot.port, [later])
        served = (
            "SELECT count(*) FROM ticket WHERE source_message_id = '<baik2@bpkad.example.go.id>'"
        )
        assert wait_for(lambda: count(site, served) == 1, 30), daemon.text()[-3000:]
        assert daemon.alive()
    finally:
        code = daemon.stop()
    assert code == 0 and "Traceback" not in daemon.text(), daemon.text()[-3000:]
    tickets = [m for (m,) in query(site, "SELECT source_message_id FROM ticket")]
    assert {"<baik1@dinkes.example.go.id>", "<baik2@bpkad.example.go.id>"} <= set(tickets)
    outcomes = Counter(o for (o,) in query(site, "SELECT outcome FROM inbound"))
    assert sum(outcomes.values()) == len(hostile) + 2
    print(f"outcomes of the hostile mail and the two complaints: {dict(outcomes)}")
    assert (drop / "rejected" / "sampah.csv").exists()
    assert (drop / "processed" / "campur.csv.errors.txt").exists()
    assert count(site, "SELECT count(*) FROM ticket WHERE channel = 'phone'") >= 1


# --- phone-log CSV files ------------------------------------------------------------------------

HEADER = [*(f.label for f in FIELDS), "Waktu", "Petugas"]
GOOD_ROW = [*(FORM[f.key] for f in FIELDS), "30/11/2026 08.15", "sari"]
CELLS = st.one_of(
    st.sampled_from([*GOOD_ROW, "", " ", '"', '""', ";", ",", "\t", "\r\n", "=1+1", "\x00"]),
    st.text(max_size=40),
)
ROWS = st.lists(st.lists(CELLS, max_size=16), max_size=8)
ENCODINGS_CSV = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252",
                                 "latin-1", "cp437", "shift_jis"])  # fmt: skip


@st.composite
def phone_logs(draw: st.DrawFn) -> bytes:
    header = draw(st.one_of(
        st.just(HEADER), st.permutations(HEADER), st.lists(st.sampled_from(HEADER), max_size=14),
        st.lists(st.text(max_size=15), max_size=6),
    ))  # fmt: skip
    rows = draw(st.lists(st.one_of(st.just(GOOD_ROW), st.lists(CELLS, max_size=16)), max_size=6))
    text = io.StringIO()
    delimiter = draw(st.sampled_from([";", ",", "\t", "|"]))
    csv.writer(text, delimiter=delimiter, lineterminator="\r\n").writerows([header, *rows])
    data = text.getvalue().encode(draw(ENCODINGS_CSV), "replace")
    return data + draw(st.sampled_from([b"", b"\xff\xfe\x00", b"\r\n;;;\r\n", b"\x00" * 10]))


@settings(FUZZ, max_examples=40)
@given(phone_logs())
def test_phone_log_import_never_crashes(
    cli: CliRunner, site_dir: Path, tmp_path: Path, data: bytes
) -> None:
    """`helpdesk import FILE` with any CSV (shuffled, missing and unknown columns, rows too
    short or too long, odd cells, encodings): exit 0, or 1 with the reason; the summary
    counts what the database got."""
    path = tmp_path / "log-telepon.csv"
    path.write_bytes(data)
    before = _tickets(site_dir)
    result = invoke(cli, "import", str(path))
    plain_ending(result)
    assert result.exit_code in (0, 1)
    made = _tickets(site_dir) - before
    event(f"exit {result.exit_code}, tickets {made}")
    if result.stdout:
        summary = result.stdout.splitlines()[-1]
        assert summary.startswith("rows ") and f"tickets {made}," in summary, result.stdout
    else:  # rejected, with the reason; or the same file again
        assert result.exit_code == 1 and result.stderr.startswith("error: "), result.output
        assert made == 0


def _tickets(site_dir: Path) -> int:
    return count(site_dir, "SELECT count(*) FROM ticket")


# --- CLI options --------------------------------------------------------------------------------

# Text a shell can hand over: no NUL, but undecodable bytes arrive as lone surrogates.
ARG = st.one_of(
    st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=30),
    st.sampled_from(["", " ", "-", "--", "--by", "\udcff", "caf\udce9", "0", "-1", "99999999999",
                     "2026-13-45", "TIK-2026-00001", "tik-2026-1", "L", "PNS", "sari", "' OR 1=1"]),
)  # fmt: skip
PHONE_OPTIONS = ["--opd", "--bidang", "--nama", "--jabatan", "--telepon", "--email", "--sex",
                 "--status", "--category", "--isi", "--by", "--received"]  # fmt: skip
COMMANDS = st.sampled_from([
    ["ticket", "show"], ["ticket", "list", "--state"], ["ticket", "list", "--agency"],
    ["ticket", "list", "--category"], ["ticket", "take", "TIK-2026-00001", "--by"],
    ["ticket", "note", "TIK-2026-00001", "catatan", "--by"], ["ticket", "take"],
    ["ticket", "pause", "TIK-2026-00001", "--by", "sari", "--reason"],
    ["outbox", "show"], ["outbox", "list", "--status"], ["intake", "replay"],
    ["intake", "release"], ["intake", "list", "--outcome"], ["report", "--month"],
    ["report", "--from"], ["print", "formulir"], ["archive", "export", "--month"],
])  # fmt: skip


@settings(FUZZ, max_examples=50)
@given(st.lists(st.tuples(st.sampled_from(PHONE_OPTIONS), ARG), max_size=3))
def test_phone_with_any_option_values_ends_plainly(
    cli: CliRunner, site_dir: Path, options: list[tuple[str, str]]
) -> None:
    """`helpdesk phone --no-input` with any option values: a ticket (exit 0), the problems as
    `error:` lines (exit 1) or a usage error (exit 2); never a traceback."""
    # A complete form, then some of its options given again with other values (the last
    # one counts).
    complete = [x for key, value in FORM.items() for x in (OPTION[key], value)]
    args = ["phone", "--no-input", "--by", "sari", *complete, *[x for o in options for x in o]]
    before = _tickets(site_dir)
    result = invoke(cli, *args)
    plain_ending(result)
    made = _tickets(site_dir) - before
    event(f"exit {result.exit_code}")
    assert made == (1 if result.exit_code == 0 else 0)
    if result.exit_code == 1:
        assert result.stderr.startswith(ERROR_LINES)


@settings(FUZZ, max_examples=60)
@given(COMMANDS, ARG)
def test_commands_with_any_argument_end_plainly(
    cli: CliRunner, command: list[str], value: str
) -> None:
    """Other commands with any value where a number, a state, a month or an address is
    expected: exit 0, 1 with `error:` lines, or 2; never a traceback."""
    result = invoke(cli, *command, value)
    event(f"exit {result.exit_code}")
    plain_ending(result)


def test_undecodable_arguments_end_plainly_in_a_real_process(site: Path) -> None:
    """Bytes that are not UTF-8 on the command line (a file name, a legacy terminal): the
    real process answers with `error:` lines, not a traceback."""
    for args in (["ticket", "show", "\udcff\udcfe"], ["ticket", "list", "--agency", "\udcff"],
                 ["phone", "--no-input", "--by", "sari", "--opd", "Dinkes", "--nama", "\udce9"],
                 ["intake", "release", "\udcff@x", "--by", "sari"]):  # fmt: skip
        done = helpdesk(site, *args)
        assert done.returncode in (1, 2), (args, done.stderr[-2000:])
        assert "Traceback" not in done.stderr, done.stderr[-2000:]
        assert done.stderr.startswith((*ERROR_LINES, "Usage: ")), done.stderr
