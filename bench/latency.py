"""Intake latency: a complaint arrives in the mailbox; how soon does its acknowledgement
reach the SMTP server?

Set-up: a private Dovecot and an SMTP sink on loopback, a migrated site on the default
configuration (IMAP IDLE on, the documented job intervals) and the real daemon,
`helpdesk run`, in its own process, started and settled before the first complaint.

Measured: 50 complete complaints, one at a time, each put in INBOX with APPEND (the
moment it is in the mailbox) until its acknowledgement, addressed to its sender, is
accepted by the SMTP sink. Dovecot itself waits about 0.5 s before it tells an idling
client about new mail, so that much of each figure is the server's.

Target: median under 1 second (the 90th percentile and the slowest are shown too).
"""

from __future__ import annotations

import time

from bench import figure, info, make_site, median, percentile, scratch
from bench._daemon import daemon
from bench._imap import connect
from bench._mail import complaint
from helpdesk.testing.smtp import Sink, smtp_server

COMPLAINTS = 50
TARGET = 1.0  # seconds, median
WAIT = 15.0  # the longest wait for one acknowledgement before giving up on the rest


def main() -> bool:
    import datetime as dt
    import random

    from helpdesk.testing.imap import dovecot_available, dovecot_server

    if reason := dovecot_available():
        return figure("intake latency", f"not run: {reason}", passed=False)
    rng = random.Random(11)
    when = dt.datetime.now(dt.UTC)
    sink = Sink()
    with (
        scratch("latency") as root,
        dovecot_server(root / "dovecot", {"helpdesk": "secret"}) as imap,
        smtp_server(sink) as smtp,
    ):
        site = make_site(root, imap_port=imap.port, smtp_port=smtp.port)
        info(
            f"daemon: idle={site.config.daemon.idle},"
            f" outbox every {site.config.daemon.outbox_seconds} s"
        )
        client = connect(imap.port)
        latencies: list[float] = []
        with daemon(site.config.source, root / "daemon.log") as running:
            if not running.wait_for_log("connected to", 30):
                raise RuntimeError(f"the daemon did not connect: {running.tail()}")
            time.sleep(1.0)  # the first round of every job, then quiet
            for n in range(COMPLAINTS):
                raw = complaint(50_000 + n, "complete", rng, when)
                address = f"pelapor{50_000 + n:05d}@"
                seen = len(sink.received)
                client.append("INBOX", raw)
                arrived = time.monotonic()
                acknowledged = _wait_for(sink, seen, address, WAIT)
                if acknowledged is None:
                    info(f"complaint {n + 1}: no acknowledgement within {WAIT:.0f} s; stopping")
                    break
                latencies.append(acknowledged - arrived)
                time.sleep(rng.uniform(0.05, 0.3))  # complaints do not come in lockstep
        client.logout()

    if not latencies:
        return figure("intake latency", "no acknowledgement arrived", f"median < {TARGET} s", False)
    complete = len(latencies) == COMPLAINTS
    middle = median(latencies)
    figure(
        "intake latency detail",
        f"90th percentile {percentile(latencies, 0.9):.3f} s, fastest {min(latencies):.3f} s,"
        f" slowest {max(latencies):.3f} s",
    )
    return figure(
        "intake latency",
        f"median {middle:.3f} s over {len(latencies)} complaints",
        f"median < {TARGET:.0f} s over {COMPLAINTS}",
        complete and middle < TARGET,
    )


def _wait_for(sink: Sink, seen: int, address: str, seconds: float) -> float | None:
    """When the first e-mail to ``address`` after the first ``seen`` arrived."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for arrival in sink.received[seen:]:
            if any(r.startswith(address) for r in arrival.recipients):
                return arrival.at
        with sink.lock:
            sink.arrived.wait(0.05)
    return None
