"""The satisfaction survey (IKM): each closed ticket's one invitation and one response."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import exists
from sqlmodel import col, select

from ticketing.models import SurveyInvitation, SurveyResponse, Ticket
from ticketing.store.base import Part


class Surveys(Part):
    def survey_invitation(self, ticket_id: int) -> SurveyInvitation | None:
        statement = select(SurveyInvitation).where(SurveyInvitation.ticket_id == ticket_id)
        return self.session.exec(statement).first()

    def add_survey_invitation(
        self, ticket_id: int, address: str, now: dt.datetime
    ) -> SurveyInvitation:
        invitation = SurveyInvitation(ticket_id=ticket_id, address=address.lower(), invited_at=now)
        self.save(invitation)
        return invitation

    def unanswered_invitation_since(
        self, address: str, since: dt.datetime
    ) -> SurveyInvitation | None:
        """The latest invitation to ``address`` from ``since`` on that has no response."""
        answered = exists().where(col(SurveyResponse.ticket_id) == col(SurveyInvitation.ticket_id))
        statement = (
            select(SurveyInvitation)
            .where(
                col(SurveyInvitation.address) == address.lower(),
                col(SurveyInvitation.invited_at) >= since,
                ~answered,
            )
            .order_by(col(SurveyInvitation.invited_at).desc())
        )
        return self.session.exec(statement).first()

    def survey_response(self, ticket_id: int) -> SurveyResponse | None:
        statement = select(SurveyResponse).where(SurveyResponse.ticket_id == ticket_id)
        return self.session.exec(statement).first()

    def add_survey_response(self, response: SurveyResponse) -> SurveyResponse:
        self.save(response)
        return response

    def survey_responses_in(
        self, start: dt.datetime, end: dt.datetime
    ) -> list[tuple[SurveyResponse, Ticket]]:
        """The responses received in ``[start, end)``, each with its ticket, oldest first."""
        statement = (
            select(SurveyResponse, Ticket)
            .join(Ticket, col(Ticket.id) == col(SurveyResponse.ticket_id))
            .where(col(SurveyResponse.answered_at) >= start, col(SurveyResponse.answered_at) < end)
            .order_by(col(SurveyResponse.answered_at), col(SurveyResponse.id))
        )
        return [(response, ticket) for response, ticket in self.session.exec(statement)]

    def survey_invitations_in(
        self, start: dt.datetime, end: dt.datetime
    ) -> list[tuple[SurveyInvitation, dt.datetime | None]]:
        """The invitations made in ``[start, end)``, each with the moment it was answered
        (None: not answered)."""
        statement = (
            select(SurveyInvitation, col(SurveyResponse.answered_at))
            .join(
                SurveyResponse,
                col(SurveyResponse.ticket_id) == col(SurveyInvitation.ticket_id),
                isouter=True,
            )
            .where(
                col(SurveyInvitation.invited_at) >= start, col(SurveyInvitation.invited_at) < end
            )
            .order_by(col(SurveyInvitation.invited_at), col(SurveyInvitation.id))
        )
        return [(invitation, answered) for invitation, answered in self.session.exec(statement)]
