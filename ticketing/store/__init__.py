"""The store: the only code that talks SQL.

The caller owns the transaction::

    with store.transaction() as tx:
        ticket, events = desk.register(tx, ...)

Nothing here commits on its own; leaving the ``with`` block commits, an exception
rolls everything back (the complaint number included, so numbers have no gaps).

`Tx` is composed of one part per concern (`ticketing.store.tx`), each in its own module:
numbering, tickets, events, attachments, the outbox and its delivery, inbound messages,
incomplete reports, threads, bounces, the mailbox, sender holds, jobs and alerts, the
daemons' leases on jobs, deadlines, phone-log imports, bulk inserts, counts, a period's
records, the satisfaction survey, and what is already stored of a batch of arriving
messages.
"""

from __future__ import annotations

from ticketing.store.database import Store
from ticketing.store.errors import (
    DatabaseUnavailable,
    LeaseLost,
    StoreError,
    database_fault,
    database_unavailable,
)
from ticketing.store.tickets import TicketFilter
from ticketing.store.tx import Tx

__all__ = [
    "DatabaseUnavailable",
    "LeaseLost",
    "Store",
    "StoreError",
    "TicketFilter",
    "Tx",
    "database_fault",
    "database_unavailable",
]
