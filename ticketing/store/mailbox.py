"""How far each mailbox folder has been read."""

from __future__ import annotations

import datetime as dt

from sqlmodel import col, func, select

from ticketing.models import Inbound, MailboxState
from ticketing.store.base import Part


class Mailbox(Part):
    def mailbox_state(self, folder: str) -> MailboxState | None:
        return self.session.get(MailboxState, folder)

    def first_read(self, source: str) -> dt.datetime | None:
        """When the help desk first read a message from ``source`` ("imap:INBOX"): the
        moment it started reading that mailbox, None before it ever did."""
        query = select(func.min(col(Inbound.created_at))).where(col(Inbound.source) == source)
        first: dt.datetime | None = self.session.exec(query).one()
        if first is not None and first.tzinfo is None:  # SQLite hands back naive UTC
            first = first.replace(tzinfo=dt.UTC)
        return first

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
