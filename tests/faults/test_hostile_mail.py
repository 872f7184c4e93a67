"""Odd and hostile mail against the real daemon: a real Dovecot mailbox, a real SMTP server,
the `helpdesk` process. What each reporter (or stranger) gets back, and what is kept.
"""

from __future__ import annotations

import base64
import shutil
from email.message import EmailMessage
from pathlib import Path

from helpdesk.testing.imap import DovecotServer
from helpdesk.testing.smtp import Received, Sink
from tests.faults.support import deliver, folder_contents, helpdesk, query
from tests.mail import FORM_TEXT, email, without

# The help-desk officers of config.toml: each e-mailed complaint's copy goes to them.
HELP_DESK = ["sari.wulandari@example.go.id", "yoga.pratama@example.go.id"]


def _to(sink: Sink, address: str) -> list[Received]:
    return [r for r in sink.received if address in r.recipients]


def _run_once(site: Path) -> None:
    done = helpdesk(site, "run", "--once")
    assert done.returncode == 0, done.stderr[-3000:]


# --- an encoded CR/LF in a display name ---------------------------------------------------

HIDDEN_BREAK = base64.b64encode(b"Budi Santoso\r\nBcc: korban@example.org").decode()


def _from_hidden_break(raw: bytes) -> bytes:
    """The message with its From name replaced by encoded words that hide a CR/LF (the
    email package refuses to write such a header itself)."""
    head, _, body = raw.partition(b"\n\n")
    lines = head.split(b"\n")
    for number, line in enumerate(lines):
        if line.startswith(b"From: "):
            address = line.rpartition(b"<")[2].rstrip(b">").removeprefix(b"From: ")
            lines[number] = b"From: =?utf-8?b?%s?= <%s>" % (HIDDEN_BREAK.encode(), address)
    return b"\n".join(lines) + b"\n\n" + body


def test_name_hiding_a_line_break_is_answered_not_quarantined(
    site: Path, dovecot: DovecotServer, sink: Sink, tmp_path: Path
) -> None:
    """A complaint whose From name decodes to a CR/LF, from the mailbox or injected, gets
    its answer, with the name on one line and no header smuggled in; nothing is
    quarantined."""
    deliver(dovecot.port, [
        _from_hidden_break(email(message_id="<crlf-1@dinkes.example.go.id>")),
        _from_hidden_break(email(without("Nama Pelapor"), sender="siti@bpkad.example.go.id",
                                 message_id="<crlf-2@bpkad.example.go.id>")),
    ])  # fmt: skip
    _run_once(site)

    outcomes = dict(query(site, "SELECT message_id, outcome FROM inbound"))
    assert outcomes == {"<crlf-1@dinkes.example.go.id>": "ticket",
                        "<crlf-2@bpkad.example.go.id>": "incomplete"}  # fmt: skip
    [ack] = _to(sink, "budi.santoso@dinkes.example.go.id")
    [reply] = _to(sink, "siti@bpkad.example.go.id")
    assert ack.message["In-Reply-To"] == "<crlf-1@dinkes.example.go.id>"
    for received in (ack, reply):
        assert received.message["Bcc"] is None
        assert "korban@example.org" not in received.recipients
        assert "\n" not in received.message["To"]
    assert reply.message["To"].addresses[0].display_name == "Budi Santoso Bcc: korban@example.org"
    assert folder_contents(dovecot.port)["Quarantine"] == []

    # The same through `helpdesk intake inject`.
    path = tmp_path / "crlf.eml"
    raw = email(sender="rina@bappeda.example.go.id", message_id="<crlf-3@bappeda.example.go.id>")
    path.write_bytes(_from_hidden_break(raw))
    injected = helpdesk(site, "intake", "inject", str(path))
    assert injected.returncode == 0 and "ticket TIK-2026-00002" in injected.stdout
    _run_once(site)
    [ack] = _to(sink, "rina@bappeda.example.go.id")
    assert ack.message["Bcc"] is None and ack.recipients == ["rina@bappeda.example.go.id"]
    assert query(site, "SELECT count(*) FROM inbound WHERE outcome = 'quarantine'") == [(0,)]


def _with_attachment() -> bytes:
    message = EmailMessage()
    message["From"] = "Budi Santoso <budi.santoso@dinkes.example.go.id>"
    message["To"] = "helpdesk@example.go.id"
    message["Subject"] = "Pengaduan jaringan, dengan foto"
    message["Message-ID"] = "<foto@dinkes.example.go.id>"
    message["Date"] = "Mon, 30 Nov 2026 08:55:00 +0700"
    message.set_content(FORM_TEXT)
    message.add_attachment(b"\x89PNG foto", maintype="image", subtype="png", filename="foto.png")
    return bytes(message)


def test_failed_replays_keep_one_copy_of_the_message(
    site: Path, dovecot: DovecotServer, sink: Sink, tmp_path: Path
) -> None:
    """A message from the mailbox that cannot be stored (its attachment has nowhere to go)
    is quarantined once; replaying it while the fault lasts fails with one line and adds
    no row, nor does injecting the same file; once the fault is fixed the replay makes the
    ticket in that same row."""
    archive = site / "var" / "archive"
    shutil.rmtree(archive)
    archive.write_text("not a folder")  # the fault: the archive folder is a file
    raw = _with_attachment()
    deliver(dovecot.port, [raw])
    _run_once(site)
    assert len(folder_contents(dovecot.port)["Quarantine"]) == 1
    [(kept, outcome)] = query(site, "SELECT id, outcome FROM inbound")
    assert outcome == "quarantine"
    for _ in range(3):
        replayed = helpdesk(site, "intake", "replay", str(kept))
        assert replayed.returncode == 1
        last = replayed.stderr.strip().splitlines()[-1]
        assert last.startswith(f"error: message {kept} still fails: NotADirectoryError")
        assert "Traceback" not in replayed.stderr
        assert query(site, "SELECT id, outcome FROM inbound") == [(kept, "quarantine")]
    path = tmp_path / "foto.eml"
    path.write_bytes(raw)
    again = helpdesk(site, "intake", "inject", str(path))  # the same message (LF, not CRLF)
    assert again.returncode == 1
    assert query(site, "SELECT id, outcome FROM inbound") == [(kept, "quarantine")]

    archive.unlink()
    archive.mkdir()  # the fix
    replayed = helpdesk(site, "intake", "replay", str(kept))
    assert replayed.returncode == 0, replayed.stderr
    assert replayed.stdout.strip() == f"message {kept}: ticket TIK-2026-00001"
    assert query(site, "SELECT id, outcome FROM inbound") == [(kept, "ticket")]
    assert query(site, "SELECT count(*) FROM attachment") == [(1,)]
    _run_once(site)
    [ack, copy] = sink.received  # the acknowledgement, and the help desk's copy
    assert ack.recipients == ["budi.santoso@dinkes.example.go.id"]
    assert ack.message["In-Reply-To"] == "<foto@dinkes.example.go.id>"
    assert copy.recipients == HELP_DESK
    # Stored now: the same file once more is a duplicate, not a new ticket.
    assert "already stored" in helpdesk(site, "intake", "inject", str(path)).stdout
    assert query(site, "SELECT count(*) FROM inbound") == [(1,)]


# --- bulk mail ------------------------------------------------------------------------------


def test_list_post_and_newsletter_get_no_reply(
    site: Path, dovecot: DovecotServer, sink: Sink
) -> None:
    """A list post that carries only List-Unsubscribe and List-Post (sent as the list, as
    lists do for DMARC), and a newsletter from noreply@, are archived as automatic: no
    incomplete-report reply goes to the list, to the newsletter or to anyone."""
    deliver(dovecot.port, [
        email("Rekan-rekan, internet di kantor kami juga mati sejak pagi. Ada yang sama?",
              sender="Anggota via Forum TIK <forum-tik@lists.example.go.id>",
              subject="[Forum TIK] Internet mati", message_id="<post@lists.example.go.id>",
              headers={"List-Unsubscribe": "<mailto:forum-tik-leave@lists.example.go.id>",
                       "List-Post": "<mailto:forum-tik@lists.example.go.id>",
                       "Reply-To": "anggota@dishub.example.go.id"}),
        email("Berita Pemprov minggu ini: layanan internet baru di kantor OPD.",
              sender="Info Pemprov <noreply@info.example.go.id>", subject="Buletin Desember",
              message_id="<news@info.example.go.id>"),
        email(message_id="<person@dinkes.example.go.id>"),  # a real complaint, for contrast
    ])  # fmt: skip
    _run_once(site)

    outcomes = dict(query(site, "SELECT message_id, outcome FROM inbound"))
    assert outcomes == {
        "<post@lists.example.go.id>": "automatic",
        "<news@info.example.go.id>": "automatic",
        "<person@dinkes.example.go.id>": "ticket",
    }
    # the real complaint's acknowledgement and the help desk's copy of it, nothing else
    assert [r for (r,) in query(site, "SELECT kind FROM outbox ORDER BY id")] == [
        "reporter.acknowledged", "help_desk.new_ticket",
    ]  # fmt: skip
    assert [r.recipients for r in sink.received] == [
        ["budi.santoso@dinkes.example.go.id"], HELP_DESK,
    ]  # fmt: skip
    folders = folder_contents(dovecot.port)
    assert len(folders["Ignored"]) == 2 and len(folders["Processed"]) == 1


# --- our own address ------------------------------------------------------------------------

OFFICER = "sari.wulandari@example.go.id"  # a help-desk officer in config.toml's [[staff]]


def _forwarded(ours: bytes, *, sender: str | None = None, message_id: str | None = None) -> bytes:
    """Our e-mail as a forwarder sends it back to the complaint mailbox: without
    Auto-Submitted and X-Auto-Response-Suppress, perhaps with another From or Message-ID."""
    head, _, body = ours.partition(b"\r\n\r\n")
    lines = []
    for line in head.split(b"\r\n"):
        name = line.split(b":", 1)[0].lower()
        if name in (b"auto-submitted", b"x-auto-response-suppress"):
            continue
        if name == b"from" and sender:
            line = b"From: " + sender.encode()
        if name == b"message-id" and message_id:
            line = b"Message-ID: " + message_id.encode()
        lines.append(line)
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def test_our_own_mail_is_never_a_ticket_and_never_answered(
    site: Path, dovecot: DovecotServer, sink: Sink
) -> None:
    """Our acknowledgement forwarded back (From our address, or From the reporter with our
    Message-ID) and a complete form from a help-desk officer are archived, unanswered, and
    make no ticket; the officer's answer to the reporter's e-mail joins it as an unverified
    note."""
    deliver(dovecot.port, [email(message_id="<asli@dinkes.example.go.id>")])
    _run_once(site)
    [ack, _copy] = sink.received  # the acknowledgement, and the help desk's copy
    ack_id = ack.message["Message-ID"]

    deliver(dovecot.port, [
        _forwarded(ack.raw, message_id="<fwd1@forwarder.example.org>"),
        _forwarded(ack.raw, sender="Budi Santoso <budi.santoso@dinkes.example.go.id>"),
        email(sender=f"Sari Wulandari <{OFFICER}>", message_id="<form@example.go.id>"),
        email("Sudah saya cek, router di lantai 2 mati.", sender=f"Sari <{OFFICER}>",
              subject="Re: " + ack.message["Subject"], in_reply_to=ack_id,
              message_id="<balas@example.go.id>"),
    ])  # fmt: skip
    _run_once(site)

    rows = query(site, "SELECT message_id, outcome, detail FROM inbound ORDER BY id")[1:]
    assert [(m, o) for m, o, _ in rows] == [
        ("<fwd1@forwarder.example.org>", "automatic"),
        (ack_id, "automatic"),
        ("<form@example.go.id>", "automatic"),
        # An officer answering the reporter's acknowledgement: not an e-mail to them, so
        # kept as an unverified note (a staff member never answers another's e-mail).
        ("<balas@example.go.id>", "unverified"),
    ]
    assert rows[0][2] == "from our own address helpdesk@example.go.id"
    assert rows[1][2] == f"our own message {ack_id}: come back to us"
    assert rows[2][2].startswith(f"from a help-desk officer's address {OFFICER}")
    assert query(site, "SELECT number FROM ticket") == [("TIK-2026-00001",)]
    # The acknowledgement, the help desk's copy, and the officer told at her own address
    # of the unverified note.
    assert [r.recipients for r in sink.received] == [
        ["budi.santoso@dinkes.example.go.id"], HELP_DESK, [OFFICER],
    ]  # fmt: skip
    events = query(site, "SELECT action, actor, note FROM event ORDER BY id")
    assert [(action, actor) for action, actor, _ in events] == [
        ("create", "budi.santoso@dinkes.example.go.id"), ("note", "unverified-sender"),
    ]  # fmt: skip
    assert events[1][2].endswith("Sudah saya cek, router di lantai 2 mati.")
    assert len(folder_contents(dovecot.port)["Ignored"]) == 4


# --- our office as a relay ----------------------------------------------------------------

VICTIM = "korban@dinsos.example.go.id"


def test_strangers_naming_a_victims_address_never_make_us_write_to_it(
    site: Path, dovecot: DovecotServer, sink: Sink
) -> None:
    """Twelve strangers each e-mail a complete form naming the same victim's address: each
    stranger's acknowledgement reaches them at their own address, with the victim's address
    kept on the ticket, and not one e-mail of ours goes to the victim."""
    form = FORM_TEXT.replace("budi.santoso@dinkes.example.go.id", VICTIM)
    strangers = [f"asing{n:02}@luar{n % 3}.example.org" for n in range(12)]
    deliver(dovecot.port, [
        email(form + f"\nSalam, pengirim {n}", sender=f"Asing {n} <{address}>",
              message_id=f"<asing{n}@luar.example.org>", subject=f"Pengaduan {n}")
        for n, address in enumerate(strangers)
    ])  # fmt: skip
    _run_once(site)

    tickets = query(site, "SELECT email, signature, email_confirmed FROM ticket ORDER BY id")
    assert tickets == [(VICTIM, address, None) for address in strangers]
    assert not _to(sink, VICTIM)
    assert not [r for (r,) in query(site, "SELECT recipients FROM outbox") if VICTIM in r]
    for address in strangers:
        [ack] = _to(sink, address)
        assert ack.recipients == [address]
        assert ack.message["To"].addresses[0].addr_spec == address
        text = ack.message.get_body(preferencelist=("plain",)).get_content()
        assert f"Alamat e-mail pada formulir ({VICTIM}) belum terkonfirmasi" in text
    # twelve acknowledgements and the help desk's twelve copies, nothing else
    assert len(sink.received) == 24
    assert len([r for r in sink.received if r.recipients == HELP_DESK]) == 12
