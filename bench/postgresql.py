"""The intake and the phone import on PostgreSQL: `bench/intake.py` (2,000 e-mails from a
real Dovecot) and `bench/phone_import.py` (100,000 rows), each with the site's tickets in
a database of a private cluster on loopback, as an office with two daemons keeps them
(but with the test suite's settings: no fsync, so commits cost less than on an office's
server). The CPU of the cluster's processes is given beside ours: on SQLite the
database's work is done in our process and counted there.

The figures are for information, printed without PASS or MISS: the issue's targets are
SQLite's, the default. They are here so that a change that slows the PostgreSQL path
(a statement the driver converts anew for every batch, a round trip a row) shows. The
run fails only when an outcome is wrong (a message not processed, a ticket missing).

    ./bench/run postgresql        (or: python -m bench postgresql)
    python -m bench.intake --postgresql
    python -m bench.phone_import --postgresql --rows 20000
"""

from __future__ import annotations

import sys

from bench import figure, intake, phone_import

NAME = "postgresql"


def main() -> bool:
    from helpdesk.testing.postgres import postgres_available

    if reason := postgres_available():
        return figure(NAME, f"not run: {reason}", passed=False)
    ok = intake.measure("postgresql")
    return phone_import.measure(phone_import.ROWS, "postgresql") and ok


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
