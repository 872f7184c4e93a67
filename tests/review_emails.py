"""The e-mails of the demo's story as their readers receive them, for review without
running anything: ``docs/emails/<kind>.txt``, one file per kind of e-mail, each the first
of its kind (its recipients, subject and plain text; the HTML part says the same); where
the same kind goes to a reader of another role, worded for them (the head of office's
digest, say), the first to that role too, as ``<kind>.<role>.txt``.

The story is the demo's (``helpdesk.demo``): the same reporters, calls, letter and
e-mails, moved through the SOP's steps by the real CLI, in process, on a throw-away
SQLite site with the default configuration, its clock set by ``HELPDESK_NOW``; the
deadline sweep and the daily digest are run as the daemon runs them. Nothing is sent:
each e-mail is read from the outbox, where it is rendered in full when queued.

``scripts/render-emails`` writes the files; ``tests/cli/test_review_emails.py`` renders
them again from the templates as they are and fails when the files differ, so a change
of wording is reviewed in the same commit (run the script, commit what it wrote).
"""

from __future__ import annotations

import argparse
import email
import email.policy
import re
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs" / "emails"
README = "README.md"

MONDAY = "2026-11-30"
TUESDAY = "2026-12-01"


def _mail(sender: str, subject: str, body: str, **headers: str) -> bytes:
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, "helpdesk@example.go.id", subject
    message["Date"] = "Mon, 30 Nov 2026 07:30:00 +0700"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return bytes(message)


COMPLETE = (
    "Selamat pagi,\n\nNama OPD: Dinas Perhubungan\nBidang/UPT/Balai: Bidang Lalu Lintas\n"
    "Nama Pelapor: Ahmad Fauzi\nJabatan: Analis Data\nNo HP: 0821-2345-6789\n"
    "Alamat e-Mail: ahmad.fauzi@dishub.example.go.id\nJenis Kelamin: L\n"
    "Status Kepegawaian: PNS\nJenis Aduan: Aplikasi\n"
    "Isi Aduan: Aplikasi perizinan angkutan tidak bisa login sejak kemarin sore.\n\n"
    "Terima kasih.\n"
)
INCOMPLETE = (
    "Nama OPD: Dinas Sosial\nNama Pelapor: Siti Aminah\nJenis Kelamin: P\n"
    "Status Kepegawaian: PNS\nJenis Aduan: Website\n"
    "Isi Aduan: Laman dinas menampilkan halaman kosong.\n"
)
FIRST_LEVEL = [
    "--opd", "Bapenda", "--bidang", "Bidang Pajak Daerah", "--nama", "Dewi Anggraini",
    "--jabatan", "Staf", "--telepon", "0813-1111-2222",
    "--email", "dewi.anggraini@bapenda.example.go.id", "--sex", "P", "--status", "Non PNS",
    "--category", "email", "--isi", "Lupa kata sandi akun e-mail dinas.",
]  # fmt: skip


class Story:
    """The demo's site, driven through the CLI in process."""

    def __init__(self, folder: Path) -> None:
        from typer.testing import CliRunner

        from helpdesk.config import with_section
        from helpdesk.resources import DEFAULT_CONFIG

        self.folder = folder
        self.config = folder / "config.toml"
        text = DEFAULT_CONFIG.read_text(encoding="utf-8")
        # Phone, letters and injected e-mails only: no mailbox to read, nothing sent.
        text = with_section(text, "mailbox", "enabled = false")
        self.config.write_text(text, encoding="utf-8")
        self.runner = CliRunner()

    def __call__(self, when: str, *args: str, check: bool = True) -> str:
        from helpdesk.cli.main import app

        env = {"HELPDESK_CONFIG": str(self.config), "HELPDESK_NOW": when, "HELPDESK_USER": ""}
        result = self.runner.invoke(app, list(args), env=env)
        if check and result.exit_code != 0:
            raise RuntimeError(f"helpdesk {' '.join(args)}: {result.output}")
        return result.stdout

    def deliver(self, when: str, raw: bytes, arrived: str) -> None:
        """A message read from the mailbox at ``when`` that arrived there at ``arrived``
        (its INTERNALDATE), as the daemon's round processes it."""
        import datetime as dt

        from helpdesk.jobs.mailbox import process_with_retries

        processed = process_with_retries(
            self.site(), raw, source="imap:INBOX", now=lambda: dt.datetime.fromisoformat(when),
            attempts=1, received_at=dt.datetime.fromisoformat(arrived),
        )  # fmt: skip
        if processed.outcome == "quarantine":
            raise RuntimeError(f"a message of the story failed: {processed.detail}")

    def site(self):  # type: ignore[no-untyped-def]
        from helpdesk.wiring import Site

        return Site.load(str(self.config))

    def sweep(self, when: str) -> None:
        """The daemon's deadline sweep and daily digest at ``when``."""
        import datetime as dt

        from helpdesk.jobs.digest import send_digest_if_due
        from helpdesk.jobs.sweep import sweep_deadlines

        here = self.site()
        now = dt.datetime.fromisoformat(when)
        sweep_deadlines(here, now=now, reminder_share=here.config.daemon.reminder_share)
        send_digest_if_due(here, now=now)


def number(output: str) -> str:
    found = re.search(r"TIK-\d{4}-\d{5}", output)
    if found is None:
        raise RuntimeError(f"no complaint number in {output!r}")
    return found.group(0)


def tell(story: Story) -> None:
    """The demo's week, with a step or two more so that every e-mail of the SOP is sent."""
    from helpdesk.demo import REPORTERS

    story(f"{MONDAY}T07:30:00+07:00", "init")
    # E-mails that arrived at 07.30 and were read at 07.45, as the demo's mailbox round.
    at, arrived = f"{MONDAY}T07:45:00+07:00", f"{MONDAY}T07:30:00+07:00"
    story.deliver(at, _mail("Ahmad Fauzi <ahmad.fauzi@dishub.example.go.id>",
                            "Aplikasi perizinan tidak bisa login", COMPLETE,
                            Message_ID="<ahmad.1@dishub.example.go.id>"), arrived)  # fmt: skip
    story.deliver(at, _mail("Siti Aminah <siti.aminah@dinsos.example.go.id>",
                            "Laman dinas kosong", INCOMPLETE,
                            Message_ID="<siti.1@dinsos.example.go.id>"), arrived)  # fmt: skip

    first = number(story(f"{MONDAY}T08:05:00+07:00", "phone", *REPORTERS["budi"], "--by", "sari"))
    second = number(story(
        f"{MONDAY}T08:20:00+07:00", "letter", *REPORTERS["siti"], "--by", "yoga",
        "--received", "2026-11-27T14:00",
    ))  # fmt: skip
    story(f"{MONDAY}T08:45:00+07:00", "ticket", "escalate", first, "--by", "sari",
          "--note", "Router lantai 2 tidak merespons ping dari help desk.")  # fmt: skip
    story(f"{MONDAY}T09:10:00+07:00", "ticket", "dispose", first, "--by", "rudi", "--to", "agus",
          "--sifat", "segera", "--note", "Mohon dicek ke lokasi.")  # fmt: skip
    story(f"{MONDAY}T09:30:00+07:00", "ticket", "pause", first, "--by", "agus",
          "--reason", "Menunggu pelapor membuka ruang server lantai 2.")  # fmt: skip
    story(f"{MONDAY}T10:00:00+07:00", "ticket", "escalate", second, "--by", "yoga")
    story(f"{MONDAY}T10:30:00+07:00", "ticket", "dispose", second, "--by", "hendra",
          "--to", "indah")  # fmt: skip
    story(f"{MONDAY}T13:00:00+07:00", "ticket", "resume", first, "--by", "agus",
          "--note", "Ruang sudah dibuka.", "--via", "phone")  # fmt: skip
    story(f"{MONDAY}T14:00:00+07:00", "ticket", "resolve", first, "--by", "agus",
          "--solution", "Adaptor daya router diganti; koneksi normal kembali.")  # fmt: skip
    story(f"{MONDAY}T14:30:00+07:00", "ticket", "close", first, "--by", "sari", "--via", "phone",
          "--confirmation", "Pelapor mengonfirmasi internet sudah normal.")  # fmt: skip
    third = number(story(f"{MONDAY}T15:00:00+07:00", "phone", *FIRST_LEVEL, "--by", "yoga"))
    story(f"{MONDAY}T15:20:00+07:00", "ticket", "solve", third, "--by", "yoga",
          "--solution", "Kata sandi diatur ulang; pelapor sudah dapat masuk.")  # fmt: skip

    story(f"{TUESDAY}T08:00:00+07:00", "phone", *REPORTERS["rina"], "--by", "sari")
    story.sweep(f"{TUESDAY}T10:30:00+07:00")  # nobody handles the call: a reminder
    report = "Galat berasal dari server pusat; perlu keputusan penambahan kapasitas."
    story(f"{TUESDAY}T11:00:00+07:00", "ticket", "escalate-higher", second, "--by", "indah",
          "--report", report)  # fmt: skip
    story.sweep(f"{TUESDAY}T11:30:00+07:00")  # then its deadline passed
    # The official takes it to the head of office, who decides and solves it.
    decision = "Penambahan kapasitas server pusat di luar anggaran bidang; mohon arahan Ibu."
    story(f"{TUESDAY}T13:00:00+07:00", "ticket", "escalate-higher", second, "--by", "kurniawan",
          "--to", "head_of_office", "--report", decision)  # fmt: skip
    solution = "Kapasitas penyimpanan server ditambah; unggah jurnal berhasil."
    story(f"{TUESDAY}T15:00:00+07:00", "ticket", "resolve", second, "--by", "kadis",
          "--solution", solution)  # fmt: skip
    reason = "Pelapor menyampaikan unggah jurnal masih gagal untuk berkas besar."
    story(f"{TUESDAY}T15:30:00+07:00", "ticket", "reopen", second, "--by", "yoga",
          "--reason", reason)  # fmt: skip
    story.sweep("2026-12-02T07:30:00+07:00")  # Wednesday's digest
    story.sweep("2026-12-08T09:00:00+07:00")  # the first-level solution's reporter is silent


def rendered(folder: Path) -> dict[str, str]:
    """Each kind's first e-mail of the story, as the file that shows it."""
    from notifier.outbox import email_bytes

    story = Story(folder)
    tell(story)
    here = story.site()
    with here.reader.transaction() as tx:
        tokens = [t.access_token for t in tx.tickets() if t.access_token]
        emails = sorted(tx.outbox(), key=lambda e: e.id or 0)
    roles = {s.email.lower(): s.role.value for s in here.desk.directory.staff.values()}
    files: dict[str, str] = {}
    first_role: dict[str, str] = {}
    for row in emails:
        role = roles.get(row.recipient, "reporter")
        kind_role = first_role.setdefault(row.kind, role)
        name = f"{row.kind}.txt" if role == kind_role else f"{row.kind}.{role}.txt"
        if name in files:
            continue
        files[name] = _shown(email_bytes(row, here.office), tokens)
    files[README] = _readme(files)
    return files


def _shown(raw: bytes, tokens: list[str]) -> str:
    """An e-mail as its reader sees it: who it is to, its subject and its text. The access
    tokens in its links differ on every run: they read ``TOKEN``."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    lines = [f"To: {message['To']}"]
    if message["Cc"]:
        lines.append(f"Cc: {message['Cc']}")
    # A subject folded after "Subject:" (as the email package folds a long one) reads back
    # with the fold's space in front; a mail client shows it without.
    lines.append(f"Subject: {str(message['Subject']).strip()}")
    body = message.get_body(preferencelist=("plain",))
    text = body.get_content() if body is not None else ""  # type: ignore[union-attr]
    text = text.replace("\r\n", "\n")
    for token in tokens:
        text = text.replace(token, "TOKEN")
    return "\n".join(lines) + "\n\n" + text.rstrip() + "\n"


def _readme(files: Mapping[str, str]) -> str:
    listed = "\n".join(f"- `{name}`" for name in sorted(files))
    return (
        "# The demo's e-mails, for review\n\n"
        "Each file is the first e-mail of its kind in the demo's story (`helpdesk.demo`),\n"
        "in Bahasa Indonesia as the office's default configuration writes it: who it is to,\n"
        "its subject and its plain text (the HTML part says the same). Made by\n"
        "`scripts/render-emails` from the templates in `notifier/templates/email/id/`;\n"
        "`tests/cli/test_review_emails.py` fails when these files no longer match them.\n"
        "Links carry `TOKEN` where the reporter's access token stands. Where one kind goes\n"
        "to readers of another role, worded for them, `<kind>.<role>.txt` is the first to\n"
        "that role (the head of office's digest, say).\n\n"
        f"{listed}\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DOCS, help="the folder to write")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="helpdesk-emails-") as folder:
        files = rendered(Path(folder))
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*.txt"):
        if stale.name not in files:
            stale.unlink()
    for name, text in files.items():
        (out / name).write_text(text, encoding="utf-8")
    print(f"{len(files) - 1} e-mails in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
