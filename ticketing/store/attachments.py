"""The files kept with a ticket (their rows; the files are ticketing.files')."""

from __future__ import annotations

from sqlmodel import col, select

from ticketing.models import Attachment, Ticket
from ticketing.store.base import Part


class Attachments(Part):
    def add_attachment(self, attachment: Attachment) -> Attachment:
        self.session.add(attachment)
        self.session.flush()
        return attachment

    def attachments(self, ticket: Ticket) -> list[Attachment]:
        statement = (
            select(Attachment).where(Attachment.ticket_id == ticket.id).order_by(col(Attachment.id))
        )
        return list(self.session.exec(statement))
