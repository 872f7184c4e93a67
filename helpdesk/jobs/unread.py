"""What of the mailbox is new: its UIDVALIDITY and the UIDs after the last one read.

Asked before the rest of the intake is loaded: a poll that finds nothing (`helpdesk intake
poll` from cron, on a quiet mailbox) ends without loading the parser, the router, the
notifier and its templates, nor the store's models and the ORM: the mailbox's state is one
row read in plain SQL. A poll by hand takes the mailbox's lease in the same transaction
(helpdesk.leases.ByHand), before the mailbox is opened.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from helpdesk.leases import ByHand
    from helpdesk.wiring import Site
    from intake.imap import Mailbox

log = logging.getLogger("helpdesk.jobs.mailbox")


@dataclass(frozen=True)
class Unread:
    uidvalidity: int
    uids: list[int]  # after the last one read; all of them when the UIDVALIDITY changed


@dataclass(frozen=True)
class LastRead:
    """What the store says was read of the mailbox's folder (None: nothing yet)."""

    uidvalidity: int | None
    last_uid: int


def last_read(here: Site, lease: ByHand | None = None) -> LastRead:
    """The folder's last UID read and its UIDVALIDITY then; with ``lease``, taken in the
    same transaction (HeldElsewhere when another holds it)."""
    from sqlalchemy import text

    with here.plain_transaction() as conn:
        if lease is not None:
            lease.take(conn)
        row = conn.execute(
            text("SELECT uidvalidity, last_uid FROM mailbox_state WHERE folder = :folder"),
            {"folder": here.config.mailbox.folder},
        ).first()
    return LastRead(int(row[0]), int(row[1])) if row is not None else LastRead(None, 0)


def unread(here: Site, mailbox: Mailbox, read: LastRead | None = None) -> Unread:
    """The messages of the mailbox's folder that no poll has read yet (``read``: what the
    store said, if asked already)."""
    folder = here.config.mailbox.folder
    validity = mailbox.uidvalidity
    if read is None:
        read = last_read(here)
    last_uid = read.last_uid if read.uidvalidity == validity else 0
    if read.uidvalidity is not None and read.uidvalidity != validity:
        log.warning("%s: UIDVALIDITY changed; reading it again from the start", folder)
    return Unread(validity, mailbox.uids_after(last_uid))
