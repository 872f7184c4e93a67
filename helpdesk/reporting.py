"""A period's service report from the site's records: one builder for `helpdesk report`
and the staff desk's report page, so that both show the same figures."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from helpdesk.wiring import Site
    from records.periods import Period
    from records.report import Report


def build_report(here: Site, period: Period) -> Report:
    from records.report import build

    config = here.config
    now = here.now()
    with here.reader.snapshot() as tx:
        tickets = tx.tickets_active_in(period.start, period.end)
        events = tx.events_of([t.id for t in tickets if t.id is not None])
        submissions = tx.submissions_created(period.start, period.end)
        completed = tx.tickets_by_id([s.ticket_id for s in submissions if s.ticket_id])
        responses = tx.survey_responses_in(period.start, period.end)
        invitations = tx.survey_invitations_in(period.start, period.end)
    return build(
        here.desk,
        period,
        now,
        tickets,
        events,
        submissions,
        completed,
        office=config.office.name,
        language=config.office.language,
        timezone=config.calendar.timezone,
        zone_label=config.calendar.zone_label,
        registered=lambda agency: config.stored_agency(agency).registered,
        responses=responses,
        invitations=invitations,
        min_group_respondents=config.survey.min_group_respondents,
    )
