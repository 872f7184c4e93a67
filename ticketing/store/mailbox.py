"""How far each mailbox folder has been read."""

from __future__ import annotations

import datetime as dt

from ticketing.models import MailboxState
from ticketing.store.base import Part


class Mailbox(Part):
    def mailbox_state(self, folder: str) -> MailboxState | None:
        return self.session.get(MailboxState, folder)

    def set_mailbox_state(
        self, folder: str, uidvalidity: int, last_uid: int, now: dt.datetime
    ) -> None:
        state = self.session.get(MailboxState, folder)
        if state is None:
            state = MailboxState(folder=folder, uidvalidity=uidvalidity, updated_at=now)
        state.uidvalidity = uidvalidity
        state.last_uid = last_uid
        state.updated_at = now
        self.session.add(state)
        self.session.flush()
