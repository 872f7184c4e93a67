"""`helpdesk ticket ...`: listing, showing, and every SOP move, through Typer's runner."""

from __future__ import annotations

import json

import pytest

from tests.cli.conftest import Cli, form_args

FIRST = "TIK-2026-00001"
REQUIRED_KEYS = {
    "number", "state", "channel", "category", "agency", "division", "reporter_name",
    "position", "phone", "email", "sex", "employment_status", "description",
    "created_at", "due_at",
}  # fmt: skip


@pytest.fixture
def one(ready: Cli) -> Cli:
    """A site with one phone complaint, taken by sari on Monday 09:00."""
    result = ready("phone", *form_args(), "--by", "sari")
    assert result.exit_code == 0, result.output
    return ready


def show(cli: Cli, number: str = FIRST, now: str = "2026-11-30T09:00:00+07:00") -> dict:
    result = cli("ticket", "show", number, "--json", now=now)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def ok(result) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.output


def test_list_json_has_the_documented_keys(one: Cli) -> None:
    """`ticket list --json` prints a list of objects with at least the documented keys."""
    result = one("ticket", "list", "--json")
    ok(result)
    [row] = json.loads(result.stdout)
    assert REQUIRED_KEYS <= row.keys()


def test_show_json_has_the_form_and_the_events(one: Cli) -> None:
    """`ticket show --json` prints one object with the form, the step, and the events."""
    data = show(one)
    assert REQUIRED_KEYS <= data.keys()
    assert data["step"] == 2
    assert [(e["action"], e["from_state"], e["to_state"]) for e in data["events"]] == [
        ("create", None, "received"),
        ("take", "received", "first_level"),
    ]
    assert data["allowed_actions"] == ["solve", "escalate", "pause", "note"]


def test_show_prints_form_step_deadline_and_timeline(one: Cli) -> None:
    """The readable view has the form's labels, the step, its deadline and the timeline."""
    result = one("ticket", "show", FIRST)
    ok(result)
    for text in (
        "Complaint form TIK-2026-00001",
        "Agency name",
        "Dinas Kesehatan",
        "Phone / mobile number",
        "0812-3456-7890",
        "Laki-laki",
        "2 of 7",
        "Monday, 30 November 2026, 12:00 WIB",
        "Timeline",
        "received → first_level",
    ):
        assert text in result.stdout


# What the CLI never writes under an Indonesian office: the office's labels and dates.
INDONESIAN_WORDS = (
    "Formulir", "Hari, Tanggal", "Nomor Pengaduan", "Tanda Tangan", "Senin", "Selasa",
    "pukul", "Layanan tingkat pertama", "teks dari server", "kesalahan",
)  # fmt: skip


def test_show_is_in_one_language_under_an_indonesian_office(one: Cli) -> None:
    """`ticket show` is the CLI's English throughout, labels and dates alike, though the
    office writes Indonesian: only the form's values are shown as recorded."""
    ok(one("ticket", "escalate", FIRST, "--by", "sari", now="2026-11-30T09:30:00+07:00"))
    result = one("ticket", "show", FIRST, now="2026-11-30T09:40:00+07:00")
    ok(result)
    for word in INDONESIAN_WORDS:
        assert word not in result.stdout, word
    assert "Day, date (received)" in result.stdout
    assert "Monday, 30 November 2026, 09:00 WIB" in result.stdout
    assert "escalated — Escalated to a unit" in result.stdout
    assert "Monday, 30 November 2026, 10:30 WIB" in result.stdout  # the deadline


def test_status_is_in_one_language_under_an_indonesian_office(one: Cli) -> None:
    """`helpdesk status` says when it looked in the CLI's English, not "Senin ... pukul"."""
    result = one("status", "--no-check-mailbox")
    assert "at Monday, 30 November 2026, 09:00 WIB" in result.stdout
    for word in INDONESIAN_WORDS:
        assert word not in result.stdout, word


def test_show_unknown_ticket_exits_1(one: Cli) -> None:
    """An unknown number is one error line and exit 1."""
    result = one("ticket", "show", "TIK-2026-09999")
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: no ticket 'TIK-2026-09999'"


def test_full_sop_path_from_escalation_to_closure(one: Cli) -> None:
    """Escalate, dispose, resolve and close move the ticket through steps 3 to 7."""
    ok(one("ticket", "escalate", FIRST, "--by", "sari", now="2026-11-30T09:30:00+07:00"))
    data = show(one)
    assert (data["state"], data["unit"], data["assignee"]) == ("escalated", "jaringan", "rudi")
    assert data["due_at"] == "2026-11-30T03:30:00+00:00"  # 1 h: 10:30 WIB

    ok(
        one(
            "ticket",
            "dispose",
            FIRST,
            "--by",
            "rudi",
            "--to",
            "agus",
            now="2026-11-30T10:00:00+07:00",
        )
    )
    data = show(one)
    assert (data["state"], data["technician"]) == ("disposed", "agus")
    assert data["due_at"] == "2026-12-01T03:00:00+00:00"  # 1 working day: Tuesday 10:00

    ok(
        one(
            "ticket",
            "resolve",
            FIRST,
            "--by",
            "agus",
            "--solution",
            "Kabel diganti.",
            now="2026-11-30T13:00:00+07:00",
        )
    )
    data = show(one)
    assert (data["state"], data["solution"]) == ("resolved", "Kabel diganti.")

    ok(
        one(
            "ticket",
            "close",
            FIRST,
            "--by",
            "sari",
            "--via",
            "phone",
            "--confirmation",
            "Pelapor: sudah normal.",
            now="2026-11-30T13:30:00+07:00",
        )
    )
    data = show(one)
    assert data["state"] == "closed" and data["due_at"] is None and data["step"] == 7
    last = data["events"][-1]
    assert (last["actor"], last["action"], last["channel"], last["note"]) == (
        "sari",
        "close",
        "phone",
        "Pelapor: sudah normal.",
    )


def test_first_level_solution_by_the_help_desk(one: Cli) -> None:
    """The help desk can solve at first level (step 2), straight to resolved."""
    ok(one("ticket", "solve", FIRST, "--by", "sari", "--solution", "Restart modem."))
    assert show(one)["state"] == "resolved"


def test_received_ticket_is_taken_by_the_help_desk(ready: Cli) -> None:
    """`ticket take` moves a received ticket to first level with the officer."""
    # A ticket only arrives as `received` from the mailbox; make one through the store.
    import datetime as dt

    from helpdesk.wiring import Site
    from tests.conftest import FORM
    from ticketing.desk import register

    here = Site.load(None)
    now = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)
    with here.store.transaction() as tx:
        register(
            tx,
            here.desk,
            FORM,
            channel="email",
            received_at=now,
            signature="budi@dinkes.example.go.id",
            now=now,
        )
    assert show(ready)["state"] == "received"
    ok(ready("ticket", "take", FIRST, "--by", "yoga"))
    data = show(ready)
    assert (data["state"], data["assignee"]) == ("first_level", "yoga")


def test_escalation_to_a_higher_level_then_the_head_of_office(one: Cli) -> None:
    """Step 6 goes to the official, and from the official to the head of office."""
    ok(one("ticket", "escalate", FIRST, "--by", "sari"))
    ok(one("ticket", "dispose", FIRST, "--by", "rudi", "--to", "dewi"))
    ok(one("ticket", "escalate-higher", FIRST, "--by", "dewi", "--report", "Butuh perangkat."))
    assert show(one)["assignee"] == "kurniawan"
    ok(one("ticket", "escalate-higher", FIRST, "--by", "kurniawan", "--report", "Anggaran."))
    data = show(one)
    assert (data["state"], data["assignee"]) == ("escalated_higher", "kadis")
    ok(one("ticket", "resolve", FIRST, "--by", "kadis", "--solution", "Pengadaan disetujui."))
    assert show(one)["state"] == "resolved"


def test_pause_stops_the_clock_and_resume_restarts_it(one: Cli) -> None:
    """While paused the ticket is never overdue; resuming gives back the time that was left."""
    ok(
        one(
            "ticket",
            "pause",
            FIRST,
            "--by",
            "sari",
            "--reason",
            "Menunggu pelapor.",
            now="2026-11-30T11:00:00+07:00",
        )
    )  # 1 h left of the 12:00 deadline
    paused = show(one, now="2026-12-02T09:00:00+07:00")
    assert paused["paused"] is True and paused["overdue"] is False
    assert paused["remaining_minutes"] == 60
    overdue = one("ticket", "list", "--overdue", "--json", now="2026-12-02T09:00:00+07:00")
    assert json.loads(overdue.stdout) == []
    ok(one("ticket", "resume", FIRST, "--by", "sari", now="2026-12-02T09:00:00+07:00"))
    data = show(one, now="2026-12-02T09:00:00+07:00")
    assert data["paused"] is False
    assert data["due_at"] == "2026-12-02T03:00:00+00:00"  # Wednesday 10:00 WIB


def test_forbidden_move_exits_1_and_changes_nothing(one: Cli) -> None:
    """A move the SOP does not allow from the current state is refused with the reason."""
    before = show(one)
    result = one("ticket", "close", FIRST, "--by", "sari", "--confirmation", "ok")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: TIK-2026-00001: 'close' is not allowed while the ticket is first_level"
        " (allowed: solve, escalate, pause, note)"
    )
    assert show(one) == before


def test_move_by_the_wrong_person_is_refused(one: Cli) -> None:
    """Only the head of the ticket's unit may dispose it, and only to its technicians."""
    ok(one("ticket", "escalate", FIRST, "--by", "sari"))
    wrong_head = one("ticket", "dispose", FIRST, "--by", "hendra", "--to", "indah")
    assert wrong_head.exit_code == 1 and "only the head of unit jaringan" in wrong_head.stderr
    wrong_tech = one("ticket", "dispose", FIRST, "--by", "rudi", "--to", "indah")
    assert wrong_tech.exit_code == 1 and "not a technician of unit jaringan" in wrong_tech.stderr
    assert show(one)["state"] == "escalated"


def _disposition(cli: Cli) -> dict:
    [event] = [e for e in show(cli)["events"] if e["action"] == "dispose"]
    return event["data"]


def test_a_disposition_records_its_sifat(one: Cli) -> None:
    """`dispose --sifat` records the Sifat of the disposition, in either language's words;
    without it the disposition is Biasa."""
    ok(one("ticket", "escalate", FIRST, "--by", "sari"))
    ok(one("ticket", "dispose", FIRST, "--by", "rudi", "--to", "agus", "--sifat", "Sangat Segera"))
    assert _disposition(one)["sifat"] == "sangat_segera"


def test_a_disposition_without_sifat_is_biasa(one: Cli) -> None:
    """A disposition given without --sifat is recorded as Biasa."""
    ok(one("ticket", "escalate", FIRST, "--by", "sari"))
    ok(one("ticket", "dispose", FIRST, "--by", "rudi", "--to", "agus"))
    assert _disposition(one)["sifat"] == "biasa"


def test_an_unknown_sifat_is_one_line_and_changes_nothing(one: Cli) -> None:
    """An --sifat that names no Sifat is one error line naming the choices, exit 1, and the
    ticket is not disposed."""
    ok(one("ticket", "escalate", FIRST, "--by", "sari"))
    before = show(one)
    result = one("ticket", "dispose", FIRST, "--by", "rudi", "--to", "agus", "--sifat", "kilat")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "error: --sifat: expected one of Sangat Segera, Segera, Biasa"
        " (Very urgent, Urgent, Ordinary), got 'kilat'"
    ]
    assert show(one) == before


def test_move_without_its_required_text_is_refused(one: Cli) -> None:
    """Solving without a solution is refused and names the missing option."""
    result = one("ticket", "solve", FIRST, "--by", "sari")
    assert result.exit_code == 1
    assert "--solution" in result.stderr


def test_note_changes_no_state(one: Cli) -> None:
    """A note is added to the timeline and the state stays."""
    ok(one("ticket", "note", FIRST, "Pelapor menelepon lagi.", "--by", "yoga"))
    data = show(one)
    assert data["state"] == "first_level"
    assert data["events"][-1]["note"] == "Pelapor menelepon lagi."


def test_actor_comes_from_helpdesk_user(one: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without --by, HELPDESK_USER names who acts."""
    monkeypatch.setenv("HELPDESK_USER", "yoga")
    ok(one("ticket", "note", FIRST, "catatan"))
    assert show(one)["events"][-1]["actor"] == "yoga"


def test_list_filters(one: Cli) -> None:
    """List filters by state, complaint type (in people's words), agency and overdue."""
    ok(one("phone", *form_args(category="web", agency="BPKAD"), "--by", "yoga"))

    def numbers(*args: str, now: str = "2026-11-30T09:00:00+07:00") -> list[str]:
        result = one("ticket", "list", "--json", *args, now=now)
        ok(result)
        return [t["number"] for t in json.loads(result.stdout)]

    assert numbers("--category", "situs") == ["TIK-2026-00002"]
    assert numbers("--category", "internet", "--category", "website") == [FIRST, "TIK-2026-00002"]
    assert numbers("--agency", "kesehatan") == [FIRST]
    assert numbers("--state", "first_level") == [FIRST, "TIK-2026-00002"]
    assert numbers("--overdue") == []
    assert numbers("--overdue", now="2026-11-30T12:30:00+07:00") == [FIRST, "TIK-2026-00002"]
    ok(one("ticket", "solve", FIRST, "--by", "sari", "--solution", "ok"))
    ok(one("ticket", "close", FIRST, "--by", "sari", "--confirmation", "ok"))
    assert numbers("--open") == ["TIK-2026-00002"]


def test_list_table_marks_overdue(one: Cli) -> None:
    """The readable list shows the deadline in the office's time and marks overdue tickets."""
    result = one("ticket", "list", now="2026-11-30T12:30:00+07:00")
    ok(result)
    assert "TIK-2026-00001" in result.stdout
    assert "2026-11-30 12:00 OVERDUE" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ticket", "list", "--state", "open"], "--state: unknown state 'open'"),
        (["ticket", "list", "--category", "kulkas"], "--category:"),
        (["ticket", "note", FIRST, "x", "--by", "sari", "--via", "fax"], "--via: expected"),
        (["ticket", "note", FIRST, "x", "--by", "zorro"], "unknown staff member 'zorro'"),
    ],
)
def test_bad_options_give_one_line_and_exit_1(one: Cli, args: list[str], message: str) -> None:
    """A wrong option value is one error line, exit 1, no traceback."""
    result = one(*args)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]
    assert "Traceback" not in result.output


def test_a_move_is_told_in_one_language(one: Cli) -> None:
    """The line a move prints is the CLI's English throughout, its deadline too: not
    "due Senin, ... pukul ...", however the office writes to reporters."""
    result = one("ticket", "escalate", FIRST, "--by", "sari", now="2026-11-30T09:30:00+07:00")
    ok(result)
    assert result.stdout.strip() == (
        f"{FIRST}: first_level → escalated, with Rudi Hartono (rudi);"
        " due Monday, 30 November 2026, 10:30 WIB"
    )
