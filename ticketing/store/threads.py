"""Which ticket or incomplete report a reply belongs to, by the Message-IDs it answers."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select

from ticketing.models import Inbound, OutboxEmail, Submission, Ticket
from ticketing.store.base import Part


class Threads(Part):
    def ticket_in_thread(self, message_ids: Sequence[str]) -> Ticket | None:
        """The ticket a reply belongs to, by the Message-IDs it answers: one of our
        e-mails about the ticket, the reporter's first e-mail, or a message stored with it."""
        if not message_ids:
            return None
        ids = list(message_ids)
        for statement in (
            select(Ticket)
            .join(OutboxEmail, col(OutboxEmail.ticket_id) == col(Ticket.id))
            .where(col(OutboxEmail.message_id).in_(ids)),
            select(Ticket).where(col(Ticket.source_message_id).in_(ids)),
            select(Ticket)
            .join(Inbound, col(Inbound.ticket_id) == col(Ticket.id))
            .where(col(Inbound.message_id).in_(ids)),
        ):
            found = self.session.exec(statement.limit(1)).first()
            if found is not None:
                return found
        return None

    def submission_in_thread(self, message_ids: Sequence[str]) -> Submission | None:
        """The incomplete report a reply answers, by our reply's or its first Message-ID."""
        if not message_ids:
            return None
        ids = list(message_ids)
        statement = (
            select(Submission)
            .join(OutboxEmail, col(OutboxEmail.submission_id) == col(Submission.id))
            .where(col(OutboxEmail.message_id).in_(ids))
            .order_by(col(Submission.id).desc())
        )
        found = self.session.exec(statement.limit(1)).first()
        if found is None:
            statement = select(Submission).where(col(Submission.first_message_id).in_(ids))
            found = self.session.exec(statement.limit(1)).first()
        return found

    def ours_answered(self, message_ids: Sequence[str], ticket_id: int) -> list[OutboxEmail]:
        """Our e-mails about ticket ``ticket_id`` that a reply answers (by the Message-IDs
        of its In-Reply-To and References), newest first: the reply's evidence of who may
        write it, since only their recipients have seen those Message-IDs."""
        if not message_ids:
            return []
        statement = (
            select(OutboxEmail)
            .where(
                col(OutboxEmail.message_id).in_(list(message_ids)),
                col(OutboxEmail.ticket_id) == ticket_id,
            )
            .order_by(col(OutboxEmail.id).desc())
        )
        return list(self.session.exec(statement))
