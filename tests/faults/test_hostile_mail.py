"""Odd and hostile mail against the real daemon: a real Dovecot mailbox, a real SMTP server,
the `helpdesk` process. What each reporter (or stranger) gets back, and what is kept.
"""

from __future__ import annotations

import base64
import shutil
from email.message import EmailMessage
from pathlib import Path

from helpdesk.servers import DovecotServer
from tests.faults.support import deliver, folder_contents, helpdesk, query
from tests.integration.smtp_server import Received, Sink
from tests.mail import FORM_TEXT, email, without


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
    site: Path, dovecot: DovecotServer, sink: Sink
) -> None:
    """A complaint whose From name decodes to a CR/LF gets its answer at once, with the
    name on one line and no header smuggled in; nothing is quarantined."""
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


def test_failed_replays_keep_one_copy_of_the_message(site: Path, tmp_path: Path) -> None:
    """A message that cannot be stored (its attachment has nowhere to go) is quarantined
    once; replaying it while the fault lasts fails with one line and adds no row; once the
    fault is fixed the replay makes the ticket in that same row."""
    archive = site / "var" / "archive"
    shutil.rmtree(archive)
    archive.write_text("not a folder")  # the fault: the archive folder is a file
    path = tmp_path / "foto.eml"
    path.write_bytes(_with_attachment())

    injected = helpdesk(site, "intake", "inject", str(path))
    assert injected.returncode == 1 and "quarantine" in injected.stdout
    [(kept, outcome)] = query(site, "SELECT id, outcome FROM inbound")
    assert outcome == "quarantine"
    for _ in range(3):
        replayed = helpdesk(site, "intake", "replay", str(kept))
        assert replayed.returncode == 1
        last = replayed.stderr.strip().splitlines()[-1]
        assert last.startswith(f"error: message {kept} still fails: NotADirectoryError")
        assert "Traceback" not in replayed.stderr
        assert query(site, "SELECT id, outcome FROM inbound") == [(kept, "quarantine")]
    again = helpdesk(site, "intake", "inject", str(path))  # the same file again
    assert again.returncode == 1
    assert query(site, "SELECT id, outcome FROM inbound") == [(kept, "quarantine")]

    archive.unlink()
    archive.mkdir()  # the fix
    replayed = helpdesk(site, "intake", "replay", str(kept))
    assert replayed.returncode == 0, replayed.stderr
    assert replayed.stdout.strip() == f"message {kept}: ticket TIK-2026-00001"
    assert query(site, "SELECT id, outcome FROM inbound") == [(kept, "ticket")]
    assert query(site, "SELECT count(*) FROM attachment") == [(1,)]
    assert query(site, "SELECT kind FROM outbox") == [("reporter.acknowledged",)]
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
    assert {r for (r,) in query(site, "SELECT recipient FROM outbox")} == {
        "budi.santoso@dinkes.example.go.id"
    }
    assert [r.recipients for r in sink.received] == [["budi.santoso@dinkes.example.go.id"]]
    folders = folder_contents(dovecot.port)
    assert len(folders["Ignored"]) == 2 and len(folders["Processed"]) == 1
