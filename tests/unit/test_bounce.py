"""The pure parts of bounce handling: bounce tokens and VERP addresses, where real servers'
reports carry them, the verification of a report against our e-mails, and remote text
made safe to quote."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpdesk.config import load_config
from intake.parse import Bounce, parse
from intake.route import (
    BounceOf,
    Facts,
    SentEmail,
    UnverifiedBounce,
    route,
    verify_bounce,
)
from notifier.compose import Sender, envelope_sender
from notifier.formatting import remote_text
from notifier.policy import event_note
from tests.bounces import EVIL, EVIL_SHOWN, delivery_report
from tests.unit.test_corpus import CORPUS, MISSING
from ticketing.conversation import bounce_tokens, new_bounce_token, verp_address
from ticketing.models import Event

TOKEN = "abcdefghijkmnpq2"
OURS = f"helpdesk+b-{TOKEN}@example.go.id"
REPORTER = "budi.santoso@dinkes.example.go.id"


# --- tokens and addresses -------------------------------------------------------------


def test_new_tokens_are_16_base32_characters_and_differ() -> None:
    """Each e-mail's token is 16 lower-case base32 characters (80 bits), never repeated."""
    tokens = {new_bounce_token() for _ in range(1000)}
    assert len(tokens) == 1000
    assert all(re.fullmatch(r"[a-z2-7]{16}", t) for t in tokens)


def test_verp_address_adds_the_token_to_the_local_part() -> None:
    """``helpdesk@example.go.id`` becomes ``helpdesk+b-<token>@example.go.id``, or with the
    delimiter a server uses instead."""
    assert verp_address("helpdesk@example.go.id", TOKEN) == OURS
    assert verp_address("helpdesk@example.go.id", TOKEN, "-") == (
        f"helpdesk-b-{TOKEN}@example.go.id"
    )
    with pytest.raises(ValueError):
        verp_address("helpdesk", TOKEN)


def test_tokens_are_read_in_any_case_and_only_whole() -> None:
    """A token is read wherever it stands, whatever case a server gave it; longer or
    shorter look-alikes are not tokens."""
    text = (
        f"To: <HELPDESK+B-{TOKEN.upper()}@EXAMPLE.GO.ID>\n"
        f"X-Helpdesk-Ref: b-{TOKEN}\n"
        "x+b-abcdefghijkmnpq23@example.go.id b-abcdefghijkmnp nob-abcdefghijkmnpq2"
    )
    assert bounce_tokens(text) == [TOKEN]


@pytest.mark.parametrize(
    ("sender", "token", "expected"),
    [
        (Sender("helpdesk@example.go.id", "HD", "example.go.id"), TOKEN, OURS),
        (Sender("helpdesk@example.go.id", "HD", "example.go.id"), None, "helpdesk@example.go.id"),
        (Sender("helpdesk@example.go.id", "HD", "example.go.id", verp_delimiter=None), TOKEN,
         "helpdesk@example.go.id"),
        (Sender("helpdesk@example.go.id", "HD", "example.go.id", "bounce@example.go.id", "-"),
         TOKEN, f"bounce-b-{TOKEN}@example.go.id"),
    ],
)  # fmt: skip
def test_envelope_sender_is_the_verp_address_when_configured(
    sender: Sender, token: str | None, expected: str
) -> None:
    """MAIL FROM is the bounce address with the e-mail's token, or the plain address
    without VERP or for an e-mail queued before tokens existed."""
    assert envelope_sender(sender, token) == expected


# --- where real servers put them ------------------------------------------------------

GMAIL_USER = b"the-local-part-of-google-mail-address@gmail.com"


@pytest.mark.parametrize(
    ("name", "prefix", "address"),
    [
        # Postfix's own delivery of the report: the envelope recipient in two headers.
        ("sisimai-lhost-postfix-01.eml", b"Delivered-To:", b"shironeko@mx.example.jp"),
        ("sisimai-lhost-postfix-01.eml", b"X-Original-To:", b"shironeko@mx.example.jp"),
        # The report's To: the envelope sender it answers.
        ("sisimai-lhost-postfix-01.eml", b"To:", b"shironeko@mx.example.jp"),
        ("sisimai-lhost-office365-01.eml", b"To:", b"sironeko@example.ed.jp"),
        # The delivery-status fields.
        ("sisimai-lhost-postfix-01.eml", b"X-Postfix-Sender:", b"shironeko@mx.example.jp"),
        # The original's Return-Path, copied into the text of the report.
        ("sisimai-lhost-office365-01.eml", b"Return-Path:", b"sironeko@example.ed.jp"),
        ("sisimai-lhost-gmail-01.eml", b"Return-Path: <the", GMAIL_USER),
    ],
)  # fmt: skip
def test_real_reports_carry_the_token_where_their_servers_put_the_envelope_sender(
    name: str, prefix: bytes, address: bytes
) -> None:
    """Real reports (Postfix, Office 365, Gmail) with our VERP address in one of the places
    their servers write the envelope sender: the token is found there."""
    path = CORPUS / "bounce" / name
    if not path.is_file():
        pytest.fail(MISSING)
    verp = f"helpdesk+b-{TOKEN}@example.go.id".encode()
    lines = path.read_bytes().split(b"\n")
    changed = [line.replace(address, verp) if line.startswith(prefix) else line for line in lines]
    assert changed != lines
    bounce = parse(b"\n".join(changed)).bounce
    assert bounce is not None and bounce.tokens == (TOKEN,)
    assert parse(path.read_bytes()).bounce.tokens == ()  # type: ignore[union-attr]


def test_report_gives_token_recipient_message_id_and_remote_text() -> None:
    """Our test reports parse as a real server's would: token from the envelope headers,
    the bounced recipient, the original's Message-ID and the remote server's words."""
    raw = delivery_report(to=OURS, recipient=REPORTER, original_id="<tik.1@example.go.id>")
    bounce = parse(raw).bounce
    assert bounce is not None
    assert bounce.tokens == (TOKEN,) and bounce.recipients == (REPORTER,)
    assert bounce.original_message_id == "<tik.1@example.go.id>"
    assert bounce.status == "5.1.1" and EVIL in (bounce.diagnostic or "")


# --- verification -----------------------------------------------------------------------


SENT = SentEmail(7, "<tik.7@example.go.id>", (REPORTER, "cc@example.go.id"), "sent")
OTHER = SentEmail(8, "<tik.8@example.go.id>", ("other@example.org",), "sent")


def _bounce(recipients: tuple[str, ...] = (REPORTER,), original: str | None = None) -> Bounce:
    return Bounce(original, recipients, "5.1.1", "failed", "550 no such user", (TOKEN,))


@pytest.mark.parametrize(
    ("facts", "bounce", "expected"),
    [
        (Facts(bounce_tokens_of=(SENT,)), _bounce(), BounceOf(7, (REPORTER,))),
        (Facts(bounce_tokens_of=(SENT,), bounce_names=SENT),
         _bounce(("CC@example.go.id", REPORTER), SENT.message_id),
         BounceOf(7, ("cc@example.go.id", REPORTER))),
        (Facts(bounce_tokens_of=(OTHER, SENT)), _bounce(), BounceOf(7, (REPORTER,))),
        (Facts(), _bounce(), UnverifiedBounce("carries no token of ours")),
        (Facts(bounce_names=SENT), _bounce(original=SENT.message_id),
         UnverifiedBounce("names our e-mail 7 without its token")),
        (Facts(bounce_tokens_of=(SENT,), bounce_names=OTHER), _bounce(original=OTHER.message_id),
         UnverifiedBounce("names our e-mail 8 without its token")),
        (Facts(bounce_tokens_of=(SENT,)), _bounce(("x@example.org",)),
         UnverifiedBounce("the token of our e-mail 7, which did not go to x@example.org")),
        (Facts(bounce_tokens_of=(SENT,)), _bounce(()),
         UnverifiedBounce("the token of our e-mail 7, which did not go to the address it "
                          "names (none)")),
        (Facts(bounce_tokens_of=(SentEmail(7, "<a@b>", (REPORTER,), "pending"),)), _bounce(),
         UnverifiedBounce("the token of our e-mail 7, which was never sent")),
    ],
)  # fmt: skip
def test_a_report_counts_only_with_our_token_and_our_recipient(
    facts: Facts, bounce: Bounce, expected: object
) -> None:
    """Verified: the token of an e-mail the SMTP server took, naming one of its recipients
    (and no other e-mail of ours). Anything else is unverified, with the reason."""
    assert verify_bounce(bounce, facts) == expected


def test_route_sends_every_report_through_verification() -> None:
    """A report without our token is routed as unverified, never as a bounce of ours."""
    raw = delivery_report(to="helpdesk@example.go.id", recipient=REPORTER, original_id="<a@b>")
    decision = route(parse(raw), Facts())
    assert decision == UnverifiedBounce("carries no token of ours")


# --- remote text --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (EVIL, "Akun Anda diblokir, " + EVIL_SHOWN),
        ("see https://Evil.Example/x?a=1", "see hxxps[:]//Evil[.]Example/x?a=1"),
        ("HTTP://EVIL.COM", "HXXP[:]//EVIL[.]COM"),
        ("go to www.evil.co.id now", "go to www[.]evil[.]co[.]id now"),
        ("mailto:x@evil.example", "mailto[:]x@evil[.]example"),
        ("ftp://files.evil.example", "ftp[:]//files[.]evil[.]example"),
        ("550 5.1.1 from 192.0.2.1", "550 5.1.1 from 192.0.2.1"),
        ("evil\u200b.example and \u202eevil.example", "evil[.]example and evil[.]example"),
        ("line\nbreak\r\n\tand\x00 nul", "line break and nul"),
        ("", ""),
        (None, ""),
    ],
)
def test_remote_text_is_one_line_without_links(text: str | None, shown: str) -> None:
    """Remote text loses line breaks, control and invisible characters (zero-width spaces,
    bidi overrides), and every link: schemes and host names are broken."""
    assert remote_text(text) == shown


def test_remote_text_is_cut_to_a_sane_length() -> None:
    """At most 300 characters by default, with an ellipsis where it was cut."""
    shown = remote_text("x" * 1000)
    assert len(shown) == 300 and shown.endswith("…")
    assert remote_text("a" * 50, limit=20) == "a" * 19 + "…"


def test_event_note_keeps_remote_text_apart_even_for_old_records() -> None:
    """A verified report's note is ours and its diagnostic apart; a note recorded by
    MAILER-DAEMON before this was so is shown entirely as remote text."""
    new = Event(ticket_id=1, actor="MAILER-DAEMON", action="note", to_state="received",
                note="E-mail tidak terkirim.", channel="email",
                data={"bounce": {"remote_text": EVIL}})  # fmt: skip
    old = Event(ticket_id=1, actor="MAILER-DAEMON", action="note", to_state="received",
                note=f"E-mail x to y bounced: 5.1.1 {EVIL}", channel="email")  # fmt: skip
    staff = Event(ticket_id=1, actor="sari", action="note", to_state="received",
                  note="Cek router di http://10.0.0.1", channel="cli")  # fmt: skip
    assert event_note(new) == ("E-mail tidak terkirim.", "Akun Anda diblokir, " + EVIL_SHOWN)
    assert event_note(old)[0] == "" and EVIL_SHOWN in event_note(old)[1]
    assert event_note(staff) == ("Cek router di http://10.0.0.1", "")


# --- the alert that quotes it ------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "label"),
    [
        ("id", "Teks dari server penerima, dikutip apa adanya. Ini bukan pernyataan Help Desk"),
        ("en", "Text from the receiving mail server, quoted as received. These are not the Help"),
    ],
)
def test_alert_quotes_the_remote_text_under_its_label(language: str, label: str) -> None:
    """The help desk's alert shows the remote server's words apart from ours: after a
    label saying whose they are, as a quotation, escaped, with no link."""
    from notifier.compose import render
    from notifier.policy import delivery_failed_notice
    from tests.unit.test_templates import office

    notice = delivery_failed_notice(
        office(language), kind="reporter.acknowledged", recipients=[REPORTER],
        subject="[TIK-2026-00001] Pengaduan diterima", error="status 5.1.1",
        ticket_number="TIK-2026-00001", remote=f"<script>x</script> {EVIL}",
    )  # fmt: skip
    assert notice is not None
    shown = render(notice.kind, language, notice.context)
    quoted = [line[2:] for line in shown.text.splitlines() if line.startswith("> ")]
    assert " ".join(quoted) == f"<script>x</script> Akun Anda diblokir, {EVIL_SHOWN}"
    assert shown.text.index(label) < shown.text.index("> <script>")
    assert label in shown.html and "<blockquote" in shown.html
    assert "&lt;script&gt;x&lt;/script&gt;" in shown.html and "<script>" not in shown.html
    assert "<a " not in shown.html and "http://" not in shown.text + shown.html


def test_alert_without_remote_text_has_no_quotation() -> None:
    """An e-mail refused by our own SMTP server (no report) is alerted without a quote."""
    from notifier.compose import render
    from notifier.policy import delivery_failed_notice
    from tests.unit.test_templates import office

    notice = delivery_failed_notice(
        office("id"), kind="reporter.acknowledged", recipients=[REPORTER], subject="s",
        error="550 5.1.1 No such user", ticket_number=None,
    )  # fmt: skip
    assert notice is not None
    shown = render(notice.kind, "id", notice.context)
    assert "Teks dari server penerima" not in shown.text and "<blockquote" not in shown.html


# --- the settings -------------------------------------------------------------------------


def test_shipped_config_sends_with_verp_from_the_office_address(tmp_path: Path) -> None:
    """The shipped config.toml: VERP on, the From address as the bounce address, ten
    delivery alerts an hour."""
    from helpdesk.wiring import Site
    from tests.unit.test_config import write_config

    here = Site(load_config(write_config(tmp_path)))
    sender = here.office.settings.sender
    assert (sender.bounce_address, sender.verp_delimiter) == ("helpdesk@example.go.id", "+")
    assert here.office.settings.delivery_alert_limit_per_hour == 10
    assert envelope_sender(sender, TOKEN) == OURS


def test_verp_address_too_long_for_a_local_part_is_one_line(tmp_path: Path) -> None:
    """A bounce address whose local part would pass 64 characters with the token is refused
    with one line saying what to change."""
    from tests.unit.test_config import only_problem, write_config

    long = "layanan.pengaduan.teknologi.informasi.diskominfo"  # 48 characters
    path = write_config(tmp_path, ("verp = true", f'verp = true\nbounce_address = "{long}@x.id"'))
    line = only_problem(path)
    assert line.startswith("notifier.bounce_address: its local part")
    assert "at most 45 characters" in line and "verp = false" in line
    off = write_config(tmp_path, ("verp = true", f'verp = false\nbounce_address = "{long}@x.id"'))
    assert load_config(off).notifier.verp is False


def test_bounce_address_must_be_an_address(tmp_path: Path) -> None:
    """A bounce address without a domain names the key."""
    from tests.unit.test_config import only_problem, write_config

    path = write_config(tmp_path, ("verp = true", 'verp = true\nbounce_address = "helpdesk"'))
    assert only_problem(path).startswith("notifier.bounce_address:")
