"""Footprint: the idle daemon's resident memory and CPU.

Set-up: a private Dovecot and an SMTP sink on loopback, a migrated site on the default
configuration (IMAP IDLE on, the documented job intervals) and the real daemon,
`helpdesk run`, in its own process. It first does a little real work, so that what a
working daemon loads is loaded: 20 complaints of the usual mix are put in the mailbox,
and the run waits until their answers have reached the SMTP sink.

Measured, over the next 20 seconds of quiet (the mailbox watched in IDLE, the scheduled
jobs on their intervals): resident memory at the end (and the most it ever had), the CPU
time used, and the wake-ups (context switches of all its threads).

Targets: under 100 MB resident; near-zero CPU (under 1 % of one core), no busy loop.
"""

from __future__ import annotations

import random
import time

from bench import figure, info, make_site, scratch
from bench._daemon import cpu_seconds, daemon, memory_kb, wakeups
from bench._imap import append_all
from bench._mail import complaints
from helpdesk.testing.smtp import Sink, smtp_server

WARM_UP = 20  # complaints processed before measuring
QUIET_SECONDS = 20.0
TARGET_MB = 100.0
TARGET_CPU = 0.01  # share of one core


def main() -> bool:
    from helpdesk.testing.imap import dovecot_available, dovecot_server

    if reason := dovecot_available():
        return figure("footprint", f"not run: {reason}", passed=False)
    random.seed(5)
    sink = Sink()
    with (
        scratch("footprint") as root,
        dovecot_server(root / "dovecot", {"helpdesk": "secret"}) as imap,
        smtp_server(sink) as smtp,
    ):
        site = make_site(root, imap_port=imap.port, smtp_port=smtp.port)
        with daemon(site.config.source, root / "daemon.log") as running:
            if not running.wait_for_log("connected to", 30):
                raise RuntimeError(f"the daemon did not connect: {running.tail()}")
            warm_up = complaints(WARM_UP, seed=99)
            append_all(imap.port, [raw for _, raw in warm_up])
            # an answer to each, and the help desk's copy of each that became a ticket
            answers = WARM_UP + sum(1 for kind, _ in warm_up if kind != "incomplete")
            if not sink.wait_for(answers, 60):
                raise RuntimeError(f"only {len(sink.received)} answers arrived: {running.tail()}")
            time.sleep(2.0)  # let the round that sent them finish
            cpu_before, woken_before = cpu_seconds(running.pid), wakeups(running.pid)
            started = time.monotonic()
            time.sleep(QUIET_SECONDS)
            seconds = time.monotonic() - started
            cpu = cpu_seconds(running.pid) - cpu_before
            woken = wakeups(running.pid) - woken_before
            memory = memory_kb(running.pid)
            info(f"{WARM_UP} complaints answered before the quiet period")

    resident = memory["VmRSS"] / 1024
    peak = memory["VmHWM"] / 1024
    share = cpu / seconds
    ok = figure(
        "footprint memory",
        f"{resident:.1f} MB resident (at most {peak:.1f} MB so far)",
        f"< {TARGET_MB:.0f} MB",
        resident < TARGET_MB and peak < TARGET_MB,
    )
    ok &= figure(
        "footprint idle CPU",
        f"{share * 100:.2f} % of one core ({cpu:.2f} s in {seconds:.0f} s),"
        f" {woken / seconds:.1f} wake-ups/s",
        f"< {TARGET_CPU * 100:.0f} %",
        share < TARGET_CPU,
    )
    return ok
