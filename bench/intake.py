"""Intake throughput: 2,000 complaint e-mails in a real Dovecot mailbox, end to end.

Set-up (not measured): a private Dovecot on loopback, 2,000 messages of the mix in
``bench/_mail.py`` put in INBOX with MULTIAPPEND, a site migrated in a temporary folder.

Measured, in the same run:
- the floor: a plain imapclient fetch of the same messages by UID, ``intake.batch_size``
  per command (500, the intake's batch), BODY.PEEK[] + INTERNALDATE + FLAGS, nothing else. It is run
  twice and the second is kept, so both sides read from a warm server;
- the intake: one ``poll_mailbox`` over a connected mailbox, the daemon's own job: fetch,
  parse, route, store (raw message, ticket or incomplete report, events, attachments),
  queue the acknowledgements, commit, then move each message to its folder.

Target: at least 500 messages per second, and at most 2 ms of CPU a message (this
process's user and system time: less sensitive to other work on the machine than the
rate); the ratio to the plain fetch is reported.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter

from bench import database, database_option, figure, info, make_site, profiled, rate, scratch
from bench._imap import append_all, count, plain_fetch
from bench._mail import complaints

MESSAGES = 2000
TARGET = 500.0  # messages per second
TARGET_CPU_MS = 2.0  # CPU per message, of this process (the server's is not counted)


def main(argv: list[str] | None = None) -> bool:
    parser = argparse.ArgumentParser(prog="python -m bench.intake", description=__doc__)
    kind = database_option(parser)
    return measure(kind(parser.parse_args(argv or [])))


def measure(kind: str) -> bool:
    """The figures with the site's tickets in ``kind`` (`bench.database`); on PostgreSQL
    they are printed for information, without PASS or MISS."""
    from helpdesk.jobs.mailbox import poll_mailbox
    from helpdesk.testing.imap import dovecot_available, dovecot_server
    from intake.imap import Mailbox

    judged = kind == "sqlite"
    label = "intake" if judged else f"intake ({kind})"
    if reason := dovecot_available():
        return figure(label, f"not run: {reason}", passed=False)
    mix = complaints(MESSAGES)
    kinds = Counter(kind for kind, _ in mix)
    size = sum(len(raw) for _, raw in mix)
    info(
        f"{MESSAGES} messages, {size / 1e6:.1f} MB: "
        + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))
    )
    with (
        scratch("intake") as root,
        dovecot_server(root / "dovecot", {"helpdesk": "secret"}) as imap,
        database(kind) as place,
    ):
        started = time.monotonic()
        append_all(imap.port, [raw for _, raw in mix])
        info(f"appended in {time.monotonic() - started:.1f} s (MULTIAPPEND, not measured)")
        site = make_site(root, imap_port=imap.port, sections=place.sections)
        batch = site.config.intake.batch_size

        plain_fetch(imap.port, batch)  # warm the server's caches
        started = time.monotonic()
        fetched, _ = plain_fetch(imap.port, batch)
        floor_seconds = time.monotonic() - started
        assert fetched == MESSAGES, fetched

        with profiled(f"{label} poll_mailbox"):
            started, cpu, server = time.monotonic(), time.process_time(), place.server_cpu()
            with Mailbox(site.mailbox_settings()) as box:
                report = poll_mailbox(site, box, now=site.now)
            seconds, cpu = time.monotonic() - started, time.process_time() - cpu
            server = place.server_cpu() - server

        with site.store.transaction() as tx:
            queued = sum(tx.outbox_counts().values())
        left = count(imap.port, "INBOX")
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(report.outcomes.items()))
        info(f"outcomes: {outcomes}; {queued} e-mails queued; {left} left in INBOX")
        complete = report.fetched == MESSAGES and left == 0 and report.quarantined == 0
        if not complete:
            info("NOT every message was processed and moved: the figure does not count")

    throughput = rate(report.fetched, seconds)
    floor = rate(MESSAGES, floor_seconds)
    ok = figure(
        f"{label} throughput",
        f"{throughput:.0f} messages/s ({MESSAGES} in {seconds:.2f} s)",
        f">= {TARGET:.0f} messages/s" if judged else None,
        complete and throughput >= TARGET if judged else None,
    )
    cpu_ms = cpu / max(report.fetched, 1) * 1000
    ok = (
        figure(
            f"{label} CPU",
            f"{cpu_ms:.2f} ms a message ({cpu:.1f} s of CPU in all)",
            f"<= {TARGET_CPU_MS:.0f} ms a message" if judged else None,
            complete and cpu_ms <= TARGET_CPU_MS if judged else None,
        )
        and ok
    )
    if not judged:
        ok = complete
        server_ms = server / max(report.fetched, 1) * 1000
        figure(
            f"{label} CPU of the database server",
            f"{server_ms:.2f} ms a message ({server:.1f} s in all); with ours "
            f"{cpu_ms + server_ms:.2f} ms",
        )
    figure(
        f"{label} plain fetch (floor)",
        f"{floor:.0f} messages/s ({MESSAGES} in {floor_seconds:.2f} s);"
        f" intake/plain ratio {throughput / floor:.2f}",
    )
    return ok


if __name__ == "__main__":
    sys.exit(0 if main(sys.argv[1:]) else 1)
