"""The service report of a period: how many complaints, of what kind, from whom, and how
each SOP step kept to its service standard (mutu baku).

Everything is worked out from the record, never from the tickets' fields as they are
now: each step's start, end and deadline come from the events (every transition records
the deadline its step started with, and a resume the one it moved to), so a report of a
past month gives the same figures whenever it is made. ``build()`` is pure: tickets,
events, incomplete reports and the office's rules in, a ``Report`` out.

Time worked on a step is working time (the office calendar: hours, weekends, holidays),
less the time the ticket was paused waiting on the reporter. A step is within the
standard when it ended by its deadline. The median is the middle value (the mean of the
two middle ones for an even count); the 90th percentile is the nearest-rank one: the
smallest time that at least 90 % of the steps took no longer than.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from records.ikm import IkmSection, build_ikm
from records.periods import Period
from ticketing.calendar import BusinessCalendar, StepTime
from ticketing.desk import Desk
from ticketing.formulir import FormulirField
from ticketing.models import Event, Submission, SurveyInvitation, SurveyResponse, Ticket
from ticketing.workflow import STATE_LABELS, STEP_NAMES, State

WORST_CASES = 3

CHANNEL_LABELS: Mapping[str, Mapping[str, str]] = {
    "id": {
        "email": "E-mail",
        "phone": "Telepon",
        "letter": "Surat",
        "web": "Aplikasi web",
        "in-person": "Datang langsung",
    },
    "en": {
        "email": "E-mail",
        "phone": "Telephone",
        "letter": "Letter",
        "web": "Web application",
        "in-person": "In person",
    },
}

# The SOP's steps as the report counts them (their names: ticketing.workflow.STEP_NAMES).
# Step 2 and 3 share the first-level state: a first-level stage the help desk solved is
# step 2 (held to step 2's time alone), one it escalated is step 3 (held to the deadline
# the workflow sets: step 2's time, then step 3's).
STATE_STEP: Mapping[State, int] = {
    State.RECEIVED: 1,
    State.FIRST_LEVEL: 3,  # step 2 when the help desk solved it (see above)
    State.ESCALATED: 4,
    State.DISPOSED: 5,
    State.ESCALATED_HIGHER: 6,
    State.RESOLVED: 7,
}

# A complaint received in the period but registered after its end (a letter logged late).
LATER = {"id": "Dicatat setelah akhir periode", "en": "Registered after the period"}
UNREGISTERED = {"id": "OPD di luar daftar", "en": "Agencies not in the register"}

FIRST_LEVEL_SOLVED = frozenset({"solve"})


@dataclass(frozen=True)
class Stage:
    """One stay of a ticket in one state: one SOP step done (or still running)."""

    number: str
    state: State
    step: int
    start: dt.datetime
    end: dt.datetime
    due: dt.datetime | None  # the deadline it was held to (None: not recorded)
    worked_minutes: int  # working time, pauses excluded

    @property
    def met(self) -> bool | None:
        return None if self.due is None else self.end <= self.due


@dataclass(frozen=True)
class WorstCase:
    number: str
    minutes: int
    met: bool | None


@dataclass(frozen=True)
class StepFigures:
    step: int
    label: str
    standard: str
    done: int
    within: int
    late: int
    unknown: int  # done, but before deadlines were recorded
    median_minutes: float | None
    p90_minutes: int | None
    worst: tuple[WorstCase, ...]

    @property
    def within_percent(self) -> float | None:
        judged = self.within + self.late
        return round(100 * self.within / judged, 1) if judged else None


@dataclass(frozen=True)
class OpenTicket:
    number: str
    state: str  # the label
    received: dt.datetime
    due: dt.datetime | None
    paused: bool
    overdue: bool
    late_minutes: int  # working time past the deadline at the end of the period


@dataclass(frozen=True)
class Week:
    first_day: dt.date
    last_day: dt.date
    count: int


@dataclass(frozen=True)
class Report:
    office: str
    language: str
    timezone: str
    zone_label: str  # "WIB"
    period: Period
    as_of: dt.datetime  # the end of the period, or now for a period still running
    received: int
    closed: int  # closed within the period, whenever received
    by_type: tuple[tuple[str, int], ...]
    by_agency: tuple[tuple[str, int], ...]  # agencies not in the register: one line, last
    unregistered_agencies: tuple[tuple[str, int], ...]  # that line's names, as written
    by_channel: tuple[tuple[str, int], ...]
    by_state: tuple[tuple[str, int], ...]  # of the period's complaints, as of its end
    incomplete_received: int
    incomplete_completed: int  # of those, completed (a ticket made) by the end
    weeks: tuple[Week, ...]
    steps: tuple[StepFigures, ...]
    open_at_end: tuple[OpenTicket, ...]
    ikm: IkmSection | None = None  # the satisfaction survey (records.ikm)

    @property
    def overdue_at_end(self) -> int:
        return sum(1 for t in self.open_at_end if t.overdue)


def build(
    desk: Desk,
    period: Period,
    now: dt.datetime,
    tickets: Sequence[Ticket],
    events: Mapping[int, Sequence[Event]],
    submissions: Sequence[Submission],
    completed_by: Mapping[int, Ticket],
    *,
    office: str,
    language: str,
    timezone: str,
    zone_label: str,
    registered: Callable[[str], bool] = lambda agency: True,
    responses: Sequence[tuple[SurveyResponse, Ticket]] | None = None,
    invitations: Sequence[tuple[SurveyInvitation, dt.datetime | None]] = (),
    min_group_respondents: int = 5,
) -> Report:
    """The report of ``period``.

    ``tickets`` are those that existed during the period (older open ones included, for
    the backlog at its end), ``events`` theirs by ticket id; ``submissions`` the
    incomplete reports received in the period, and ``completed_by`` the tickets that
    completed them, by id. ``registered`` tells a Nama OPD of the register from one kept as
    written; the latter are counted together, in a line of their own. ``responses`` (the
    satisfaction survey's, received in the period, with their tickets) and ``invitations``
    (made in it, with when each was answered) make the IKM section; None leaves it out.
    """
    as_of = min(period.end, now)
    calendar = desk.calendar
    step2 = desk.sop.by_step[2]
    zone = ZoneInfo(timezone)

    received = [t for t in tickets if period.contains(t.received_at)]
    at_end = {
        t.id: _state_at(events.get(t.id or 0, ()), as_of) for t in received if t.id is not None
    }

    stages: list[Stage] = []
    open_at_end: list[OpenTicket] = []
    closed = 0
    for ticket in tickets:
        history = events.get(ticket.id or 0, ())
        for stage in _stages(ticket.number, history, calendar, step2):
            if period.start <= stage.end < as_of:
                stages.append(stage)
        closed += sum(
            1
            for e in history
            if e.to_state == State.CLOSED
            and e.from_state != e.to_state
            and period.start <= e.at < as_of
        )
        if ticket.created_at < as_of:
            state, due, paused = _state_at(history, as_of)
            if state is not None and state != State.CLOSED:
                overdue = not paused and due is not None and due < as_of
                open_at_end.append(
                    OpenTicket(
                        number=ticket.number,
                        state=STATE_LABELS[language][state],
                        received=ticket.received_at,
                        due=due,
                        paused=paused,
                        overdue=overdue,
                        late_minutes=calendar.working_minutes_between(due, as_of)
                        if overdue and due
                        else 0,
                    )
                )

    states = Counter(at_end[t.id][0] for t in received if t.id in at_end)
    unregistered = [t for t in received if not registered(t.agency)]
    return Report(
        office=office,
        language=language,
        timezone=timezone,
        zone_label=zone_label,
        period=period,
        as_of=as_of,
        received=len(received),
        closed=closed,
        by_type=_by_choice(desk.fields, "category", received),
        by_agency=(
            *_ranked(Counter(t.agency for t in received if registered(t.agency))),
            *([(UNREGISTERED[language], len(unregistered))] if unregistered else []),
        ),
        unregistered_agencies=_ranked(Counter(t.agency for t in unregistered)),
        by_channel=tuple(
            (CHANNEL_LABELS[language].get(channel, channel), n)
            for channel, n in _ranked(Counter(t.channel for t in received))
        ),
        by_state=(
            *((STATE_LABELS[language][state], states[state]) for state in State if states[state]),
            *([(LATER[language], states[None])] if states[None] else []),
        ),
        incomplete_received=len(submissions),
        incomplete_completed=sum(
            1
            for s in submissions
            if s.ticket_id is not None
            and s.ticket_id in completed_by
            and completed_by[s.ticket_id].created_at < as_of
        ),
        weeks=_weeks(period, received, zone),
        steps=tuple(_figures(desk, language, n, stages) for n in range(1, 8)),
        open_at_end=tuple(
            sorted(open_at_end, key=lambda t: (not t.overdue, -t.late_minutes, t.number))
        ),
        ikm=None
        if responses is None
        else build_ikm(
            responses,
            invitations,
            start=period.start,
            as_of=as_of,
            language=language,
            min_group=min_group_respondents,
            group_label=_group_label(desk, language),
        ),  # fmt: skip
    )


# The survey's groups without a value: a ticket never escalated to a unit.
NO_UNIT = {"id": "Help Desk (tingkat pertama)", "en": "Help desk (first level)"}


def _group_label(desk: Desk, language: str) -> Callable[[str, Ticket], str]:
    """How the IKM section names a ticket's group of each dimension (records.ikm)."""
    types = dict(next((f.choices for f in desk.fields if f.key == "category"), ()))

    def label(dimension: str, ticket: Ticket) -> str:
        if dimension == "unit":
            unit = desk.directory.units.get(ticket.unit or "")
            return unit.name if unit else NO_UNIT[language]
        if dimension == "type":
            return types.get(ticket.category, ticket.category)
        if dimension == "channel":
            return CHANNEL_LABELS[language].get(ticket.channel, ticket.channel)
        return ticket.agency

    return label


def _stages(
    number: str, events: Sequence[Event], calendar: BusinessCalendar, step2: StepTime
) -> list[Stage]:
    """The finished stays of one ticket in its states, from its events in order (the one
    still running is where `_state_at` finds the ticket)."""
    return [stage for _, stage in walk(number, events, calendar, step2)[0]]


def walk(
    number: str, events: Sequence[Event], calendar: BusinessCalendar, step2: StepTime
) -> tuple[list[tuple[int, Stage]], OpenStage | None]:
    """Each finished stage with the index of the event that ended it (whose actor did the
    step), and the stage still running, if any. Step 1 starts when the complaint was
    received (a letter's ``--received``), as its creation event records."""
    stages: list[tuple[int, Stage]] = []
    current: OpenStage | None = None
    for index, event in enumerate(events):
        moved = event.from_state is None or event.from_state != event.to_state
        if moved:
            if current is not None:
                stages.append((index, current.close(event, calendar)))
            current = None
            if event.to_state != State.CLOSED:
                start = event.at
                if event.from_state is None:
                    start = _recorded_moment(event, "started_at") or start
                current = OpenStage(number, State(event.to_state), start, _recorded_due(event))
                if current.state == State.FIRST_LEVEL:
                    current.step2_due = calendar.add(event.at, step2)
        elif current is not None and event.action == "pause":
            current.pause(event.at, calendar)
        elif current is not None and event.action == "resume":
            current.resume(event, calendar)
    return stages, current


@dataclass
class OpenStage:
    number: str
    state: State
    start: dt.datetime
    due: dt.datetime | None
    step2_due: dt.datetime | None = None
    paused_since: dt.datetime | None = None
    step2_left: int | None = None
    pauses: list[tuple[dt.datetime, dt.datetime]] = field(default_factory=list)

    def pause(self, at: dt.datetime, calendar: BusinessCalendar) -> None:
        self.paused_since = at
        if self.step2_due is not None:
            self.step2_left = calendar.working_minutes_between(at, self.step2_due)

    def resume(self, event: Event, calendar: BusinessCalendar) -> None:
        if self.paused_since is not None:
            self.pauses.append((self.paused_since, event.at))
        self.paused_since = None
        self.due = _recorded_due(event) or self.due
        if self.step2_left is not None:
            self.step2_due = calendar.add_working_minutes(event.at, self.step2_left)
            self.step2_left = None

    def close(self, event: Event, calendar: BusinessCalendar) -> Stage:
        end = event.at
        pauses = [*self.pauses]
        if self.paused_since is not None:
            pauses.append((self.paused_since, end))
        worked = calendar.working_minutes_between(self.start, end) - sum(
            calendar.working_minutes_between(a, b) for a, b in pauses
        )
        step = STATE_STEP[self.state]
        due = self.due
        if self.state == State.FIRST_LEVEL and event.action in FIRST_LEVEL_SOLVED:
            step, due = 2, self.step2_due
        return Stage(self.number, self.state, step, self.start, end, due,
                     max(worked, 0))  # fmt: skip


def _recorded_due(event: Event) -> dt.datetime | None:
    return _recorded_moment(event, "due_at")


def _recorded_moment(event: Event, key: str) -> dt.datetime | None:
    value = event.data.get(key) if isinstance(event.data, dict) else None
    if not isinstance(value, str):
        return None
    try:
        due = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return due if due.tzinfo else due.replace(tzinfo=dt.UTC)


def _state_at(
    events: Sequence[Event], moment: dt.datetime
) -> tuple[State | None, dt.datetime | None, bool]:
    """Where a ticket stood at ``moment``: its state, its deadline, and whether paused."""
    state: State | None = None
    due: dt.datetime | None = None
    paused = False
    for event in events:
        if event.at >= moment:
            break
        if event.from_state is None or event.from_state != event.to_state:
            state, due, paused = State(event.to_state), _recorded_due(event), False
        elif event.action == "pause":
            paused = True
        elif event.action == "resume":
            paused = False
            due = _recorded_due(event) or due
    return state, due, paused


def _figures(desk: Desk, language: str, step: int, stages: Sequence[Stage]) -> StepFigures:
    done = [s for s in stages if s.step == step]
    minutes = sorted(s.worked_minutes for s in done)
    standard = desk.sop.by_step[step].label(language)
    worst = sorted(done, key=lambda s: (-s.worked_minutes, s.number))[:WORST_CASES]
    return StepFigures(
        step=step,
        label=STEP_NAMES[language][step],
        standard=standard,
        done=len(done),
        within=sum(1 for s in done if s.met is True),
        late=sum(1 for s in done if s.met is False),
        unknown=sum(1 for s in done if s.met is None),
        median_minutes=statistics.median(minutes) if minutes else None,
        p90_minutes=percentile(minutes, 90),
        worst=tuple(WorstCase(s.number, s.worked_minutes, s.met) for s in worst),
    )


def percentile(ordered: Sequence[int], p: int) -> int | None:
    """The nearest-rank percentile of values sorted ascending."""
    if not ordered:
        return None
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def _by_choice(
    fields: Sequence[FormulirField], key: str, tickets: Sequence[Ticket]
) -> tuple[tuple[str, int], ...]:
    """Counts per choice of a form field, every choice listed (zeros too), in the form's
    order, then any value no longer among the choices."""
    counts = Counter(getattr(t, key) for t in tickets)
    choices = next((f.choices for f in fields if f.key == key), ())
    listed = [(label, counts.pop(value, 0)) for value, label in choices]
    return (*listed, *_ranked(counts))


def _ranked(counts: Counter[str]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0].lower())))


def _weeks(period: Period, tickets: Sequence[Ticket], zone: ZoneInfo) -> tuple[Week, ...]:
    """Complaints per calendar week (Monday to Sunday), cut to the period."""
    days = Counter(t.received_at.astimezone(zone).date() for t in tickets)
    weeks: list[Week] = []
    first = period.first_day
    while first <= period.last_day:
        last = min(first + dt.timedelta(days=6 - first.weekday()), period.last_day)
        count = sum(n for day, n in days.items() if first <= day <= last)
        weeks.append(Week(first, last, count))
        first = last + dt.timedelta(days=1)
    return tuple(weeks)
