"""What of the mailbox is new: its UIDVALIDITY and the UIDs after the last one read.

Asked before the rest of the intake is loaded: a poll that finds nothing (`helpdesk intake
poll` from cron, on a quiet mailbox) ends without loading the parser, the router, the
notifier and its templates.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from helpdesk.wiring import Site
    from intake.imap import Mailbox

log = logging.getLogger("helpdesk.jobs.mailbox")


@dataclass(frozen=True)
class Unread:
    uidvalidity: int
    uids: list[int]  # after the last one read; all of them when the UIDVALIDITY changed


def unread(here: Site, mailbox: Mailbox) -> Unread:
    """The messages of the mailbox's folder that no poll has read yet."""
    folder = here.config.mailbox.folder
    validity = mailbox.uidvalidity
    with here.store.transaction() as tx:
        state = tx.mailbox_state(folder)
        last_uid = state.last_uid if state and state.uidvalidity == validity else 0
        if state and state.uidvalidity != validity:
            log.warning("%s: UIDVALIDITY changed; reading it again from the start", folder)
    return Unread(validity, mailbox.uids_after(last_uid))
