"""Delivery: 2,000 queued e-mails to a real SMTP server on loopback.

Set-up (not measured): a migrated site whose [smtp] points at an aiosmtpd sink on
loopback, and 2,000 calls logged by a help-desk officer in one transaction, each from its
own reporter, whose acknowledgements are queued as the help desk queues them: as drafts.

Measured: the daemon's own outbox job (``helpdesk.daemon.jobs``), which sends batches of
``notifier.batch_size`` (50) over one connection each until the outbox is empty: claim
with a lease (one transaction), render each e-mail from its draft, send, record each
outcome with the bytes sent (another).

Targets: at least 200 e-mails per second, every e-mail accepted once, and a bounded number
of connections: one per batch, one at a time.
"""

from __future__ import annotations

import datetime as dt
import math
import time

from bench import figure, info, make_site, profiled, rate, scratch
from helpdesk.testing.smtp import Sink, smtp_server

EMAILS = 2000
TARGET = 200.0  # e-mails per second

FORM = {
    "agency": "Dinkes",
    "division": "Bidang Pelayanan Kesehatan",
    "position": "Pengelola Data",
    "phone": "0812-3456-7890",
    "sex": "L",
    "employment_status": "PNS",
    "category": "Jaringan",
    "description": "Koneksi internet di ruang pelayanan lantai 2 terputus sejak pagi.",
}


def _fill_outbox(site, count: int) -> int:  # type: ignore[no-untyped-def]
    """``count`` calls logged by a help-desk officer, each from its own reporter, with
    their acknowledgements queued as the help desk queues them (as drafts, rendered when
    sent); how many e-mails are queued."""
    from helpdesk.service import register_many_in
    from ticketing.desk import Complaint

    now = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)
    complaints = [
        Complaint(
            {
                **FORM,
                "reporter_name": f"Pelapor {n:05d}",
                "email": f"pelapor{n:05d}@dinkes.example.go.id",
            },
            "phone",
            now,
            signature="sari",
            officer="sari",
        )  # fmt: skip
        for n in range(count)
    ]
    with site.store.transaction() as tx:
        register_many_in(tx, site, complaints, now=now)
        return sum(tx.outbox_counts().values())


def main() -> bool:
    from helpdesk.daemon import jobs

    sink = Sink()
    with scratch("delivery") as root, smtp_server(sink) as smtp:
        site = make_site(root, smtp_port=smtp.port)
        queued = _fill_outbox(site, EMAILS)
        assert queued == EMAILS, queued
        batch = site.config.notifier.batch_size
        info(f"{EMAILS} acknowledgements queued as drafts; batch size {batch}")
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
