"""One transaction: the parts of the store, one per concern, composed into one `Tx`.

Every part works in the same session (`ticketing.store.base.Part`), so a caller holds one
``tx`` and reaches every query through it, whatever its concern.
"""

from __future__ import annotations

from ticketing.store.arrivals import Arrivals
from ticketing.store.attachments import Attachments
from ticketing.store.bounces import Bounces
from ticketing.store.bulk import Bulk
from ticketing.store.counts import Counts
from ticketing.store.deadlines import Deadlines
from ticketing.store.delivery import Delivery
from ticketing.store.events import Events
from ticketing.store.holds import Holds
from ticketing.store.inbound import Inbounds
from ticketing.store.jobs import Jobs
from ticketing.store.leases import Leases
from ticketing.store.mailbox import Mailbox
from ticketing.store.numbering import Numbering
from ticketing.store.outbox import Outbox
from ticketing.store.periods import Periods
from ticketing.store.phone import PhoneImports
from ticketing.store.submissions import Submissions
from ticketing.store.surveys import Surveys
from ticketing.store.threads import Threads
from ticketing.store.tickets import Tickets
from ticketing.store.web import Web


class Tx(
    Numbering,
    Tickets,
    Events,
    Attachments,
    Outbox,
    Delivery,
    Inbounds,
    Submissions,
    Threads,
    Bounces,
    Mailbox,
    Holds,
    Jobs,
    Leases,
    Deadlines,
    PhoneImports,
    Bulk,
    Counts,
    Periods,
    Surveys,
    Arrivals,
    Web,
):
    """One database transaction's worth of operations."""
