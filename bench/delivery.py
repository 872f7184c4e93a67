"""Delivery: 2,000 queued e-mails to a real SMTP server on loopback.

Set-up (not measured): a migrated site whose [smtp] points at an aiosmtpd sink on
loopback, and 2,000 pending e-mails in its outbox (acknowledgements of the usual size,
plain text and HTML, each to its own reporter), inserted in one transaction.

Measured: the daemon's own outbox job (``helpdesk.daemon.jobs``), which sends batches of
``notifier.batch_size`` (50) over one connection each until the outbox is empty: claim
with a lease (one transaction), send, record each outcome (another).

Targets: at least 200 e-mails per second, every e-mail accepted once, and a bounded number
of connections: one per batch, one at a time.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from email.message import EmailMessage
from email.utils import format_datetime

from bench import figure, info, make_site, profiled, rate, scratch
from helpdesk.testing.smtp import Sink, smtp_server

EMAILS = 2000
TARGET = 200.0  # e-mails per second

TEXT = """Yth. Bapak/Ibu {name},

Pengaduan Bapak/Ibu telah kami terima dan dicatat dengan nomor {number}.

Nama OPD          : Dinas Kesehatan
Bidang/UPT/Balai  : Bidang Pelayanan Kesehatan
Nama Pelapor      : {name}
Jabatan           : Pengelola Data
Nomor Telepon     : +62 812-3456-7890
Jenis Aduan       : Jaringan
Isi Aduan         : Koneksi internet di ruang pelayanan lantai 2 terputus sejak pagi.

Petugas Help Desk akan menindaklanjuti pengaduan ini paling lambat {due}.
Untuk menambahkan keterangan, balas e-mail ini tanpa mengubah subjeknya.

Hormat kami,
Help Desk Layanan TIK
Dinas Komunikasi, Informatika, Statistik dan Persandian Provinsi Banten
"""


def _acknowledgement(n: int, now: dt.datetime) -> tuple[str, str, str, bytes]:
    """(recipient, subject, Message-ID, raw) of an acknowledgement like the ones we send."""
    number = f"TIK-2026-{n + 1:05d}"
    recipient = f"pelapor{n:05d}@dinkes.example.go.id"
    name = f"Pelapor {n:05d}"
    message_id = f"<{number}.ack.{n}@example.go.id>"
    subject = f"[{number}] Pengaduan diterima"
    text = TEXT.format(name=name, number=number, due="30 November 2026 10.00 WIB")
    message = EmailMessage()
    message["From"] = "Help Desk Layanan TIK <helpdesk@example.go.id>"
    message["To"] = f"{name} <{recipient}>"
    message["Subject"] = subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-replied"
    message.set_content(text)
    html = "".join(f"<p>{line}</p>" for line in text.splitlines() if line)
    message.add_alternative(f"<html><body>{html}</body></html>", subtype="html")
    return recipient, subject, message_id, bytes(message)


def _fill_outbox(site, count: int) -> int:  # type: ignore[no-untyped-def]
    from ticketing.models import OutboxEmail

    now = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)
    size = 0
    with site.store.transaction() as tx:
        for n in range(count):
            recipient, subject, message_id, raw = _acknowledgement(n, now)
            size += len(raw)
            tx.session.add(
                OutboxEmail(
                    kind="reporter.acknowledged",
                    recipient=recipient,
                    recipients=[recipient],
                    subject=subject,
                    message_id=message_id,
                    auto_submitted="auto-replied",
                    raw=raw,
                    status="pending",
                    next_attempt_at=now,
                    created_at=now,
                )  # fmt: skip
            )
    return size


def main() -> bool:
    from helpdesk.daemon import jobs

    sink = Sink()
    with scratch("delivery") as root, smtp_server(sink) as smtp:
        site = make_site(root, smtp_port=smtp.port)
        size = _fill_outbox(site, EMAILS)
        batch = site.config.notifier.batch_size
        info(f"{EMAILS} e-mails queued, {size / 1e6:.1f} MB; batch size {batch}")
        [outbox] = [job for job in jobs(site, mailbox_job=False) if job.name == "outbox"]
        before = sink.connections  # the controller's own readiness probe
        with profiled("delivery outbox job"):
            started = time.monotonic()
            outbox.run()
            seconds = time.monotonic() - started
        sink.wait_for(EMAILS, 5)
        connections = sink.connections - before
        with site.store.transaction() as tx:
            counts = tx.outbox_counts()
        recipients = [r for a in sink.received for r in a.recipients]
        exact = counts == {"sent": EMAILS} and len(set(recipients)) == len(recipients) == EMAILS
        info(f"outbox after: {counts}; {len(sink.received)} accepted by the server")

    bound = math.ceil(EMAILS / batch)
    throughput = rate(EMAILS, seconds)
    ok = figure(
        "delivery throughput",
        f"{throughput:.0f} e-mails/s ({EMAILS} in {seconds:.2f} s)",
        f">= {TARGET:.0f} e-mails/s, each sent once",
        exact and throughput >= TARGET,
    )
    ok &= figure(
        "delivery connections",
        f"{connections} in all, at most {sink.most_open} open at once",
        f"<= {bound} (one per batch of {batch}), 1 at a time",
        connections <= bound and sink.most_open <= 1,
    )
    return ok
