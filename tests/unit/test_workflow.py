"""The SOP's state machine: which moves are allowed, by whom, and the deadline each one sets.

The calendar is the office's (Asia/Jakarta, Mon-Thu 07:30-16:00, Fri 07:30-16:30, Indonesian
holidays). Neither 2026-11-30 (Mon) to 2026-12-01 (Tue) nor 2026-12-04 (Fri) to 2026-12-07
(Mon) holds a holiday (holidays 0.109: the next ones are 2026-12-24 and 2026-12-25).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest

from ticketing.calendar import BusinessCalendar, WorkingHours
from ticketing.directory import Directory, Role, Staff, Unit
from ticketing.workflow import (
    ALLOWED_FROM,
    FORM_ACTIONS,
    PAUSABLE,
    SYSTEM_ACTIONS,
    Action,
    Move,
    Rejected,
    SopTimes,
    State,
    TicketView,
    Transition,
    allowed_actions,
    decide,
    is_overdue,
)

JAKARTA = ZoneInfo("Asia/Jakarta")


def jkt(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment in office local time."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=JAKARTA)


MON = jkt(2026, 11, 30, 10)  # Monday 10:00
TUE = jkt(2026, 12, 1, 10)  # the same clock time one working day later
FRI_LATE = jkt(2026, 12, 4, 16)  # Friday, 30 minutes before closing

# --- The office -------------------------------------------------------------------


def _staff(staff_id: str, role: Role, unit: str | None = None) -> Staff:
    return Staff(
        id=staff_id,
        name=staff_id.replace("_", " ").title(),
        email=f"{staff_id}@example.go.id",
        role=role,
        unit=unit,
    )


UNIT_KEYS = ("jaringan", "komputer", "aplikasi")


def _directory() -> Directory:
    people = [_staff("hd1", Role.HELP_DESK), _staff("hd2", Role.HELP_DESK)]
    units = {}
    for key in UNIT_KEYS:
        people.append(_staff(f"head_{key}", Role.UNIT_HEAD, key))
        technicians = (f"tech_{key}_1", f"tech_{key}_2")
        people.extend(_staff(t, Role.TECHNICIAN, key) for t in technicians)
        units[key] = Unit(
            key=key, name=f"Unit {key.title()}", head=f"head_{key}", technicians=technicians
        )
    people += [_staff("official", Role.OFFICIAL), _staff("kadis", Role.HEAD_OF_OFFICE)]
    routing = {
        "Jaringan": "jaringan",
        "E Mail": "aplikasi",
        "Komputer": "komputer",
        "Server": "jaringan",
        "Aplikasi": "aplikasi",
        "Sub Domain": "aplikasi",
        "Website": "aplikasi",
    }
    return Directory(staff={p.id: p for p in people}, units=units, routing=routing)


DIRECTORY = _directory()

MON_THU = WorkingHours(start=dt.time(7, 30), end=dt.time(16, 0))
FRIDAY = WorkingHours(start=dt.time(7, 30), end=dt.time(16, 30))
# Immutable apart from its holiday cache, so one instance serves every test.
CALENDAR = BusinessCalendar(
    timezone="Asia/Jakarta",
    hours={0: MON_THU, 1: MON_THU, 2: MON_THU, 3: MON_THU, 4: FRIDAY},
    holiday_country="ID",
)
SOP = SopTimes.from_names({})  # 1h, 2h, 1h, 1h, 1d, 1d, 1h

# --- Tickets and moves ----------------------------------------------------------------

TECH = "tech_jaringan_1"
HEAD = "head_jaringan"

# A ticket about the network in each state, on its usual path: taken by hd1, escalated
# to the jaringan unit, disposed to TECH, escalated higher to the official.
TICKETS: Mapping[State, TicketView] = {
    State.RECEIVED: TicketView(State.RECEIVED, "Jaringan", due_at=jkt(2026, 11, 30, 11)),
    State.FIRST_LEVEL: TicketView(
        State.FIRST_LEVEL, "Jaringan", assignee="hd1", due_at=jkt(2026, 11, 30, 13)
    ),
    State.ESCALATED: TicketView(
        State.ESCALATED, "Jaringan", unit="jaringan", assignee=HEAD, due_at=MON
    ),
    State.DISPOSED: TicketView(
        State.DISPOSED,
        "Jaringan",
        unit="jaringan",
        assignee=TECH,
        technician=TECH,
        due_at=jkt(2026, 11, 30, 11),
    ),
    State.ESCALATED_HIGHER: TicketView(
        State.ESCALATED_HIGHER,
        "Jaringan",
        unit="jaringan",
        assignee="official",
        technician=TECH,
        due_at=jkt(2026, 11, 30, 11),
    ),
    State.RESOLVED: TicketView(
        State.RESOLVED,
        "Jaringan",
        unit="jaringan",
        assignee=TECH,
        technician=TECH,
        due_at=jkt(2026, 11, 30, 11),
    ),
    State.CLOSED: TicketView(
        State.CLOSED, "Jaringan", unit="jaringan", assignee=TECH, technician=TECH
    ),
}


def ticket(state: State, **fields: object) -> TicketView:
    """The ticket of ``state`` with some fields changed."""
    return replace(TICKETS[state], **fields)  # type: ignore[arg-type]


def paused(state: State, at: dt.datetime = MON, remaining: int = 60) -> TicketView:
    """The ticket of ``state``, paused at ``at`` with ``remaining`` working minutes left."""
    return ticket(state, paused_at=at, remaining_minutes=remaining)


def run(view: TicketView, move: Move, now: dt.datetime = MON) -> Transition | Rejected:
    return decide(view, move, directory=DIRECTORY, sop=SOP, calendar=CALENDAR, now=now)


def _own(data: Mapping[str, object]) -> dict[str, object]:
    """A transition's data without the deadline every one records."""
    return {k: v for k, v in data.items() if k != "due_at"}


def accepted(view: TicketView, move: Move, now: dt.datetime = MON) -> Transition:
    result = run(view, move, now)
    assert isinstance(result, Transition), result
    return result


def rejected(view: TicketView, move: Move, now: dt.datetime = MON) -> str:
    result = run(view, move, now)
    assert isinstance(result, Rejected), result
    return result.message


# The right person for each move, and the note or target it needs.
ACTOR: Mapping[Action, str] = {
    Action.TAKE: "hd1",
    Action.SOLVE: "hd1",
    Action.ESCALATE: "hd1",
    Action.DISPOSE: HEAD,
    Action.RESOLVE: TECH,
    Action.ESCALATE_HIGHER: TECH,
    Action.CLOSE: "hd1",
    Action.REOPEN: "hd1",
    Action.PAUSE: "hd1",
    Action.RESUME: "hd1",
    Action.NOTE: "hd1",
}


def move(action: Action, actor: str | None = None, note: str = "ok", **kw: str) -> Move:
    return Move(action, actor or ACTOR[action], note=note, **kw)


def right_move(action: Action, state: State) -> Move:
    """The move as the right person makes it from ``state``."""
    if action == Action.DISPOSE:
        return move(action, technician=TECH)
    if state == State.ESCALATED_HIGHER and action in (Action.RESOLVE, Action.ESCALATE_HIGHER):
        return move(action, "official")
    return move(action)


# The documented target of every allowed (action, state) pair.
TARGET: Mapping[tuple[Action, State], State] = {
    (Action.TAKE, State.RECEIVED): State.FIRST_LEVEL,
    (Action.SOLVE, State.RECEIVED): State.RESOLVED,
    (Action.SOLVE, State.FIRST_LEVEL): State.RESOLVED,
    (Action.ESCALATE, State.RECEIVED): State.ESCALATED,
    (Action.ESCALATE, State.FIRST_LEVEL): State.ESCALATED,
    (Action.DISPOSE, State.ESCALATED): State.DISPOSED,
    (Action.RESOLVE, State.DISPOSED): State.RESOLVED,
    (Action.RESOLVE, State.ESCALATED_HIGHER): State.RESOLVED,
    (Action.ESCALATE_HIGHER, State.DISPOSED): State.ESCALATED_HIGHER,
    (Action.ESCALATE_HIGHER, State.ESCALATED_HIGHER): State.ESCALATED_HIGHER,
    (Action.CLOSE, State.RESOLVED): State.CLOSED,
    (Action.REOPEN, State.RESOLVED): State.DISPOSED,
    **{(Action.PAUSE, s): s for s in PAUSABLE},
    **{(Action.RESUME, s): s for s in PAUSABLE},
    **{(Action.NOTE, s): s for s in State},
}

ALLOWED_PAIRS = sorted((a, s) for a, states in ALLOWED_FROM.items() for s in states)
FORBIDDEN_PAIRS = sorted(
    (a, s)
    for a in Action
    if a not in SYSTEM_ACTIONS | FORM_ACTIONS
    for s in State
    if s not in ALLOWED_FROM.get(a, frozenset())
)


def _pair_id(pair: tuple[Action, State]) -> str:
    return f"{pair[0].value}-{pair[1].value}"


# --- Which moves each state allows ------------------------------------------------------


def test_every_allowed_pair_has_a_documented_target() -> None:
    """The table of targets covers exactly the pairs ALLOWED_FROM allows."""
    assert set(TARGET) == set(ALLOWED_PAIRS)


@pytest.mark.parametrize(("action", "state"), ALLOWED_PAIRS, ids=map(_pair_id, ALLOWED_PAIRS))
def test_allowed_move_reaches_its_target(action: Action, state: State) -> None:
    """Each allowed move, made by the right person, reaches the documented state."""
    view = paused(state) if action == Action.RESUME else TICKETS[state]
    request = right_move(action, state)

    result = accepted(view, request)

    assert (result.action, result.actor) == (action, request.actor)
    assert (result.from_state, result.to_state) == (state, TARGET[(action, state)])
    assert result.note == "ok"
    assert result.channel == "cli"


@pytest.mark.parametrize(("action", "state"), FORBIDDEN_PAIRS, ids=map(_pair_id, FORBIDDEN_PAIRS))
def test_forbidden_move_is_rejected_naming_action_and_state(action: Action, state: State) -> None:
    """A move the state does not allow is rejected with a message naming both."""
    message = rejected(TICKETS[state], right_move(action, state))

    assert f"'{action.value}' is not allowed while the ticket is {state.value}" in message


@pytest.mark.parametrize("state", list(State))
def test_a_form_correction_is_no_workflow_move(state: State) -> None:
    """decide() refuses 'edit' in every state: the form is corrected by desk.edit alone."""
    message = rejected(TICKETS[state], Move(Action.EDIT, "hd1", note="ok"))
    assert f"'edit' is not allowed while the ticket is {state.value}" in message


def test_forbidden_move_message_lists_the_allowed_moves() -> None:
    """The rejection of a forbidden move says which moves the state allows."""
    message = rejected(TICKETS[State.ESCALATED], move(Action.CLOSE))

    assert (
        message == "'close' is not allowed while the ticket is escalated (allowed: dispose, note)"
    )


def test_forbidden_pairs_count() -> None:
    """Fifty of the 77 (action, state) pairs outside CREATE are forbidden."""
    assert (len(ALLOWED_PAIRS), len(FORBIDDEN_PAIRS)) == (27, 50)


# --- Who may move a ticket --------------------------------------------------------------


def test_unknown_staff_member_is_rejected() -> None:
    """A move by an id the directory does not know is rejected, naming the id."""
    message = rejected(TICKETS[State.RECEIVED], move(Action.TAKE, "nobody"))

    assert message == "unknown staff member 'nobody'"


@pytest.mark.parametrize("action", [Action.TAKE, Action.SOLVE, Action.ESCALATE])
@pytest.mark.parametrize("actor", [HEAD, TECH, "official", "kadis"])
def test_help_desk_moves_are_rejected_for_others(action: Action, actor: str) -> None:
    """Only a help desk officer may take, solve or escalate."""
    message = rejected(TICKETS[State.RECEIVED], move(action, actor))

    assert message.endswith(f"'{action.value}' is for help_desk")
    assert message.startswith(f"{actor} is ")


def test_take_assigns_the_officer() -> None:
    """Taking a ticket moves it to first level, assigned to the officer."""
    result = accepted(TICKETS[State.RECEIVED], move(Action.TAKE, "hd2"))

    assert result.changes == {
        "state": State.FIRST_LEVEL,
        "step_started_at": MON,
        "due_at": jkt(2026, 11, 30, 13),
        "paused_at": None,
        "remaining_minutes": None,
        "assignee": "hd2",
    }
    assert _own(result.data) == {}


def test_solve_records_the_solution() -> None:
    """Solving at first level resolves the ticket with the officer's solution."""
    result = accepted(
        TICKETS[State.FIRST_LEVEL], move(Action.SOLVE, "hd2", note="  Restart router  ")
    )

    assert result.note == "Restart router"
    assert result.changes == {
        "state": State.RESOLVED,
        "step_started_at": MON,
        "due_at": jkt(2026, 11, 30, 11),
        "paused_at": None,
        "remaining_minutes": None,
        "solution": "Restart router",
        "assignee": "hd2",
        "resolved_at": MON,
    }


def test_dispose_assigns_the_technician() -> None:
    """The unit head disposes the ticket to one of the unit's technicians."""
    result = accepted(TICKETS[State.ESCALATED], move(Action.DISPOSE, technician="tech_jaringan_2"))

    assert result.changes == {
        "state": State.DISPOSED,
        "step_started_at": MON,
        "due_at": TUE,
        "paused_at": None,
        "remaining_minutes": None,
        "assignee": "tech_jaringan_2",
        "technician": "tech_jaringan_2",
    }
    assert _own(result.data) == {"technician": "tech_jaringan_2", "sifat": "biasa"}


@pytest.mark.parametrize(
    ("written", "recorded"),
    [("Segera", "segera"), ("sangat-segera", "sangat_segera"), ("Very urgent", "sangat_segera"),
     ("BIASA", "biasa"), ("ordinary", "biasa")],
)  # fmt: skip
def test_dispose_records_its_sifat(written: str, recorded: str) -> None:
    """A disposition records its Sifat, named in either language."""
    result = accepted(
        TICKETS[State.ESCALATED], move(Action.DISPOSE, technician=TECH, sifat=written)
    )
    assert result.data["sifat"] == recorded


def test_dispose_with_an_unknown_sifat_is_rejected() -> None:
    """A Sifat that is none of the three is refused with the three named."""
    message = rejected(
        TICKETS[State.ESCALATED], move(Action.DISPOSE, technician=TECH, sifat="kilat")
    )
    assert message == "unknown sifat 'kilat' (one of Very urgent, Urgent, Ordinary)"


@pytest.mark.parametrize("actor", ["head_komputer", TECH, "hd1", "official", "kadis"])
def test_dispose_by_anyone_but_the_unit_head_is_rejected(actor: str) -> None:
    """Only the head of the ticket's unit may dispose it."""
    message = rejected(TICKETS[State.ESCALATED], move(Action.DISPOSE, actor, technician=TECH))

    assert message == "only the head of unit jaringan (head_jaringan) may dispose this ticket"


def test_dispose_to_a_technician_of_another_unit_is_rejected() -> None:
    """The unit head may dispose only to a technician of the ticket's unit."""
    message = rejected(TICKETS[State.ESCALATED], move(Action.DISPOSE, technician="tech_komputer_1"))

    assert message == (
        "'tech_komputer_1' is not a technician of unit jaringan"
        " (technicians: tech_jaringan_1, tech_jaringan_2)"
    )


def test_dispose_to_a_non_technician_is_rejected() -> None:
    """The unit head cannot dispose to a help desk officer."""
    message = rejected(TICKETS[State.ESCALATED], move(Action.DISPOSE, technician="hd1"))

    assert message.startswith("'hd1' is not a technician of unit jaringan")


def test_dispose_without_a_technician_is_rejected() -> None:
    """Disposing needs the technician's id."""
    message = rejected(TICKETS[State.ESCALATED], move(Action.DISPOSE))

    assert message == "name the technician (--to); in jaringan: tech_jaringan_1, tech_jaringan_2"


def test_dispose_of_a_ticket_without_unit_is_rejected() -> None:
    """An escalated ticket without a unit cannot be disposed."""
    message = rejected(ticket(State.ESCALATED, unit=None), move(Action.DISPOSE, technician=TECH))

    assert message == "the ticket has no unit"


HANDLERS = [
    (State.DISPOSED, TECH),
    (State.DISPOSED, HEAD),
    (State.ESCALATED_HIGHER, "official"),
    (State.ESCALATED_HIGHER, TECH),
    (State.ESCALATED_HIGHER, HEAD),
]
NOT_HANDLERS = [
    (State.DISPOSED, "tech_jaringan_2"),
    (State.DISPOSED, "tech_komputer_1"),
    (State.DISPOSED, "head_komputer"),
    (State.DISPOSED, "hd1"),
    (State.DISPOSED, "official"),
    (State.DISPOSED, "kadis"),
    (State.ESCALATED_HIGHER, "tech_jaringan_2"),
    (State.ESCALATED_HIGHER, "hd1"),
    (State.ESCALATED_HIGHER, "kadis"),
]


@pytest.mark.parametrize(("state", "actor"), HANDLERS)
def test_handler_may_resolve(state: State, actor: str) -> None:
    """The assigned technician, the unit head and the official it went to may resolve."""
    result = accepted(TICKETS[state], move(Action.RESOLVE, actor, note="Cable replaced"))

    assert result.to_state == State.RESOLVED
    assert result.changes == {
        "state": State.RESOLVED,
        "step_started_at": MON,
        "due_at": jkt(2026, 11, 30, 11),
        "paused_at": None,
        "remaining_minutes": None,
        "solution": "Cable replaced",
        "resolved_at": MON,
    }


@pytest.mark.parametrize(("state", "actor"), NOT_HANDLERS)
def test_others_may_not_resolve(state: State, actor: str) -> None:
    """Someone who does not handle the ticket may not resolve it."""
    message = rejected(TICKETS[state], move(Action.RESOLVE, actor))

    assert message == (
        f"{actor} does not handle this ticket (assigned to {TICKETS[state].assignee})"
    )


@pytest.mark.parametrize(("state", "actor"), HANDLERS[:2])
def test_handler_may_escalate_higher(state: State, actor: str) -> None:
    """The assigned technician and the unit head may escalate higher."""
    result = accepted(TICKETS[state], move(Action.ESCALATE_HIGHER, actor))

    assert result.changes["assignee"] == "official"


@pytest.mark.parametrize(("state", "actor"), NOT_HANDLERS)
def test_others_may_not_escalate_higher(state: State, actor: str) -> None:
    """Someone who does not handle the ticket may not escalate it higher."""
    message = rejected(TICKETS[state], move(Action.ESCALATE_HIGHER, actor))

    assert message.startswith(f"{actor} does not handle this ticket")


@pytest.mark.parametrize("actor", ["hd1", "hd2", HEAD, TECH])
def test_help_desk_and_unit_staff_may_close(actor: str) -> None:
    """The help desk or the unit's staff close a resolved ticket."""
    result = accepted(TICKETS[State.RESOLVED], move(Action.CLOSE, actor, note="by phone"))

    assert result.changes == {
        "state": State.CLOSED,
        "step_started_at": MON,
        "due_at": None,
        "paused_at": None,
        "remaining_minutes": None,
        "closed_at": MON,
    }


@pytest.mark.parametrize(("actor", "role"), [("official", "official"), ("kadis", "head_of_office")])
def test_official_and_head_of_office_may_not_close(actor: str, role: str) -> None:
    """Closing is not for the official or the head of office."""
    message = rejected(TICKETS[State.RESOLVED], move(Action.CLOSE, actor, note="by phone"))

    assert message == f"{actor} is {role}; the help desk or the unit closes tickets"


# --- Escalation to a unit -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "unit"),
    [
        ("Jaringan", "jaringan"),
        ("E Mail", "aplikasi"),
        ("Komputer", "komputer"),
        ("Server", "jaringan"),
        ("Aplikasi", "aplikasi"),
        ("Sub Domain", "aplikasi"),
        ("Website", "aplikasi"),
    ],
)
def test_escalate_routes_by_complaint_type(category: str, unit: str) -> None:
    """Escalation goes to the unit of the complaint type, whose head becomes assignee."""
    result = accepted(ticket(State.FIRST_LEVEL, category=category), move(Action.ESCALATE))

    assert result.changes == {
        "state": State.ESCALATED,
        "step_started_at": MON,
        "due_at": jkt(2026, 11, 30, 11),
        "paused_at": None,
        "remaining_minutes": None,
        "unit": unit,
        "assignee": f"head_{unit}",
    }
    assert _own(result.data) == {"unit": unit, "unit_head": f"head_{unit}"}


def test_escalate_to_a_named_unit_overrides_the_routing() -> None:
    """--unit sends a Komputer complaint to the aplikasi unit instead."""
    view = ticket(State.FIRST_LEVEL, category="Komputer")

    result = accepted(view, move(Action.ESCALATE, unit="aplikasi"))

    assert (result.changes["unit"], result.changes["assignee"]) == ("aplikasi", "head_aplikasi")


def test_escalate_to_an_unknown_unit_is_rejected() -> None:
    """A unit the directory does not know is rejected, listing the known ones."""
    message = rejected(TICKETS[State.FIRST_LEVEL], move(Action.ESCALATE, unit="server"))

    assert message == "unknown unit 'server' (known: jaringan, komputer, aplikasi)"


def test_escalate_of_an_unrouted_complaint_type_is_rejected() -> None:
    """A complaint type without a unit needs --unit."""
    message = rejected(ticket(State.FIRST_LEVEL, category="Printer"), move(Action.ESCALATE))

    assert message == "no unit handles 'Printer'; name one with --unit"


# --- Escalation to a higher level ------------------------------------------------------------


def test_escalate_higher_goes_to_the_official_first() -> None:
    """From the technician the ticket goes to the official, with the report."""
    result = accepted(TICKETS[State.DISPOSED], move(Action.ESCALATE_HIGHER, note="Needs budget"))

    assert result.changes == {
        "state": State.ESCALATED_HIGHER,
        "step_started_at": MON,
        "due_at": TUE,
        "paused_at": None,
        "remaining_minutes": None,
        "assignee": "official",
    }
    assert _own(result.data) == {"escalated_to": "official", "report": "Needs budget"}


def test_escalate_higher_again_goes_to_the_head_of_office() -> None:
    """From the official the ticket goes to the head of office."""
    result = accepted(
        TICKETS[State.ESCALATED_HIGHER], move(Action.ESCALATE_HIGHER, "official", note="Policy")
    )

    assert result.changes["assignee"] == "kadis"
    assert _own(result.data) == {"escalated_to": "kadis", "report": "Policy"}


def test_escalate_higher_to_a_named_head_of_office() -> None:
    """The technician may name the head of office directly."""
    result = accepted(TICKETS[State.DISPOSED], move(Action.ESCALATE_HIGHER, target="kadis"))

    assert result.changes["assignee"] == "kadis"


def test_escalate_higher_to_a_technician_is_rejected() -> None:
    """Escalating higher to a technician is rejected."""
    message = rejected(
        TICKETS[State.DISPOSED], move(Action.ESCALATE_HIGHER, target="tech_jaringan_2")
    )

    assert message == (
        "tech_jaringan_2 is technician; escalate to an official or the head of office"
    )


def test_escalate_higher_to_an_unknown_person_is_rejected() -> None:
    """Escalating higher to an id the directory does not know is rejected."""
    message = rejected(TICKETS[State.DISPOSED], move(Action.ESCALATE_HIGHER, target="ghost"))

    assert message == "unknown staff member 'ghost'"


def test_escalate_higher_beyond_the_head_of_office_is_rejected() -> None:
    """The head of office is the top: escalating higher again is rejected."""
    view = ticket(State.ESCALATED_HIGHER, assignee="kadis")

    message = rejected(view, move(Action.ESCALATE_HIGHER, "kadis"))

    assert message == "the ticket is already with kadis"


# --- Required notes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "state", "needs"),
    [
        (Action.SOLVE, State.FIRST_LEVEL, "the solution (--solution)"),
        (Action.RESOLVE, State.DISPOSED, "the solution (--solution)"),
        (Action.CLOSE, State.RESOLVED, "how the reporter confirmed (--confirmation)"),
        (Action.ESCALATE_HIGHER, State.DISPOSED, "the technician's report (--report)"),
        (Action.PAUSE, State.DISPOSED, "what is awaited from the reporter (--reason)"),
        (Action.REOPEN, State.RESOLVED, "the reason (--reason)"),
        (Action.NOTE, State.DISPOSED, "the text of the note"),
    ],
)
@pytest.mark.parametrize("note", ["", "  \n "])
def test_move_without_its_note_is_rejected(
    action: Action, state: State, needs: str, note: str
) -> None:
    """A move that needs a note is rejected when the note is empty or blank."""
    message = rejected(TICKETS[state], move(action, note=note))

    assert message == f"'{action.value}' needs {needs}"


# --- Deadlines -----------------------------------------------------------------------------


def test_received_deadline_is_one_working_hour() -> None:
    """A new ticket must be registered within one working hour."""
    assert SOP.deadline(State.RECEIVED, MON, CALENDAR) == jkt(2026, 11, 30, 11)


@pytest.mark.parametrize(
    ("action", "state", "due"),
    [
        (Action.TAKE, State.RECEIVED, jkt(2026, 11, 30, 13)),  # first_level: 2h + 1h
        (Action.SOLVE, State.RECEIVED, jkt(2026, 11, 30, 11)),  # resolved: 1h
        (Action.ESCALATE, State.FIRST_LEVEL, jkt(2026, 11, 30, 11)),  # escalated: 1h
        (Action.DISPOSE, State.ESCALATED, TUE),  # disposed: 1 working day
        (Action.ESCALATE_HIGHER, State.DISPOSED, TUE),  # escalated_higher: 1 working day
        (Action.RESOLVE, State.DISPOSED, jkt(2026, 11, 30, 11)),  # resolved: 1h
        (Action.CLOSE, State.RESOLVED, None),  # closed: no deadline
    ],
    ids=lambda v: v.value if isinstance(v, Action) else None,
)
def test_transition_sets_the_deadline_of_its_target_state(
    action: Action, state: State, due: dt.datetime | None
) -> None:
    """Each transition sets due_at from the SOP time of the state it enters."""
    result = accepted(TICKETS[state], right_move(action, state))

    assert result.changes["due_at"] == due
    assert result.changes["step_started_at"] == MON


def test_deadline_is_an_aware_utc_moment() -> None:
    """The deadline is timezone-aware, in UTC."""
    result = accepted(TICKETS[State.RECEIVED], move(Action.TAKE))

    assert result.changes["due_at"] == dt.datetime(2026, 11, 30, 6, tzinfo=dt.UTC)
    assert result.changes["due_at"].utcoffset() == dt.timedelta(0)


def test_first_level_deadline_late_on_friday_rolls_to_monday() -> None:
    """Three working hours from Friday 16:00 end on Monday 10:00 (30 minutes on Friday)."""
    result = accepted(TICKETS[State.RECEIVED], move(Action.TAKE), now=FRI_LATE)

    assert result.changes["due_at"] == jkt(2026, 12, 7, 10)


def test_one_hour_late_on_friday_rolls_to_monday_morning() -> None:
    """One working hour from Friday 16:15 ends on Monday 08:15."""
    result = accepted(
        TICKETS[State.FIRST_LEVEL], move(Action.ESCALATE), now=jkt(2026, 12, 4, 16, 15)
    )

    assert result.changes["due_at"] == jkt(2026, 12, 7, 8, 15)


def test_one_day_from_late_friday_is_clamped_to_monday_closing() -> None:
    """One working day from Friday 16:15 ends at Monday's 16:00 closing time."""
    result = accepted(
        TICKETS[State.ESCALATED],
        move(Action.DISPOSE, technician=TECH),
        now=jkt(2026, 12, 4, 16, 15),
    )

    assert result.changes["due_at"] == jkt(2026, 12, 7, 16)


# --- Pause and resume ---------------------------------------------------------------------


def test_pause_stores_the_remaining_working_minutes() -> None:
    """Pausing stops the clock and keeps the working minutes left until the deadline."""
    result = accepted(TICKETS[State.DISPOSED], move(Action.PAUSE, note="Waiting for the IP"))

    assert result.to_state == State.DISPOSED
    assert result.changes == {"paused_at": MON, "remaining_minutes": 60}
    assert _own(result.data) == {"remaining_minutes": 60}


def test_pause_counts_only_working_minutes() -> None:
    """A deadline on Monday 08:00 paused on Friday 16:00 keeps 60 minutes, not the weekend."""
    view = ticket(State.DISPOSED, due_at=jkt(2026, 12, 7, 8))

    result = accepted(view, move(Action.PAUSE), now=FRI_LATE)

    assert result.changes == {"paused_at": FRI_LATE, "remaining_minutes": 60}


def test_pause_past_the_deadline_keeps_no_time() -> None:
    """A ticket paused after its deadline has no working minutes left."""
    result = accepted(TICKETS[State.DISPOSED], move(Action.PAUSE), now=jkt(2026, 11, 30, 12))

    assert result.changes["remaining_minutes"] == 0


def test_resume_sets_a_deadline_from_the_remaining_minutes() -> None:
    """Paused Monday 10:00 with 60 minutes left, resumed Tuesday 09:00: due Tuesday 10:00."""
    view = paused(State.DISPOSED, at=MON, remaining=60)

    result = accepted(view, move(Action.RESUME), now=jkt(2026, 12, 1, 9))

    assert result.to_state == State.DISPOSED
    assert result.changes == {
        "paused_at": None,
        "remaining_minutes": None,
        "due_at": jkt(2026, 12, 1, 10),
    }
    assert _own(result.data) == {"paused_since": MON.isoformat()}


def test_resume_outside_working_hours_counts_from_the_next_opening() -> None:
    """Resumed on Saturday with 60 minutes left, the ticket is due Monday 08:30."""
    view = paused(State.FIRST_LEVEL, at=FRI_LATE, remaining=60)

    result = accepted(view, move(Action.RESUME), now=jkt(2026, 12, 5, 11))

    assert result.changes["due_at"] == jkt(2026, 12, 7, 8, 30)


@pytest.mark.parametrize("state", sorted(PAUSABLE))
def test_resume_when_not_paused_is_rejected(state: State) -> None:
    """A ticket that is not paused cannot be resumed."""
    message = rejected(TICKETS[state], move(Action.RESUME))

    assert message == "the ticket is not paused"


def test_pause_when_paused_is_rejected() -> None:
    """A paused ticket cannot be paused again."""
    message = rejected(paused(State.DISPOSED), move(Action.PAUSE, note="again"))

    assert message == "the ticket is already paused"


@pytest.mark.parametrize("state", sorted(set(State) - PAUSABLE))
def test_pause_outside_the_pausable_states_is_rejected(state: State) -> None:
    """Received, escalated and closed tickets cannot be paused."""
    message = rejected(TICKETS[state], move(Action.PAUSE))

    assert message.startswith(f"'pause' is not allowed while the ticket is {state.value}")


PAUSED_BLOCKED = sorted(
    (a, s)
    for a, states in ALLOWED_FROM.items()
    for s in states & PAUSABLE
    if a not in (Action.RESUME, Action.NOTE, Action.PAUSE)
)


@pytest.mark.parametrize(("action", "state"), PAUSED_BLOCKED, ids=map(_pair_id, PAUSED_BLOCKED))
def test_paused_ticket_rejects_every_move_but_resume_and_note(action: Action, state: State) -> None:
    """While paused, a move the state allows is rejected until the ticket is resumed."""
    message = rejected(paused(state), right_move(action, state))

    assert message == (
        f"the ticket is paused, waiting on the reporter; resume it before '{action.value}'"
    )


@pytest.mark.parametrize("state", sorted(PAUSABLE))
def test_paused_ticket_rejects_moves_its_state_never_allows(state: State) -> None:
    """While paused, a move the state does not allow lists only resume and note."""
    message = rejected(paused(state), move(Action.DISPOSE, technician=TECH))

    assert message == (
        f"'dispose' is not allowed while the ticket is {state.value} (allowed: resume, note)"
    )


@pytest.mark.parametrize("state", sorted(PAUSABLE))
def test_note_on_a_paused_ticket_keeps_it_paused(state: State) -> None:
    """A note on a paused ticket changes no field."""
    result = accepted(paused(state), move(Action.NOTE, "official", note="Called the reporter"))

    assert (result.to_state, result.changes) == (state, {})


def test_paused_ticket_is_not_overdue() -> None:
    """A paused ticket past its deadline is not overdue."""
    assert not is_overdue(State.DISPOSED, MON, True, TUE)


def test_running_ticket_past_its_deadline_is_overdue() -> None:
    """A running ticket past its deadline is overdue."""
    assert is_overdue(State.DISPOSED, MON, False, TUE)


def test_ticket_is_not_overdue_at_its_deadline() -> None:
    """A ticket is overdue only after the deadline, not at it."""
    assert not is_overdue(State.DISPOSED, MON, False, MON)


def test_closed_ticket_is_not_overdue() -> None:
    """A closed ticket is never overdue."""
    assert not is_overdue(State.CLOSED, MON, False, TUE)


@pytest.mark.parametrize("state", sorted(PAUSABLE))
def test_paused_ticket_allows_only_resume_and_note(state: State) -> None:
    """allowed_actions of a paused ticket are resume and note."""
    assert allowed_actions(state, paused=True) == [Action.RESUME, Action.NOTE]


@pytest.mark.parametrize(
    ("state", "actions"),
    [
        (State.RECEIVED, ["take", "solve", "escalate", "note"]),
        (State.FIRST_LEVEL, ["solve", "escalate", "pause", "note"]),
        (State.ESCALATED, ["dispose", "note"]),
        (State.DISPOSED, ["resolve", "escalate_higher", "pause", "note"]),
        (State.ESCALATED_HIGHER, ["resolve", "escalate_higher", "pause", "note"]),
        (State.RESOLVED, ["close", "reopen", "pause", "note"]),
        (State.CLOSED, ["note"]),
    ],
)
def test_running_ticket_allows_the_moves_of_its_state(state: State, actions: list[str]) -> None:
    """allowed_actions of a running ticket are its state's moves, without resume."""
    assert allowed_actions(state) == actions


# --- Reopen --------------------------------------------------------------------------------


def test_reopen_returns_to_the_technician() -> None:
    """A ticket a technician handled is reopened to that technician."""
    result = accepted(TICKETS[State.RESOLVED], move(Action.REOPEN, note="Still down"))

    assert result.changes == {
        "state": State.DISPOSED,
        "step_started_at": MON,
        "due_at": TUE,
        "paused_at": None,
        "remaining_minutes": None,
        "assignee": TECH,
        "resolved_at": None,
    }


def test_reopen_without_technician_returns_to_first_level() -> None:
    """A ticket the help desk solved is reopened to first level, with the officer who
    solved it, whichever officer reopens it on the reporter's word."""
    view = TicketView(State.RESOLVED, "Jaringan", assignee="hd1", due_at=MON)

    result = accepted(view, move(Action.REOPEN, "hd2", note="Still down"))

    assert result.changes == {
        "state": State.FIRST_LEVEL,
        "step_started_at": MON,
        "due_at": jkt(2026, 11, 30, 13),
        "paused_at": None,
        "remaining_minutes": None,
        "assignee": "hd1",
        "resolved_at": None,
    }
    assert result.data["reopened_to"] == "hd1"


def test_the_help_desk_reopens_to_the_official_who_solved_it() -> None:
    """The help desk reopens on the reporter's word, as the reporter's own "BELUM" does:
    back to the official who solved it at step 6, not down to the technician."""
    view = replace(TICKETS[State.RESOLVED], assignee="official")

    result = accepted(view, move(Action.REOPEN, "hd1", note="Pelapor: masih putus"))

    assert (result.to_state, result.changes["assignee"]) == (State.ESCALATED_HIGHER, "official")
    assert result.data["reopened_to"] == "official"


def test_the_unit_head_reopens_to_the_technician() -> None:
    """The head of the unit reopens on their own review, to the unit's technician."""
    view = replace(TICKETS[State.RESOLVED], assignee="official")

    result = accepted(view, move(Action.REOPEN, "head_jaringan", note="Belum tuntas"))

    assert (result.to_state, result.changes["assignee"]) == (State.DISPOSED, TECH)


def test_the_help_desk_reopens_to_itself_when_the_solver_has_left() -> None:
    """A first-level solution by an officer no longer in the directory: to the officer
    who reopens it."""
    view = TicketView(State.RESOLVED, "Jaringan", assignee="gone", due_at=MON)

    result = accepted(view, move(Action.REOPEN, "hd2", note="Still down"))

    assert (result.to_state, result.changes["assignee"]) == (State.FIRST_LEVEL, "hd2")


@pytest.mark.parametrize("actor", [TECH, "official", "kadis"])
def test_reopen_by_others_than_help_desk_or_unit_head_is_rejected(actor: str) -> None:
    """Only the help desk or the head of the ticket's unit may reopen a ticket."""
    message = rejected(TICKETS[State.RESOLVED], move(Action.REOPEN, actor))

    assert message == (
        f"{actor} may not reopen this ticket; the help desk or the head of its unit does"
    )


def test_reopen_by_the_head_of_another_unit_is_rejected() -> None:
    """A unit head cannot reopen a ticket of another unit."""
    message = rejected(TICKETS[State.RESOLVED], move(Action.REOPEN, "head_aplikasi"))

    assert message.startswith("head_aplikasi may not reopen this ticket")


def test_close_by_staff_of_another_unit_is_rejected() -> None:
    """A technician of another unit cannot close the ticket."""
    message = rejected(TICKETS[State.RESOLVED], move(Action.CLOSE, "tech_komputer_1"))

    assert message.startswith("tech_komputer_1 does not handle this ticket")


@pytest.mark.parametrize("actor", ["tech_aplikasi_1", "head_komputer", "kadis"])
def test_pause_by_someone_not_handling_the_ticket_is_rejected(actor: str) -> None:
    """Only the help desk or those handling the ticket stop its clock."""
    message = rejected(TICKETS[State.DISPOSED], move(Action.PAUSE, actor, note="tunggu"))

    assert message.startswith(f"{actor} does not handle this ticket")


def test_escalation_never_goes_down_the_ladder() -> None:
    """The head of office cannot send a ticket back down to the official."""
    ticket = replace(TICKETS[State.ESCALATED_HIGHER], assignee="kadis")
    message = rejected(
        ticket, move(Action.ESCALATE_HIGHER, "kadis", note="kembali", target="official")
    )

    assert message == "official is below kadis; escalation only goes up"


# --- Notes ----------------------------------------------------------------------------------


def test_note_keeps_the_state_and_changes_nothing() -> None:
    """A note is recorded as an event without changing the ticket."""
    result = accepted(
        TICKETS[State.CLOSED], move(Action.NOTE, "kadis", note="Reviewed", channel="web")
    )

    assert (result.from_state, result.to_state) == (State.CLOSED, State.CLOSED)
    assert (result.changes, result.data) == ({}, {})
    assert (result.actor, result.note, result.channel) == ("kadis", "Reviewed", "web")


# --- The reporter, by e-mail ----------------------------------------------------------


def test_reporter_may_add_a_note_by_e_mail() -> None:
    """A reporter's e-mail is recorded on the ticket with their address as the actor."""
    result = accepted(
        TICKETS[State.DISPOSED],
        Move(Action.NOTE, "budi@dinkes.example.go.id", note="Sudah saya coba", reporter=True),
    )
    assert (result.actor, result.to_state) == ("budi@dinkes.example.go.id", State.DISPOSED)


def test_reporters_answer_restarts_a_paused_clock() -> None:
    """A reporter's reply resumes a ticket that was waiting on them."""
    result = accepted(
        paused(State.DISPOSED),
        Move(Action.RESUME, "budi@dinkes.example.go.id", note="jawab", reporter=True),
        now=TUE,
    )
    assert result.changes["paused_at"] is None and result.changes["due_at"] is not None


def test_reporter_confirming_the_final_report_closes_the_ticket() -> None:
    """A "YA" to the Laporan Akhir: step 7 is done, the ticket closed in the reporter's name."""
    result = accepted(
        TICKETS[State.RESOLVED],
        Move(Action.CLOSE, "budi@x.id", note="Ya, sudah normal", reporter=True, channel="email"),
    )
    assert (result.to_state, result.actor) == (State.CLOSED, "budi@x.id")
    assert result.changes["closed_at"] == MON and result.changes["due_at"] is None


def test_reporter_not_yet_reopens_to_the_technician_who_solved_it() -> None:
    result = accepted(
        TICKETS[State.RESOLVED], Move(Action.REOPEN, "budi@x.id", note="Belum", reporter=True)
    )
    assert (result.to_state, result.changes["assignee"]) == (State.DISPOSED, TECH)
    assert result.data["reopened_to"] == TECH


def test_reporter_not_yet_reopens_to_the_help_desk_after_a_first_level_solution() -> None:
    view = TicketView(State.RESOLVED, "Jaringan", assignee="hd1", due_at=MON)
    result = accepted(view, Move(Action.REOPEN, "budi@x.id", note="Belum", reporter=True))
    assert (result.to_state, result.changes["assignee"]) == (State.FIRST_LEVEL, "hd1")


def test_reporter_not_yet_reopens_to_the_official_who_solved_it() -> None:
    view = replace(TICKETS[State.RESOLVED], assignee="official")
    result = accepted(view, Move(Action.REOPEN, "budi@x.id", note="Belum", reporter=True))
    assert (result.to_state, result.changes["assignee"]) == (State.ESCALATED_HIGHER, "official")


@pytest.mark.parametrize("state", [State.DISPOSED, State.FIRST_LEVEL, State.CLOSED])
def test_reporter_can_confirm_only_a_resolved_ticket(state: State) -> None:
    message = rejected(TICKETS[state], Move(Action.CLOSE, "budi@x.id", note="ya", reporter=True))
    assert message.startswith(f"'close' is not allowed while the ticket is {state.value}")


@pytest.mark.parametrize("action", [Action.RESOLVE, Action.PAUSE, Action.ESCALATE])
def test_reporter_cannot_move_the_ticket_otherwise(action: Action) -> None:
    """Anything but a note, a resume, or an answer to the Laporan Akhir is refused."""
    message = rejected(TICKETS[State.RESOLVED], Move(action, "budi@x.id", note="x", reporter=True))
    assert message == f"a reporter cannot '{action.value}' a ticket"


@pytest.mark.parametrize("action", [Action.REMINDER, Action.BREACH])
def test_sweep_records_cannot_be_requested(action: Action) -> None:
    """Reminders and breaches are the sweep's to record, not a person's to ask for."""
    message = rejected(TICKETS[State.DISPOSED], Move(action, "hd1", note="x"))
    assert message.startswith(f"'{action.value}' is not allowed while the ticket is disposed")


def test_system_escalates_a_breached_step_upward() -> None:
    """The sweep may escalate a disposed ticket to the official on its own."""
    result = accepted(
        TICKETS[State.DISPOSED],
        Move(Action.ESCALATE_HIGHER, "system", note="otomatis", system=True),
    )
    assert (result.actor, result.to_state, result.changes["assignee"]) == (
        "system", State.ESCALATED_HIGHER, "official",
    )  # fmt: skip


def test_system_closes_a_resolved_ticket_whose_reporter_stayed_silent() -> None:
    """After the confirmation wait the sweep closes the ticket on its own."""
    result = accepted(
        TICKETS[State.RESOLVED], Move(Action.CLOSE, "system", note="tidak dijawab", system=True)
    )
    assert (result.actor, result.to_state) == ("system", State.CLOSED)


@pytest.mark.parametrize("state", [State.DISPOSED, State.FIRST_LEVEL])
def test_system_closes_only_a_resolved_ticket(state: State) -> None:
    message = rejected(TICKETS[state], Move(Action.CLOSE, "system", note="x", system=True))
    assert message.startswith(f"'close' is not allowed while the ticket is {state.value}")


@pytest.mark.parametrize("action", [Action.RESOLVE, Action.SOLVE, Action.REOPEN])
def test_system_cannot_solve_or_reopen(action: Action) -> None:
    """Escalating and closing after silence are the system's to do; solving is not."""
    message = rejected(TICKETS[State.RESOLVED], Move(action, "system", note="x", system=True))
    assert message == f"the system cannot '{action.value}' a ticket"


def test_transitions_record_the_deadline_their_step_started_with() -> None:
    """The event keeps the new step's deadline, so reports can tell later if it was met."""
    result = accepted(TICKETS[State.FIRST_LEVEL], move(Action.ESCALATE))
    assert result.data["due_at"] == result.changes["due_at"].isoformat()


# --- Refusals in the office's language ------------------------------------------------

# English words of the CLI's refusals, and the values behind the Indonesian labels.
_ENGLISH = re.compile(
    r"--|\b(the|is|not|allowed|while|ticket|only|may|needs|unknown|escalate|dispose|resolve"
    r"|received|first_level|escalated|disposed|resolved|closed|help_desk|unit_head|technician"
    r"|official|head_of_office)\b"
)


def _every_refusal() -> list[tuple[str, Rejected]]:
    """Each move of every actor, right and wrong, from each ticket state, with and without
    its text, paused or not, with a good and a bad unit, technician, target and Sifat."""
    found: list[tuple[str, Rejected]] = []
    actors = [*DIRECTORY.staff, "nobody"]
    extras: list[dict[str, str]] = [
        {}, {"unit": "gudang"}, {"technician": TECH}, {"technician": "tech_aplikasi_1"},
        {"technician": "someone"},
        {"technician": TECH, "sifat": "kilat"}, {"target": "hd1"}, {"target": "official"},
        {"target": "kadis"}, {"target": "nobody"},
    ]  # fmt: skip
    for state, view in TICKETS.items():
        for view_now in (view, paused(state) if state in PAUSABLE else view):
            for action in (a for a in Action if a not in SYSTEM_ACTIONS):
                for actor in actors:
                    for note in ("", "ok"):
                        for extra in extras:
                            asked = Move(action, actor, note=note, **extra)  # type: ignore[arg-type]
                            result = run(view_now, asked)
                            if isinstance(result, Rejected):
                                found.append((f"{state} {action} {actor} {extra}", result))
    reporter = run(TICKETS[State.RECEIVED], Move(Action.DISPOSE, "a@b.id", reporter=True))
    system = run(TICKETS[State.RECEIVED], Move(Action.DISPOSE, "system", system=True))
    assert isinstance(reporter, Rejected) and isinstance(system, Rejected)
    return [*found, ("reporter", reporter), ("system", system)]


def test_every_refusal_has_its_indonesian_wording_without_the_clis_options() -> None:
    """The staff web desk shows a refusal in the office's language: each reason the SOP
    gives has an Indonesian sentence of its own, naming no CLI option, no English word and
    no state's internal value; in English it is the CLI's wording without its options,
    which the CLI keeps."""
    refusals = _every_refusal()
    assert len({r.message_id for _, r in refusals}) >= 15  # the sweep reaches most reasons
    options = 0
    for where, refusal in refusals:
        assert "--" not in refusal.text("en"), where  # English web desk: buttons, no options
        options += "--" in refusal.message
        assert refusal.text("en") == refusal.message or "--" in refusal.message, where
        assert refusal.text("id") == refusal.message_id, where
        said = refusal.message_id
        assert said[0].isupper() and said.endswith("."), (where, said)
        assert not _ENGLISH.search(said), (where, said)
    assert options >= 3  # the CLI's own wording still names them


def test_an_indonesian_refusal_names_the_state_and_the_people() -> None:
    wrong_state = run(TICKETS[State.RECEIVED], move(Action.DISPOSE, technician=TECH))
    assert isinstance(wrong_state, Rejected)
    assert wrong_state.message.startswith("'dispose' is not allowed while the ticket is received")
    assert wrong_state.message_id == (
        "Tiket tidak dapat didisposisikan karena statusnya saat ini Diterima."
    )
    not_head = run(TICKETS[State.ESCALATED], move(Action.DISPOSE, "hd1", technician=TECH))
    assert isinstance(not_head, Rejected)
    assert not_head.message_id == (
        "Tiket ini hanya dapat didisposisikan oleh Penanggung Jawab Unit Jaringan (Head Jaringan)."
    )
    no_text = run(TICKETS[State.DISPOSED], move(Action.RESOLVE, note=""))
    assert isinstance(no_text, Rejected)
    assert "(--solution)" in no_text.message
    assert no_text.message_id == (
        "Tiket tidak dapat dinyatakan selesai tanpa uraian penyelesaiannya;"
        " mohon tuliskan terlebih dahulu."
    )
