"""What of the mailbox is new: its UIDVALIDITY and the UIDs after the last one read.

Asked before the rest of the intake is loaded: a poll that finds nothing (`helpdesk intake
poll` from cron, on a quiet mailbox) ends without loading the parser, the router, the
notifier and its templates. A poll by hand takes the mailbox's lease in the same
transaction that reads the mailbox's state (helpdesk.leases.ByHand), before the mailbox
is opened.
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
    with here.store.transaction() as tx:
        if lease is not None:
            lease.take(tx)
        state = tx.mailbox_state(here.config.mailbox.folder)
        return LastRead(state.uidvalidity, state.last_uid) if state else LastRead(None, 0)


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
