"""Forms of address in what reporters and staff read: the greeting settles "Bapak" or "Ibu"
and the body keeps it; "Bapak/Ibu" only where the reporter's sex is unknown; colleagues by
their sapaan, never "Bapak/Ibu <name>"; the head of office by office.

Built by the real policy and rendered by the real templates, in both languages.
"""

from __future__ import annotations

import dataclasses
import re

import pytest

from notifier.compose import Rendered
from notifier.policy import (
    Notice,
    Office,
    command_refused_notice,
    digest_notice,
    held_notice,
    notices_for_event,
    refused_notice,
)
from tests.unit.test_reply_notices import both, shown
from tests.unit.test_templates import (
    DIRECTORY,
    KINDS,
    NAME,
    REPORT,
    event,
    events,
    notice,
    of_kind,
    office,
    ticket,
)
from ticketing.directory import Role, Staff
from ticketing.workflow import Action, State

OFFICE_NAME = "Dinas Komunikasi, Informatika, Statistik dan Persandian Provinsi Banten"

# The e-mails to a reporter whose form gives their sex.
TO_REPORTER = (
    "reporter.acknowledged",
    "reporter.incomplete",
    "reporter.first_level_solution",
    "reporter.final_report",
    "reporter.closed",
    "reporter.paused",
    "reporter.confirmation_reminder",
    "reporter.escalated",
    "reporter.reopened",
    "owner.unauthenticated",
)
# Each reporter, by the sex on their form: name, greeting form, the form never used.
REPORTERS = {
    "L": (NAME, "Bapak", "Ibu"),
    "P": ("Siti Aminah", "Ibu", "Bapak"),
}
# The e-mails to one staff member, and whom each goes to (test_templates' notices).
TO_STAFF = {
    "unit_head.escalated": "Bapak Rudi Hartono",
    "technician.disposed": "Bapak Agus Setiawan",
    "official.escalated_higher": "Bapak Kurniawan Adi",
    "staff.breach": "Bapak Agus Setiawan",
    "staff.reopened": "Bapak Agus Setiawan",
    "staff.command_accepted": "Bapak Rudi Hartono",
    "staff.command_refused": "Bapak Agus Setiawan",
}


def body(part: str, greeting: str) -> str:
    """What follows the greeting line."""
    assert greeting in part
    return part.split(greeting, 1)[1]


def word(form: str) -> re.Pattern[str]:
    """``form`` as a word on its own, not part of "Bapak/Ibu"."""
    return re.compile(rf"(?<![/\w]){form}(?![/\w])")


@pytest.mark.parametrize("sex", sorted(REPORTERS))
@pytest.mark.parametrize("kind", TO_REPORTER)
def test_a_known_sex_keeps_the_greetings_form_through_the_body(kind: str, sex: str) -> None:
    """After "Yth. Bapak Budi Santoso," the e-mail says "laporan Bapak", never "Bapak/Ibu"
    nor the other form, in text and HTML."""
    name, form, other = REPORTERS[sex]
    greeting = f"Yth. {form} {name},"
    result = shown(notice(kind, "id", name=name, sex=sex), "id")
    assert "Bapak/Ibu" not in result.subject
    for part in both(result):
        rest = body(part, greeting)
        assert "Bapak/Ibu" not in part
        assert word(form).search(rest), rest
        assert not word(other).search(rest), rest


@pytest.mark.parametrize("sex", sorted(REPORTERS))
def test_the_acknowledgement_says_laporan_and_pengaduan_with_the_form(sex: str) -> None:
    """The example of the office's readers: "Terima kasih atas laporan Ibu. Pengaduan Ibu …"."""
    name, form, _ = REPORTERS[sex]
    result = shown(notice("reporter.acknowledged", "id", name=name, sex=sex), "id")
    for part in both(result):
        assert f"Terima kasih atas laporan {form}. Pengaduan {form} telah kami terima" in part


@pytest.mark.parametrize("kind", TO_REPORTER)
def test_an_unknown_sex_keeps_bapak_ibu(kind: str) -> None:
    """A form without the reporter's sex: "Yth. Bapak/Ibu Budi Santoso," and "Bapak/Ibu" in
    the body as well."""
    greeting = f"Yth. Bapak/Ibu {NAME},"
    result = shown(notice(kind, "id", sex=""), "id")
    for part in both(result):
        rest = body(part, greeting)
        assert "Bapak/Ibu" in rest
        assert not word("Bapak").search(rest) and not word("Ibu").search(rest), rest


def test_a_sender_we_know_nothing_of_is_bapak_ibu() -> None:
    """A refused or held message: no form, no sex; "Bapak/Ibu" throughout."""
    the_office = office("id")
    for the_notice in (
        refused_notice(
            the_office, address="x@example.com", name="Budi", subject="Laporan",
            reasons=[{"code": "message_size", "actual": "30 MB", "limit": "25 MB"}],
        ),
        held_notice(the_office, address="x@example.com", name=None, count=40),
    ):  # fmt: skip
        for part in both(shown(the_notice, "id")):
            assert "Bapak/Ibu" in part and not word("Bapak").search(part)


def staff_names() -> list[str]:
    return [s.name for s in DIRECTORY.staff.values()]


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("kind", KINDS)
def test_no_bapak_ibu_before_a_staff_members_name(kind: str, language: str) -> None:
    """Colleagues are addressed by their sapaan: no rendered e-mail has "Bapak/Ibu <name>"
    for a staff member."""
    result = shown(notice(kind, language), language)
    for part in (result.subject, *both(result)):
        for name in staff_names():
            assert f"Bapak/Ibu {name}" not in part, (name, part)


@pytest.mark.parametrize("kind", sorted(TO_STAFF))
def test_a_colleague_is_greeted_and_referred_to_by_their_sapaan(kind: str) -> None:
    """ "Yth. Bapak Rudi Hartono," and then "Bapak" in the body, never "Bapak/Ibu"; "Mr Rudi
    Hartono" in English."""
    greeting = TO_STAFF[kind]
    result = shown(notice(kind, "id"), "id")
    for part in both(result):
        assert f"Yth. {greeting}," in part and "Bapak/Ibu" not in part
    english = shown(notice(kind, "en"), "en")
    assert f"Dear {greeting.replace('Bapak', 'Mr')}," in english.text


def test_a_woman_colleague_is_ibu() -> None:
    """A help-desk officer whose sapaan is Ibu reads "Yth. Ibu Sari Wulandari," and "Ibu"."""
    refused = command_refused_notice(
        office("id"), ticket(State.DISPOSED), sender=DIRECTORY.staff["sari"], word="TUTUP",
        reason="not_now", allowed=[], candidates=[],
    )  # fmt: skip
    for part in both(shown(refused, "id")):
        rest = body(part, "Yth. Ibu Sari Wulandari,")
        assert "tidak ada kata yang dapat Ibu tuliskan" in rest
        assert not word("Bapak").search(rest) and "Bapak/Ibu" not in rest


def to_head_of_office(the_office: Office) -> Notice:
    """The official escalates higher, to the head of office."""
    higher = ticket(State.ESCALATED_HIGHER)
    higher.assignee = "kadis"
    step = event(Action.ESCALATE_HIGHER, "kurniawan", State.ESCALATED_HIGHER, REPORT)
    history = [*events(Action.ESCALATE_HIGHER), step]
    (found,) = notices_for_event(the_office, higher, step, history)
    return found


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_head_of_office_is_addressed_by_office(language: str) -> None:
    """ "Yth. Ibu Kepala Dinas Komunikasi, …," from [office] name and the head's sapaan, not
    by her name, and her direction is "arahan Ibu"."""
    result = shown(to_head_of_office(office(language)), language)
    greeting = (
        f"Yth. Ibu Kepala {OFFICE_NAME}," if language == "id" else f"Dear Head of {OFFICE_NAME},"
    )
    for part in both(result):
        assert greeting in part
        assert "Ratna Sari Dewi" not in part
        if language == "id":
            assert "memerlukan arahan Ibu" in part and "Bapak/Ibu" not in part


def without_sapaan(the_office: Office, staff_id: str) -> Office:
    person = dataclasses.replace(DIRECTORY.staff[staff_id], sapaan=None)
    staff = {**DIRECTORY.staff, staff_id: person}
    return dataclasses.replace(the_office, directory=dataclasses.replace(DIRECTORY, staff=staff))


def escalated_to_rudi(the_office: Office) -> Rendered:
    step = events(Action.ESCALATE)
    found = of_kind(
        "unit_head.escalated",
        notices_for_event(the_office, ticket(State.ESCALATED), step[-1], step),
    )
    return shown(found, the_office.settings.language)


@pytest.mark.parametrize("language", ["id", "en"])
def test_a_colleague_without_sapaan_is_greeted_by_name_and_title(language: str) -> None:
    """No sapaan in the directory: "Yth. Rudi Hartono, Penanggung Jawab Unit Jaringan,", never
    "Bapak/Ibu Rudi Hartono"."""
    result = escalated_to_rudi(without_sapaan(office(language), "rudi"))
    opening = "Yth." if language == "id" else "Dear"
    for part in both(result):
        assert f"{opening} Rudi Hartono, Penanggung Jawab Unit Jaringan," in part
        assert "Bapak/Ibu Rudi" not in part and "Bapak Rudi" not in part


def test_a_head_of_office_without_sapaan_is_still_addressed_by_office() -> None:
    """The head of office without a sapaan: "Yth. Kepala Dinas …," and nothing before it."""
    result = shown(to_head_of_office(without_sapaan(office("id"), "kadis")), "id")
    for part in both(result):
        assert f"Yth. Kepala {OFFICE_NAME}," in part and "Ratna Sari Dewi" not in part


def test_every_staff_member_of_the_test_office_has_a_sapaan() -> None:
    """The directory these tests use is the shipped kind: each colleague has one."""
    assert all(s.sapaan in ("Bapak", "Ibu") for s in DIRECTORY.staff.values())
    assert DIRECTORY.staff["kadis"].role == Role.HEAD_OF_OFFICE


# A second help-desk officer, beside the test office's one.
YOGA = Staff("yoga", "Yoga Pratama", "yoga@example.go.id", Role.HELP_DESK, None,
             "Petugas Help Desk", "Bapak")  # fmt: skip


def digests(language: str, *staff_ids: str) -> list[Rendered]:
    """The day's digests to these staff members, rendered."""
    the_office = office(language)
    people = [YOGA if s == "yoga" else DIRECTORY.staff[s] for s in staff_ids]
    waiting = ticket(State.RECEIVED)
    waiting.assignee = None  # nobody has taken it yet
    found = digest_notice(
        the_office, recipients=people, day="1 Desember 2026",
        per_state={"received": 1}, overdue=[waiting], new=2, closed=1,
        breaches=1, outbox_dead=0, quarantined=3, incomplete_open=1,
    )  # fmt: skip
    return [shown(n, language) for n in found]


@pytest.mark.parametrize(
    ("language", "greeting"),
    [("id", "Yth. Tim Help Desk Layanan TIK,"), ("en", "Dear Help Desk Layanan TIK team,")],
)
def test_the_help_desks_digest_greets_its_team(language: str, greeting: str) -> None:
    """The digest to the help desk's officers together greets them as the help desk's team,
    never "Yth. Bapak/Ibu,"; it has the internal counts."""
    [team] = digests(language, "sari", "yoga")
    for part in both(team):
        assert greeting in part
        assert "Bapak/Ibu" not in part and "colleagues" not in part
        assert ("pesan yang gagal diproses: 3" if language == "id"
                else "messages that could not be processed: 3") in part  # fmt: skip


@pytest.mark.parametrize(
    ("language", "greeting"),
    [("id", "Yth. Ibu Sari Wulandari,"), ("en", "Dear Ms Sari Wulandari,")],
)
def test_an_officer_alone_is_greeted_by_sapaan_and_name(language: str, greeting: str) -> None:
    """A help desk of one officer: the digest greets her by her sapaan and name."""
    [alone] = digests(language, "sari")
    for part in both(alone):
        assert greeting in part and "Bapak/Ibu" not in part


def test_a_unit_head_has_a_digest_of_his_own_without_the_internal_counts() -> None:
    """A unit head among the digest's recipients has his own copy, "Yth. Bapak Rudi
    Hartono,", without the help desk's counts of failed e-mails and messages."""
    team, rudi = digests("id", "sari", "yoga", "rudi")
    for part in both(rudi):
        assert "Yth. Bapak Rudi Hartono," in part and "Tim Help Desk" not in part
        assert "gagal diproses" not in part and "gagal terkirim" not in part
        assert "berikut ringkasan layanan" in part  # a colleague's summary, not a report
    assert "Yth. Tim Help Desk Layanan TIK," in team.text


def test_a_complaint_nobody_took_is_with_the_help_desk_in_the_digest() -> None:
    """An overdue complaint still waiting to be taken is listed as with the help desk,
    not with "-"."""
    [team] = digests("id", "sari", "yoga")
    assert "- TIK-2026-00012 | Diterima | Help Desk Layanan TIK | batas waktu" in team.text


def with_second_officer(the_office: Office) -> Office:
    staff = {**DIRECTORY.staff, "yoga": YOGA}
    return dataclasses.replace(the_office, directory=dataclasses.replace(DIRECTORY, staff=staff))


@pytest.mark.parametrize(
    ("language", "team", "alone"),
    [("id", "Yth. Tim Help Desk Layanan TIK,", "Yth. Ibu Sari Wulandari,"),
     ("en", "Dear Help Desk Layanan TIK team,", "Dear Ms Sari Wulandari,")],
)  # fmt: skip
def test_the_help_desks_e_mails_greet_its_team_or_its_one_officer(
    language: str, team: str, alone: str
) -> None:
    """The help desk's copy of a new complaint goes to its officers together: to their team
    when there are several, to the officer by sapaan and name when there is one."""
    created = events(Action.CREATE)
    for the_office, greeting in ((with_second_officer(office(language)), team),
                                 (office(language), alone)):  # fmt: skip
        copy = of_kind(
            "help_desk.new_ticket",
            notices_for_event(the_office, ticket(State.RECEIVED), created[-1], created),
        )
        for part in both(shown(copy, language)):
            assert greeting in part and "Bapak/Ibu" not in part
