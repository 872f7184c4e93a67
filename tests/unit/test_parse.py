"""Parsing: raw bytes of one e-mail -> one InboundMessage, and never an exception."""

from __future__ import annotations

import base64
import email
import hashlib
import random
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake.parse import MAX_FILENAME_CHARS, InboundMessage, parse

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mail"
HEAD = "From: Budi <budi@example.org>\nTo: helpdesk@example.org\nSubject: Internet mati\n"
HEAD += "Date: Mon, 30 Nov 2026 09:00:00 +0700\nMessage-ID: <a1@example.org>\n"


def fixture(name: str) -> InboundMessage:
    return parse((FIXTURES / name).read_bytes())


def mail(headers: str = HEAD, body: str = "Halo.\n", **extra: str) -> bytes:
    """A message from literal header lines and a body, with LF line endings."""
    lines = "".join(f"{name.replace('_', '-')}: {value}\n" for name, value in extra.items())
    return (headers + lines + "\n" + body).encode("utf-8")


def message(text: str = "Halo.", **headers: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = headers.pop("From", "Budi <budi@example.org>")
    msg["To"] = "helpdesk@example.org"
    msg["Subject"] = headers.pop("Subject", "Internet mati")
    msg["Message-ID"] = "<a1@example.org>"
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(text)
    return msg


# -- headers ----------------------------------------------------------------------------


def test_rfc2047_utf8_base64_subject_and_name_are_decoded() -> None:
    """Base64 encoded words in Subject and in the From display name come out as text."""
    raw = mail(
        "From: =?utf-8?b?QnVkaSBTYW50b3NvIMOc?= <Budi@Example.ORG>\n"
        "Subject: =?utf-8?b?TGFwb3JhbiDigJMgaW50ZXJuZXQgbWF0aQ==?=\n"
    )
    parsed = parse(raw)
    assert parsed.subject == "Laporan – internet mati"
    assert parsed.from_name == "Budi Santoso Ü"
    assert parsed.from_address == "budi@example.org"


def test_rfc2047_iso_8859_1_quoted_printable_subject_and_name_are_decoded() -> None:
    """Q-encoded ISO-8859-1 words decode, and Windows' dashes in them are kept."""
    raw = mail(
        "From: =?iso-8859-1?q?Andr=E9_Wijaya?= <andre@example.org>\n"
        "Subject: =?iso-8859-1?q?Caf=E9_=96_wifi_putus?=\n"
    )
    parsed = parse(raw)
    assert parsed.subject == "Café – wifi putus"
    assert parsed.from_name == "André Wijaya"


@pytest.mark.parametrize(
    ("encoded", "expected"),
    [
        ("=?utf-8?b?QnVkaQ0KQmNjOiB2aWN0aW1AZXhhbXBsZS5vcmc=?=", "Budi Bcc: victim@example.org"),
        ("=?utf-8?q?Budi=0D=0ASantoso?=", "Budi Santoso"),
        ("=?utf-8?q?Budi=0ASantoso?=", "Budi Santoso"),
        ("=?utf-8?b?U2l0aQ0=?=", "Siti"),
    ],
)
def test_display_name_decoding_to_a_line_break_is_one_clean_line(
    encoded: str, expected: str
) -> None:
    """A From name whose encoded words hide a CR/LF is decoded and flattened: the address
    is still read, and the name is text we can write into our reply's headers."""
    parsed = parse(mail(f"From: {encoded} <budi@example.org>\nSubject: Internet mati\n"))
    assert parsed.from_address == "budi@example.org"
    assert parsed.from_name == expected
    assert "=?" not in parsed.from_name


def test_subject_is_one_stripped_line() -> None:
    """A folded subject, or one with encoded line breaks, becomes one line."""
    raw = mail("From: a@example.org\nSubject:  Printer\n  =?utf-8?q?rusak=0D=0Alagi?=  \n")
    assert parse(raw).subject == "Printer rusak lagi"


def test_message_ids_and_threading_headers() -> None:
    """Message-ID, In-Reply-To and References come as "<...>" ids; free text is ignored."""
    raw = mail(
        "From: a@example.org\nMessage-ID:\n <x1@example.org>\n"
        "In-Reply-To: Your message of Monday <ours.1@helpdesk.example.org>\n"
        "References: <r1@example.org>\n\t<ours.1@helpdesk.example.org>\n"
    )
    parsed = parse(raw)
    assert parsed.message_id == "<x1@example.org>"
    assert parsed.in_reply_to == ("<ours.1@helpdesk.example.org>",)
    assert parsed.references == ("<r1@example.org>", "<ours.1@helpdesk.example.org>")


def test_missing_message_id_is_none_and_a_defect() -> None:
    """No Message-ID header: None, recorded as a defect."""
    parsed = parse(mail("From: a@example.org\nSubject: x\n"))
    assert parsed.message_id is None
    assert "missing Message-ID" in parsed.defects


def test_garbage_message_id_is_none() -> None:
    """A Message-ID with no id in it is None, not the garbage."""
    parsed = parse(mail("From: a@example.org\nMessage-ID: no id here\n"))
    assert parsed.message_id is None
    assert "unparseable Message-ID" in parsed.defects


def test_date_is_aware() -> None:
    """The Date header becomes an aware datetime in the sender's zone."""
    parsed = parse(mail())
    assert parsed.date == datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
    assert parsed.date is not None and parsed.date.utcoffset() == timedelta(hours=7)


def test_date_without_zone_is_read_as_utc() -> None:
    """'-0000' (zone unknown) still gives an aware datetime."""
    parsed = parse(mail("From: a@example.org\nDate: Mon, 30 Nov 2026 09:00:00 -0000\n"))
    assert parsed.date == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_garbage_and_out_of_range_dates_are_none() -> None:
    """An unreadable Date is None and a defect, never an exception."""
    for value in ("kemarin sore", "Mon, 30 Nov 99999999 09:00:00 +0700", ""):
        parsed = parse(mail(f"From: a@example.org\nDate: {value}\n"))
        assert parsed.date is None
        assert "unparseable Date" in parsed.defects


def test_addresses_are_lower_case_and_reply_to_is_read() -> None:
    """From, Reply-To and To give lower-case addr-specs."""
    raw = mail(
        'From: "Budi, Dinkes" <Budi.S@Dinkes.Example.go.id>\n'
        "Reply-To: <Balas@Example.org>\nTo: A <a@example.org>, b@EXAMPLE.org\n"
    )
    parsed = parse(raw)
    assert parsed.from_address == "budi.s@dinkes.example.go.id"
    assert parsed.from_name == "Budi, Dinkes"
    assert parsed.reply_to == "balas@example.org"
    assert parsed.to == ("a@example.org", "b@example.org")


def test_unparseable_from_is_none() -> None:
    """A From without an address gives None, and the display text as the name."""
    parsed = parse(mail("From: Budi Santoso\nSubject: x\n"))
    assert parsed.from_address is None
    assert "unparseable From" in parsed.defects


def test_group_syntax_to_does_not_raise() -> None:
    """'To: undisclosed-recipients:;' (a group the stdlib trips on) gives no addresses."""
    parsed = parse(mail("From: a@example.org\nTo: unlisted-recipients:; (no To-header)\n"))
    assert parsed.to == ()


def test_raw_hash_and_size() -> None:
    """The raw bytes' SHA-256 and length are kept for de-duplication."""
    raw = mail()
    parsed = parse(raw)
    assert parsed.raw_sha256 == hashlib.sha256(raw).hexdigest()
    assert parsed.size == len(raw)


# -- bodies -----------------------------------------------------------------------------


def test_plain_body_is_normalized() -> None:
    """CRLF and CR become LF, trailing spaces go, at most two blank lines in a row."""
    body = "Baris satu   \r\nBaris dua\r\n\r\n\r\n\r\n\r\n\r\nBaris tiga\rAkhir\r\n\r\n"
    parsed = parse(mail(body=body))
    assert parsed.text == "Baris satu\nBaris dua\n\n\nBaris tiga\nAkhir"
    assert parsed.body_was_html is False


def test_multipart_alternative_prefers_plain() -> None:
    """With text/plain and text/html alternatives, the plain one is the text."""
    msg = message("Nama Pelapor: Budi")
    msg.add_alternative("<p>Nama Pelapor: <b>HTML</b></p>", subtype="html")
    parsed = parse(msg.as_bytes())
    assert parsed.text == "Nama Pelapor: Budi"
    assert parsed.body_was_html is False
    assert parsed.attachments == ()


def test_html_only_two_column_table_becomes_label_value_lines() -> None:
    """A Word/Outlook form pasted as a two-column table gives 'label: value' lines."""
    parsed = fixture("outlook-html-form.eml")
    assert parsed.body_was_html is True
    lines = parsed.text.splitlines()
    assert "Nama OPD: Dinas Kesehatan" in lines
    assert "Nama Pelapor: Budi Santoso" in lines
    assert "Jabatan: Pengelola Data" in lines
    assert "Nomor Telepon / HandPhone: 0812-3456-7890" in lines  # a "label | : | value" row
    assert lines[0] == "Selamat pagi Bapak/Ibu Help Desk,"
    assert "Isi Aduan: Koneksi internet di ruang pelayanan terputus sejak pagi – mohon" in (
        parsed.text
    )
    assert "MsoNormal" not in parsed.text and "<" not in parsed.text


def test_html_is_converted_with_the_stdlib_parser() -> None:
    """Blocks and <br> break lines, lists become '- ' items, scripts go, entities decode,
    other table rows join their cells with ' | '."""
    html = (
        "<html><head><title>t</title><style>p {color: red}</style></head><body>"
        "<h1>Laporan</h1><p>Satu&nbsp;dua   tiga<br>empat &amp; lima</p>"
        "<script>alert('x')</script><ul><li>printer</li><li>wifi</li></ul>"
        "<table><tr><th>No</th><th>Perangkat</th><th>Lokasi</th></tr>"
        "<tr><td>1</td><td>PC</td><td>Lantai 2</td></tr></table>"
        "<div>akhir</div></body></html>"
    )
    msg = message()
    msg.set_content(html, subtype="html")
    parsed = parse(msg.as_bytes())
    assert parsed.text == (
        "Laporan\n\nSatu dua tiga\nempat & lima\n\n- printer\n- wifi\n\n"
        "No | Perangkat | Lokasi\n1 | PC | Lantai 2\nakhir"
    )


def test_html_charset_from_meta_when_mime_has_none() -> None:
    """An HTML part without a MIME charset is read in its <meta charset>."""
    body = '<meta charset="windows-1252"><p>Caf\xe9 \x93baru\x94</p>'.encode("latin-1")
    raw = b"From: a@example.org\nContent-Type: text/html\n\n" + body
    assert parse(raw).text == "Café “baru”"


def test_format_flowed_lines_are_joined() -> None:
    """format=flowed soft line breaks (a trailing space) are undone."""
    raw = mail(
        "From: a@example.org\nContent-Type: text/plain; charset=utf-8; format=flowed\n",
        body="Isi Aduan: koneksi internet putus \nsejak pagi.\n-- \nBudi\n",
    )
    assert parse(raw).text == "Isi Aduan: koneksi internet putus sejak pagi.\n--\nBudi"


def test_attached_forward_does_not_leak_into_the_text() -> None:
    """A message/rfc822 attachment stays an attachment; its field lines are not the text."""
    parsed = fixture("forwarded-complaint.eml")
    assert (
        parsed.text
        == "Mohon ditindaklanjuti laporan staf kami yang terlampir. Terima kasih. Salam."
    )
    assert "Siti" not in parsed.text and "Nama Pelapor" not in parsed.text
    (forward,) = parsed.attachments
    assert forward.content_type == "message/rfc822"
    assert forward.filename == "Printer jaringan tidak bisa dipakai.eml"
    assert b"Nama Pelapor: Siti Rahma" in forward.payload


def test_forward_without_a_name_is_called_forwarded_message() -> None:
    """An attached message without a file name is 'forwarded-message.eml'."""
    msg = message("lihat lampiran")
    msg.add_attachment(message("Nama Pelapor: Siti"))
    parsed = parse(msg.as_bytes())
    assert parsed.text == "lihat lampiran"
    assert [a.filename for a in parsed.attachments] == ["forwarded-message.eml"]


def test_inline_text_after_an_image_is_part_of_the_text() -> None:
    """iPhone's 'text, photo, text' keeps both texts, and the photo as an attachment."""
    msg = message("Sebelum foto.")
    msg.add_attachment(b"\x89PNG....", maintype="image", subtype="png", disposition="inline")
    tail = EmailMessage()
    tail.set_content("Sesudah foto.")
    msg.attach(tail)
    parsed = parse(msg.as_bytes())
    assert parsed.text == "Sebelum foto.\n\nSesudah foto."
    assert [a.content_type for a in parsed.attachments] == ["image/png"]


def test_hostile_attachment_name_is_sanitized() -> None:
    """'../../etc/passwd' becomes a plain name with no path in it."""
    msg = message()
    msg.add_attachment(b"root:x:0:0", maintype="text", subtype="plain", filename="../../etc/passwd")
    (attachment,) = parse(msg.as_bytes()).attachments
    assert attachment.filename == "passwd"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("..\\..\\Windows\\system.ini", "system.ini"),
        ("..", "attachment-1.bin"),
        ("/", "attachment-1.bin"),
        ("   ", "attachment-1.bin"),
        ("CON.txt", "_CON.txt"),
        ("foto $(rm -rf ~) `x`.jpg", "foto _(rm -rf ~) _x_.jpg"),
        (".bashrc", "bashrc"),
    ],
)
def test_attachment_names_are_safe(given: str, expected: str) -> None:
    """No path parts, control or shell characters, hidden or reserved names; never empty."""
    msg = message()
    msg.add_attachment(b"data", maintype="application", subtype="octet-stream", filename=given)
    (attachment,) = parse(msg.as_bytes()).attachments
    assert attachment.filename == expected


def test_control_characters_leave_attachment_names() -> None:
    """NUL, CR and LF smuggled in through RFC 2231 or RFC 2047 are dropped."""
    raw = (
        b"From: a@example.org\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n"
        b"--b\nContent-Type: text/plain\n\nisi\n"
        b"--b\nContent-Type: application/pdf\n"
        b"Content-Disposition: attachment; filename*=utf-8''la%00po%0Dran%0A.pdf\n\n%PDF\n"
        b'--b\nContent-Type: application/pdf; name="=?utf-8?q?sur=0Aat=09.pdf?="\n\n%PDF\n'
        b"--b--\n"
    )
    names = [a.filename for a in parse(raw).attachments]
    assert names == ["laporan.pdf", "surat.pdf"]


def test_long_attachment_name_keeps_its_extension_within_the_limit() -> None:
    """A 300-character name is cut to the limit, extension kept."""
    msg = message()
    msg.add_attachment(b"%PDF", maintype="application", subtype="pdf", filename="a" * 300 + ".pdf")
    (attachment,) = parse(msg.as_bytes()).attachments
    assert len(attachment.filename) == MAX_FILENAME_CHARS
    assert attachment.filename.endswith("a.pdf")


def test_nameless_attachment_gets_a_numbered_name() -> None:
    """An attachment without a name is attachment-N with an extension from its type."""
    msg = message()
    msg.add_attachment(b"\x00\x01", maintype="application", subtype="octet-stream")
    msg.add_attachment(b"\x89PNG", maintype="image", subtype="png")
    names = [a.filename for a in parse(msg.as_bytes()).attachments]
    assert names == ["attachment-1.bin", "attachment-2.png"]


def test_base64_attachment_is_decoded_with_its_hash_and_size() -> None:
    """The payload is the decoded bytes; size and sha256 describe those bytes."""
    payload = bytes(range(256)) * 40
    msg = message()
    msg.add_attachment(payload, maintype="application", subtype="pdf", filename="surat.pdf")
    raw = msg.as_bytes()
    assert b"Content-Transfer-Encoding: base64" in raw
    (attachment,) = parse(raw).attachments
    assert attachment.payload == payload
    assert attachment.size == len(payload)
    assert attachment.sha256 == hashlib.sha256(payload).hexdigest()
    assert attachment.content_type == "application/pdf"


def test_unknown_charset_falls_back_with_a_defect() -> None:
    """charset=x-unknown: the body is read as UTF-8 and the fallback is recorded."""
    raw = b"From: a@example.org\nContent-Type: text/plain; charset=x-unknown\n\n"
    raw += "Jaringan lambat – tolong.\n".encode()
    parsed = parse(raw)
    assert parsed.text == "Jaringan lambat – tolong."
    assert "unknown charset 'x-unknown'" in parsed.defects


def test_latin1_bytes_labelled_utf8_fall_back_with_a_defect() -> None:
    """8-bit Latin-1 labelled UTF-8 is read as Windows-1252 instead of raising."""
    raw = b"From: a@example.org\nContent-Type: text/plain; charset=utf-8\n"
    raw += b"Content-Transfer-Encoding: 8bit\n\nKoneksi ke caf\xe9 putus\n"
    parsed = parse(raw)
    assert parsed.text == "Koneksi ke café putus"
    assert "body not valid utf-8" in parsed.defects
    assert "body read as windows-1252" in parsed.defects


def test_8bit_utf8_header_is_read_as_utf8() -> None:
    """Raw UTF-8 in a header (RFC 6532) is decoded, not mangled."""
    raw = "From: Bü <b@example.org>\nSubject: Jaringan – lambat\n\nx\n".encode()
    parsed = parse(raw)
    assert parsed.subject == "Jaringan – lambat"
    assert parsed.from_name == "Bü"


def test_text_part_without_charset_in_a_single_part_message() -> None:
    """No MIME headers at all: the body is still text."""
    parsed = parse(b"From: a@example.org\nSubject: x\n\nHalo\n")
    assert parsed.text == "Halo"
    assert parsed.attachments == ()


# -- automatic mail, lists, bounces -----------------------------------------------------


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("Auto-Submitted: auto-replied", "Auto-Submitted: auto-replied"),
        ("Auto-Submitted: auto-generated (failure)", "Auto-Submitted: auto-generated"),
        ("X-Autoreply: yes", "X-Autoreply"),
        ("X-Autorespond: Libur sampai 5 Januari", "X-Autorespond"),
        ("Precedence: bulk", "Precedence: bulk"),
        ("Precedence: junk", "Precedence: junk"),
        ("Precedence: list", "Precedence: list"),
        ("Precedence: auto_reply", "Precedence: auto_reply"),
        ("Return-Path: <>", "empty Return-Path"),
        ("X-Failed-Recipients: x@example.org", "X-Failed-Recipients"),
        ("X-Apple-Action: VACATION", "X-Apple-Action: VACATION"),
    ],
)
def test_automatic_mail_is_flagged_with_its_reason(header: str, reason: str) -> None:
    """Each RFC 3834 / common-practice sign marks the message automatic."""
    parsed = parse(mail(HEAD + header + "\n"))
    assert parsed.auto == reason


@pytest.mark.parametrize(
    ("sender", "reason"),
    [
        ("MAILER-DAEMON@mx.example.org", "MAILER-DAEMON sender"),
        ("Mail Delivery System <Mailer-Daemon@mx.example.org>", "MAILER-DAEMON sender"),
        ("postmaster@example.org", "postmaster sender"),
        ("mailer-daemon", "MAILER-DAEMON sender"),
    ],
)
def test_mailer_daemon_and_postmaster_senders_are_automatic(sender: str, reason: str) -> None:
    """Mail from MAILER-DAEMON or postmaster is automatic, even without a domain."""
    parsed = parse(mail(f"From: {sender}\nSubject: Pemberitahuan\n"))
    assert parsed.auto == reason


def test_multipart_report_is_automatic() -> None:
    """A multipart/report (a read receipt here) is automatic but not a bounce."""
    raw = (
        b"From: a@example.org\nContent-Type: multipart/report; "
        b'report-type=disposition-notification; boundary="b"\n\n'
        b"--b\nContent-Type: text/plain\n\nDibaca.\n"
        b"--b\nContent-Type: message/disposition-notification\n\n"
        b"Final-Recipient: rfc822; a@example.org\nDisposition: manual-action/MDN-sent-manually;"
        b" displayed\n--b--\n"
    )
    parsed = parse(raw)
    assert parsed.auto == "multipart/report"
    assert parsed.bounce is None
    assert parsed.text == "Dibaca."


@pytest.mark.parametrize(
    "header",
    ["Auto-Submitted: no", "X-Auto-Response-Suppress: None", "X-Auto-Response-Suppress: DR, RN",
     "Precedence: first-class", ""],
)  # fmt: skip
def test_a_persons_mail_is_not_automatic(header: str) -> None:
    """'Auto-Submitted: no', and X-Auto-Response-Suppress asking only about delivery and read
    reports, are not reasons."""
    parsed = parse(mail(HEAD + (header + "\n" if header else "")))
    assert parsed.auto is None
    assert parsed.bounce is None


def test_auto_reply_subject_is_automatic() -> None:
    """Exchange and iCloud auto-replies that carry no header are known by their subject."""
    for subject in ("Automatic reply: Internet mati", "Balasan Otomatis: Laporan", "Auto reply: x"):
        parsed = parse(mail(f"From: a@example.org\nSubject: {subject}\n"))
        assert parsed.auto is not None and parsed.auto.startswith("subject: ")


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("List-Unsubscribe: <mailto:leave@lists.example.org>", "bulk mail: List-Unsubscribe"),
        ("Feedback-ID: 123:newsletter:ses", "bulk mail: Feedback-ID"),
        ("X-Auto-Response-Suppress: All", "X-Auto-Response-Suppress: All"),
        ("X-Auto-Response-Suppress: OOF, AutoReply", "X-Auto-Response-Suppress: OOF, AutoReply"),
    ],
)
def test_bulk_mail_is_automatic(header: str, reason: str) -> None:
    """A newsletter's or a bulk sender's header, or a request for no automatic reply, marks
    the message automatic."""
    assert parse(mail(HEAD + header + "\n")).auto == reason


def test_newsletter_from_a_no_reply_address_is_automatic() -> None:
    """A message from noreply@ carrying no other sign is automatic."""
    parsed = parse(mail("From: Info Pemprov <noreply@info.example.go.id>\nSubject: Berita\n"))
    assert parsed.auto == "no-reply sender"


def test_list_post_alone_names_the_list() -> None:
    """A list post with List-Post but no List-Id still names its list."""
    parsed = parse(mail(HEAD + "List-Post: <mailto:forum@lists.example.go.id>\n"))
    assert parsed.mailing_list == "List-Post: <mailto:forum@lists.example.go.id>"


def test_list_id_is_the_mailing_list_and_not_auto() -> None:
    """List-Id sets mailing_list; on its own it does not make the message automatic."""
    parsed = parse(mail(HEAD + "List-Id: Pengumuman Pemprov <pengumuman.lists.example.go.id>\n"))
    assert parsed.mailing_list == "Pengumuman Pemprov <pengumuman.lists.example.go.id>"
    assert parsed.auto is None


def test_dsn_gives_the_bounced_message_id_and_status() -> None:
    """A delivery-status report names the message that bounced, its recipient and status."""
    parsed = fixture("dsn-postfix.eml")
    assert parsed.auto == "Auto-Submitted: auto-replied"
    assert parsed.bounce is not None
    assert parsed.bounce.original_message_id == (
        "<tik-2026-00012.20261130030001.a1b2@helpdesk.diskominfo.example.go.id>"
    )
    assert parsed.bounce.recipients == ("siti.rahma@bkd.example.go.id",)
    assert parsed.bounce.status == "5.1.1"
    assert parsed.bounce.action == "failed"
    assert parsed.bounce.diagnostic == (
        "550 5.1.1 <siti.rahma@bkd.example.go.id>: Recipient address rejected: "
        "User unknown in virtual mailbox table"
    )
    assert "This is the mail system" in parsed.text


def test_dsn_with_the_returned_message_attached() -> None:
    """The original Message-ID is read from a returned message/rfc822 part too."""
    original = message("Pengaduan diterima", Subject="[TIK-2026-00001] Pengaduan diterima")
    del original["Message-ID"]
    original["Message-ID"] = "<ours.42@helpdesk.example.org>"
    report = EmailMessage()
    report["From"] = "Mail Delivery Subsystem <mailer-daemon@example.org>"
    report["Subject"] = "Delivery Status Notification (Failure)"
    report.set_content("Pesan tidak dapat dikirim ke x@example.org: 550 5.1.1 unknown.")
    report.add_attachment(original)
    parsed = parse(report.as_bytes())
    assert parsed.bounce is not None
    assert parsed.bounce.original_message_id == "<ours.42@helpdesk.example.org>"
    assert parsed.bounce.status == "5.1.1"


def test_non_dsn_bounce_is_recognised_from_its_words() -> None:
    """An Exim 'Mail delivery failed' in plain text still gives a Bounce."""
    parsed = fixture("exim-bounce.eml")
    assert parsed.auto == "empty Return-Path"
    assert parsed.bounce is not None
    assert parsed.bounce.recipients == ("andi.wijaya@example.net",)
    assert parsed.bounce.status == "5.2.1"
    assert parsed.bounce.action == "failed"
    assert parsed.bounce.original_message_id == (
        "<tik-2026-00013.20261130032009.c3d4@helpdesk.diskominfo.example.go.id>"
    )


def test_failed_recipients_header_names_the_recipients() -> None:
    """X-Failed-Recipients gives the recipients of a plain-text bounce."""
    raw = mail(
        "From: Mail Delivery System <postmaster@example.org>\n"
        "Subject: Undeliverable: Laporan\nX-Failed-Recipients: A@Example.net, b@example.net\n",
        body="Delivery has failed.\n",
    )
    parsed = parse(raw)
    assert parsed.bounce is not None
    assert parsed.bounce.recipients == ("a@example.net", "b@example.net")


# -- broken and hostile input -----------------------------------------------------------


def test_empty_input() -> None:
    """b'' is a message with nothing in it, not an error."""
    parsed = parse(b"")
    assert parsed.text == ""
    assert parsed.size == 0
    assert parsed.from_address is None
    assert "missing From" in parsed.defects


def test_random_bytes() -> None:
    """Noise parses to something, quickly."""
    noise = random.Random(20261130).randbytes(200_000)
    parsed = parse(noise)
    assert isinstance(parsed.text, str) and "\r" not in parsed.text


def test_headers_without_body_separator_are_repaired() -> None:
    """A Received continuation that lost its indentation does not end the headers."""
    raw = (
        b"Received: from mx (mx [192.0.2.1])\nby mail.example.org with SMTP; Mon, 30 Nov 2026\n"
        b"From: Budi <budi@example.org>\nSubject: Printer rusak\n\nIsi.\n"
    )
    parsed = parse(raw)
    assert parsed.from_address == "budi@example.org"
    assert parsed.subject == "Printer rusak"
    assert parsed.text == "Isi."


def test_unquoted_boundary_with_equals_sign_is_repaired() -> None:
    """Outlook Express's unquoted 'boundary=----=_NextPart...' still splits the parts."""
    raw = (
        b"From: a@example.org\nMIME-Version: 1.0\n"
        b"Content-Type: multipart/alternative; boundary=----=_NextPart_000_0001\n\n"
        b"------=_NextPart_000_0001\nContent-Type: text/plain\n\nHalo polos\n"
        b"------=_NextPart_000_0001\nContent-Type: text/html\n\n<p>Halo html</p>\n"
        b"------=_NextPart_000_0001--\n"
    )
    parsed = parse(raw)
    assert parsed.text == "Halo polos"
    assert "MIME boundary repaired" in parsed.defects


def nested(depth: int) -> bytes:
    head = b"From: a@example.org\nSubject: dalam\nMIME-Version: 1.0\n"
    opening = b"".join(
        b'Content-Type: multipart/mixed; boundary="b%d"\n\n--b%d\n' % (i, i) for i in range(depth)
    )
    closing = b"".join(b"\n--b%d--\n" % i for i in reversed(range(depth)))
    return head + opening + b"Content-Type: text/plain\n\nsangat dalam" + closing


def test_thousand_nested_multiparts_are_bounded() -> None:
    """1000 nested multiparts (past Python's recursion limit) parse, headers only (how fast is
    bench/'s business)."""
    parsed = parse(nested(1000))
    assert parsed.subject == "dalam"
    assert any("body not read" in defect for defect in parsed.defects)


def test_moderately_nested_multiparts_are_read() -> None:
    """Nesting below the cap is read down to the text."""
    assert parse(nested(150)).text == "sangat dalam"


def test_many_parts_are_capped() -> None:
    """Only the first MAX_PARTS parts are walked."""
    msg = message()
    for number in range(300):
        msg.add_attachment(
            b"x", maintype="application", subtype="octet-stream", filename=f"{number}"
        )
    parsed = parse(msg.as_bytes())
    assert 150 < len(parsed.attachments) < 200
    assert any("MIME parts" in defect for defect in parsed.defects)


def test_huge_html_is_cut() -> None:
    """Deeply nested HTML over the cap is cut before it is converted."""
    msg = message()
    msg.set_content("<div>" * 300_000 + "isi", subtype="html")
    parsed = parse(msg.as_bytes())
    assert any("HTML body cut" in defect for defect in parsed.defects)


def check_invariants(parsed: InboundMessage) -> None:
    assert "\r" not in parsed.text
    assert "\n" not in parsed.subject and "\r" not in parsed.subject
    assert parsed.from_address is None or parsed.from_address == parsed.from_address.lower()
    assert parsed.date is None or parsed.date.tzinfo is not None
    for attachment in parsed.attachments:
        assert attachment.filename and "/" not in attachment.filename
        assert "\\" not in attachment.filename and len(attachment.filename) <= 120


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_parse_never_raises_on_arbitrary_bytes(raw: bytes) -> None:
    """Any bytes at all give an InboundMessage."""
    check_invariants(parse(raw))


HEADER_NAMES = st.sampled_from(
    [
        "From", "To", "Subject", "Date", "Message-ID", "In-Reply-To", "References",
        "Content-Type", "Content-Transfer-Encoding", "Content-Disposition", "Auto-Submitted",
        "Return-Path", "Precedence", "List-Id", "MIME-Version", "Reply-To", "X-Failed-Recipients",
    ]
)  # fmt: skip
HEADER_VALUES = st.one_of(
    st.text(max_size=80),
    st.sampled_from(
        [
            'multipart/mixed; boundary="b"', "multipart/report; report-type=delivery-status",
            "text/html; charset=x-unknown", "message/rfc822", "base64", "quoted-printable",
            "=?utf-8?b?w6k=?=", "=?bogus?q?=ZZ?=", "<>", "attachment; filename*=utf-8''%FF",
            "unlisted-recipients:;", "Mon, 30 Nov 99999 09:00 +0700",
        ]
    ),
)  # fmt: skip
BODY = st.lists(
    st.one_of(
        st.text(max_size=60),
        st.sampled_from(["--b", "--b--", "Content-Type: text/plain", "", "<p>x</p>", "=\n"]),
    ),
    max_size=20,
).map("\n".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(HEADER_NAMES, HEADER_VALUES), max_size=12), BODY)
def test_parse_never_raises_on_arbitrary_headers_and_body(
    headers: list[tuple[str, str]], body: str
) -> None:
    """Any combination of header and body text gives an InboundMessage."""
    text = "".join(f"{name}: {value}\r\n" for name, value in headers) + "\r\n" + body
    check_invariants(parse(text.encode("utf-8", "surrogatepass")))


# -- what is read without the email package's header objects ----------------------------
#
# The plainest address lists and unstructured headers without an encoded word are read
# without making the email package's header object (most of the cost of a header); what
# `parse` gives of them must be what it gives through that object.

_ATOM = st.text(alphabet="abcXYZ019!#$%&'*+/^_`{|}~-", min_size=1, max_size=6)
_GAP = st.sampled_from(["", " ", "  ", "\t", " \t "])
_SPEC = st.builds(
    "{}@{}".format,
    st.lists(_ATOM, min_size=1, max_size=3).map(".".join),
    st.lists(st.text(alphabet="ab09-Z", min_size=1, max_size=5), min_size=1, max_size=3).map(
        ".".join
    ),
)
_MAILBOX = st.one_of(
    st.builds(
        lambda before, words, between, spec, after: f"{before}{between.join(words)}"
        f"{before}<{spec}>{after}",
        _GAP, st.lists(_ATOM, min_size=1, max_size=4), st.sampled_from([" ", "  ", "\t"]),
        _SPEC, _GAP,
    ),
    st.builds("{}{}{}".format, _GAP, _SPEC, _GAP),
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(_MAILBOX, min_size=1, max_size=3).map(",".join))
def test_plain_address_lists_read_as_the_header_object_reads_them(value: str) -> None:
    """``Name <local@domain>`` and bare addresses, comma-separated, in any spacing: the
    display names and addr-specs the email package's own header object gives."""
    from intake.parse import POLICY, _simple_addresses

    header = POLICY.header_factory("to", value)
    assert _simple_addresses(value) == [(a.display_name, a.addr_spec) for a in header.addresses]


@pytest.mark.parametrize(
    "value",
    ['"Budi, S." <b@example.org>', "Budi S. <b@example.org>", "=?utf-8?q?Budi?= <b@x.org>",
     "Budi (kantor) <b@example.org>", "Büdi <b@example.org>", "tim: a@x.org, b@x.org;",
     "a@x.org,", "<b@example.org>", "b@[127.0.0.1]"],
)  # fmt: skip
def test_other_address_lists_are_left_to_the_header_object(value: str) -> None:
    """Quotes, dots, comments, encoded words, 8-bit text, groups, empty items, bare angle
    brackets and address literals are read by the email package's header object."""
    from intake.parse import _simple_addresses

    assert _simple_addresses(value) is None


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=80).filter(lambda text: "=?" not in text))
def test_a_subject_without_encoded_words_reads_as_the_header_object_reads_it(text: str) -> None:
    """A Subject with no encoded word is the text the header object decodes, as one line."""
    from intake.parse import POLICY, _clean, _one_line

    value = _clean(text).replace("\r", "").replace("\n", "").replace("\x00", "")
    expected = _one_line(_clean(str(POLICY.header_factory("x-unstructured", value))))
    raw = f"From: a@example.org\r\nSubject: {value}\r\n\r\nHalo.\r\n".encode(
        "utf-8", "surrogatepass"
    )
    assert parse(raw).subject == expected


# -- the parser spared the lines of encoded attachments ----------------------------------
#
# Runs of base64 lines are given to the email package's parser as one marker line and put
# back in the parts' texts afterwards (`intake.parse._message_from_bytes`): what the
# parser makes of a message must be what it makes of it without that.


def _tree(raw: bytes, *, spared: bool) -> list[tuple[object, ...]]:
    from intake.parse import _message_from_bytes

    msg = _message_from_bytes(raw, spared=spared)
    return [
        (part._headers, part._payload if isinstance(part._payload, str) else None,
         part.preamble, part.epilogue, [type(d).__name__ for d in part.defects])
        for part in msg.walk()
    ]  # fmt: skip


def _parsed(raw: bytes, *, spared: bool) -> InboundMessage:
    import intake.parse as module

    real = module._message_from_bytes
    module._message_from_bytes = lambda data, spared_=spared: real(data, spared=spared_)  # type: ignore[assignment]
    try:
        return parse(raw)
    finally:
        module._message_from_bytes = real


_B64_LINE = st.text(alphabet="ABCXYZabcxyz0189+/=", min_size=1, max_size=76)
_EOL = st.sampled_from(["\r\n", "\n"])
_RUN = st.builds(
    lambda lines, eol: "".join(line + eol for line in lines),
    st.lists(_B64_LINE, min_size=60, max_size=90), _EOL,
)  # fmt: skip
_CHUNK = st.one_of(
    _RUN, st.sampled_from(["--b\r\n", "--b--\r\n", "--b\n", "\r\n", "\n", "-- \n", "=\r\n"]),
    st.sampled_from(["Content-Type: image/jpeg\r\nContent-Transfer-Encoding: base64\r\n\r\n",
                     "Content-Type: text/plain\n\n", "Content-Type: message/rfc822\r\n\r\n",
                     'Content-Type: multipart/alternative; boundary="c"\r\n\r\n--c\r\n']),
    st.text(max_size=40),
)  # fmt: skip


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_CHUNK, max_size=10).map("".join), st.sampled_from(["", "\r\n", "AAAA"]))
def test_the_parser_spared_base64_lines_reads_a_message_as_without(body: str, end: str) -> None:
    """A message with runs of base64 lines anywhere in its body (parts, preambles,
    epilogues, attached messages, next to boundaries, at the very end): the same parts,
    headers, texts and defects, and the same InboundMessage."""
    head = 'From: a@example.org\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n'
    raw = (head + body + end).encode("utf-8", "surrogatepass")
    assert _tree(raw, spared=True) == _tree(raw, spared=False)
    assert _parsed(raw, spared=True) == _parsed(raw, spared=False)


def test_the_parser_spared_base64_lines_reads_the_corpus_as_without() -> None:
    """Every message of the real-world corpus and of the fixtures, as the email package
    reads it alone."""
    from intake.parse import _BASE64_RUN
    from tests.unit.test_corpus import CORPUS, MISSING

    assert CORPUS.is_dir(), MISSING
    paths = [*sorted(CORPUS.rglob("*.eml")), *sorted(FIXTURES.glob("*.eml"))]
    with_runs = 0
    for path in paths:
        raw = path.read_bytes()
        with_runs += _BASE64_RUN.search(raw) is not None
        assert _tree(raw, spared=True) == _tree(raw, spared=False), path.name
        assert _parsed(raw, spared=True) == _parsed(raw, spared=False), path.name
    assert with_runs > 0  # its attachments and forwarded messages


def test_a_photo_is_read_whole_through_the_spared_parser() -> None:
    """A photo's base64 lines, spared the line-by-line reading, come back whole."""
    photo = bytes(range(256)) * 400
    msg = message()
    msg.add_attachment(photo, maintype="image", subtype="jpeg", filename="foto.jpg")
    [attachment] = parse(msg.as_bytes()).attachments
    assert attachment.payload == photo


# -- a message of one part, read without the parser's line-by-line reading ----------------
#
# A single-part message that is no multipart and no message, with plain header lines and
# an empty line after them, is made without the email package's parser
# (`intake.parse._single_part`); what it makes must be what the parser makes.


def _state(raw: bytes, *, spared: bool) -> list[dict[str, object]]:
    from intake.parse import _message_from_bytes

    msg = _message_from_bytes(raw, spared=spared)

    def value(name: str, value: object) -> object:
        if name == "defects" and isinstance(value, list):
            return [type(d).__name__ for d in value]
        if isinstance(value, list) and name == "_payload":
            return len(value)  # its parts are compared one by one, as walk() gives them
        return value

    return [{k: value(k, v) for k, v in vars(part).items() if k != "policy"} for part in msg.walk()]


_HEAD_LINE = st.one_of(
    st.sampled_from(
        ["From: a@example.org", "Subject: Halo", "Content-Type: text/plain; charset=utf-8",
         "Content-Type: text/html", "Content-Type: message/rfc822", "Content-Type: multipart/mixed",
         "Content-Type: garbage", "Content-Transfer-Encoding: quoted-printable", " folded",
         "\tfolded", "From somebody", ": no name", "no colon", "X-A:", "X-B:  spaced  ", "",
         "Subject: =?utf-8?q?caf=C3=A9?=", "To: A <a@b.c>, c@d.e", "Content-Type: text/plain;",
         # the headers a forger or a robot writes twice, oddly or after the first
         "From: evil@x.org", "From:good@y.org", "Sender: s@x.org", "Reply-To: r@x.org",
         "Message-ID: <a@x>", "Message-ID: <b@x>", "Auto-Submitted: auto-replied",
         "auto-submitted:no", "Auto-Submitted : auto-generated", "Precedence: bulk",
         "List-Id: <l.x.org>", "Authentication-Results: mx; dkim=pass", "From\x00: a@b.c",
         "Subject: caf\u00e9", "Subject\u00e9: x", "\ufeffFrom: a@b.c", "X-Nul: a\x00b",
         "CONTENT-TYPE: TEXT/HTML; CHARSET=\"ISO-8859-1\"", "Content-Type: Multipart/Mixed",
         "Content-Type: MESSAGE/delivery-status", "content-type: text/plain; format=flowed",
         "Content-Type: text/plain; boundary=b", "Content-Type: multipart/mixed;", "Content-Type:",
         "Content-Transfer-Encoding: BASE64", "Content-Transfer-Encoding: 8bit",
         "Content-Transfer-Encoding: base64 (c)", "Content-Type: text/plain\x00",
         "X-Long: " + "y" * 8190, "X-Long: " + "z" * 8200 + "\r"]
    ),
    st.text(max_size=30),
)  # fmt: skip
_NEWLINE = st.sampled_from(["\r\n", "\n", "\r"])


_BODY_PIECE = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        [" starts with a space\r\n", "\tand a tab\n", "caf=C3=A9 =\r\nsoft break\r\n",
         "SGFsbw==\r\n", "SGFsbw\r\n!!", "From me\n",
         "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--\r\n",
         "Subject: inner\r\n\r\n", "\r", "\x00", "x" * 9000, "\r\n" * 3]
    ),
)  # fmt: skip


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(_HEAD_LINE, _NEWLINE), max_size=8), _NEWLINE,
    st.lists(_BODY_PIECE, max_size=4).map("".join), st.booleans(),
)  # fmt: skip
def test_a_single_part_message_reads_as_the_parser_reads_it(
    head: list[tuple[str, str]], blank: str, body: str, latin: bool
) -> None:
    """Header lines of every kind (folded, without a name, "From " lines, repeated From,
    Message-ID or Auto-Submitted, NUL and 8-bit bytes, odd types and encodings, lines
    longer than the parser's reads, no empty line after them), any line ends, bodies
    starting with white space: the same message, headers, payload and defects, and the
    same InboundMessage, as the email package alone gives."""
    text = "".join(line + end for line, end in head) + blank + body
    raw = text.encode("latin-1", "replace") if latin else text.encode("utf-8", "surrogatepass")
    assert _state(raw, spared=True) == _state(raw, spared=False)
    assert _parsed(raw, spared=True) == _parsed(raw, spared=False)


def test_the_corpus_reads_as_the_parser_reads_it_part_by_part() -> None:
    """Every message of the corpus and the fixtures, every attribute of every part."""
    from intake.parse import _single_part
    from tests.unit.test_corpus import CORPUS, MISSING

    assert CORPUS.is_dir(), MISSING
    paths = [*sorted(CORPUS.rglob("*.eml")), *sorted(FIXTURES.glob("*.eml"))]
    single = 0
    for path in paths:
        raw = path.read_bytes()
        single += _single_part(raw) is not None
        assert _state(raw, spared=True) == _state(raw, spared=False), path.name
    assert single > 0  # the corpus has messages of one text part


# -- a base64 body decoded by the strict call ---------------------------------------------

_B64_BODY = st.one_of(
    st.binary(max_size=80).map(lambda data: base64.b64encode(data).decode()),
    st.text(alphabet="ABCxyz019+/=\r\n -_!\x00\u00e9", max_size=40),
)
_B64_CUT = st.sampled_from(
    ["", "\r\n", "\n", "\r", " ", "=", "==", "A", "AA", "!", "\u00e9", "\x0b"]
)


@settings(max_examples=300, deadline=None)
@given(
    _B64_BODY, _B64_CUT, st.integers(0, 200), st.sampled_from([0, 8, 76]),
    st.sampled_from(["base64", "BASE64", " base64", "base64 ", "base64 (c)", "(c)base64",
                     '"base64"', "=?utf-8?q?base64?=", "base64;", "x-base64", "8bit", ""]),
)  # fmt: skip
def test_a_base64_body_decodes_as_the_email_package_decodes_it(
    body: str, cut: str, at: int, width: int, cte: str
) -> None:
    """Lines of any width and ends, garbage, missing padding, white space, 8-bit letters
    and every way of writing the encoding: the same bytes and the same defects on the
    part as ``get_payload(decode=True)``."""
    from intake.parse import POLICY, _decoded

    at = min(at, len(body))
    body = body[:at] + cut + body[at:]
    if width:
        body = "\r\n".join(body[i : i + width] for i in range(0, len(body), width))
    head = f"Content-Type: image/jpeg\r\nContent-Transfer-Encoding: {cte}\r\n\r\n"
    ours, theirs = (email.message_from_bytes(head.encode(), policy=POLICY) for _ in "ab")
    ours.set_payload(body)
    theirs.set_payload(body)
    assert _decoded(ours) == theirs.get_payload(decode=True)
    assert [type(d) for d in ours.defects] == [type(d) for d in theirs.defects]
