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

The package's names are loaded when first used (PEP 562): its errors, and the plain SQL of
the leases (`ticketing.store.lease_sql`), can be imported without SQLModel, the models and
the ORM, which a poll that finds the mailbox empty never needs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ticketing.store.errors import (
    DatabaseUnavailable,
    LeaseLost,
    StoreError,
    database_fault,
    database_unavailable,
)

if TYPE_CHECKING:
    from ticketing.store.database import Store
    from ticketing.store.tickets import TicketFilter
    from ticketing.store.tx import Tx

_LAZY = {
    "Store": "ticketing.store.database",
    "TicketFilter": "ticketing.store.tickets",
    "Tx": "ticketing.store.tx",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


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
