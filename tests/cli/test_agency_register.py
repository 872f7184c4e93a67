"""The register of agencies (OPD): a real agency is known however it is written, an unknown
one is kept as written and flagged, never refused, on every channel; `ticket edit` corrects
a form with an event."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import Cli, form_args
from tests.mail import FORM_TEXT, email

FIRST = "TIK-2026-00001"


def ok(result) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.output


def show(cli: Cli, number: str = FIRST) -> dict:
    result = cli("ticket", "show", number, "--json")
    ok(result)
    return json.loads(result.stdout)


# --- every channel -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("Dinas Perpustakaan dan Kearsipan", "Dinas Perpustakaan dan Kearsipan"),
        ("Biro Umum Setda", "Biro Umum"),
        ("RSUD Malingping", "Rumah Sakit Umum Daerah Malingping"),
    ],
)
def test_real_agency_by_email_becomes_a_ticket(
    inject, ready: Cli, written: str, stored: str
) -> None:  # type: ignore[no-untyped-def]
    """A complete e-mailed form from a real Banten OPD, written out or short, is a ticket."""
    body = FORM_TEXT.replace("Nama OPD: Dinas Kesehatan", f"Nama OPD: {written}")
    result = inject(email(body, message_id="<opd@perpus.example.go.id>"))
    ok(result)
    assert "ticket TIK-2026-00001" in result.stdout
    ticket = show(ready)
    assert (ticket["agency"], ticket["agency_registered"]) == (stored, True)


def test_unknown_agency_by_email_is_a_ticket_flagged_for_the_help_desk(inject, ready: Cli) -> None:  # type: ignore[no-untyped-def]
    """An e-mailed form naming an OPD the register lacks is a ticket, not an incomplete report."""
    body = FORM_TEXT.replace("Nama OPD: Dinas Kesehatan", "Nama OPD: UPTD Samsat Cikande")
    result = inject(email(body, message_id="<samsat@bapenda.example.go.id>"))
    ok(result)
    assert "ticket TIK-2026-00001" in result.stdout
    ticket = show(ready)
    assert (ticket["agency"], ticket["agency_registered"]) == ("UPTD Samsat Cikande", False)


def test_phone_with_an_unknown_agency_is_registered_and_the_officer_told(ready: Cli) -> None:
    """`helpdesk phone` takes an OPD the register lacks, keeps it, and says so with a hint."""
    result = ready("phone", *form_args(agency="Dinas Perpustakaan Daerah"), "--by", "sari")
    ok(result)
    assert "TIK-2026-00001" in result.stdout
    assert "tidak ada dalam daftar OPD" in result.stdout
    assert "Dinas Perpustakaan dan Kearsipan" in result.stdout  # the close name suggested
    ticket = show(ready)
    assert (ticket["agency"], ticket["agency_registered"]) == ("Dinas Perpustakaan Daerah", False)
    assert ticket["state"] == "first_level"


def test_phone_prompt_offers_the_register_name_for_an_unknown_agency(ready: Cli) -> None:
    """Prompted for the form, an officer who types an unknown OPD may pick the close name."""
    answers = [
        "Dinas Perpustakaan Daerah", "1",  # the OPD, then the first suggestion
        "Bidang Layanan", "Budi Santoso", "Staf", "0812-3456-7890",
        "budi@perpus.example.go.id", "L", "PNS", "1", "Internet di ruang baca mati sejak pagi.",
    ]  # fmt: skip
    result = ready(
        "phone", "--by", "sari", "--interactive", input="\n".join([*answers, "y"]) + "\n"
    )
    ok(result)
    assert "tidak ada dalam daftar OPD" in result.stdout
    assert show(ready)["agency"] == "Dinas Perpustakaan dan Kearsipan"


def test_letter_with_an_unknown_agency_is_registered(ready: Cli) -> None:
    """`helpdesk letter` takes an OPD the register lacks as well."""
    result = ready("letter", *form_args(agency="Kantor Penghubung Jakarta"), "--by", "yoga")
    ok(result)
    ticket = show(ready)
    assert (ticket["channel"], ticket["agency"], ticket["agency_registered"]) == (
        "letter", "Kantor Penghubung Jakarta", False,
    )  # fmt: skip


def test_list_marks_and_filters_agencies_outside_the_register(ready: Cli) -> None:
    """`ticket list` marks a ticket whose OPD is not registered; --unregistered-opd lists those."""
    ok(ready("phone", *form_args(), "--by", "sari"))
    ok(ready("phone", *form_args(agency="UPTD Samsat Cikande"), "--by", "sari"))
    listed = ready("ticket", "list")
    ok(listed)
    assert "not in register" in listed.stdout
    only = json.loads(ready("ticket", "list", "--unregistered-opd", "--json").stdout)
    assert [t["agency"] for t in only] == ["UPTD Samsat Cikande"]
    shown = ready("ticket", "show", "TIK-2026-00002")
    assert "not in the register of OPD" in shown.stdout


def test_report_counts_unregistered_agencies_in_a_line_of_their_own(ready: Cli) -> None:
    """The monthly report keeps complaints from agencies outside the register in one line."""
    ok(ready("phone", *form_args(), "--by", "sari"))
    ok(ready("phone", *form_args(agency="UPTD Samsat Cikande"), "--by", "sari"))
    ok(ready("phone", *form_args(agency="Kantor Camat Serang"), "--by", "sari"))
    result = ready("report", "--month", "2026-11", "--format", "json")
    ok(result)
    data = json.loads(result.stdout)
    assert data["by_agency"] == {"Dinas Kesehatan": 1, "OPD di luar daftar": 2}
    assert data["unregistered_agencies"] == {"Kantor Camat Serang": 1, "UPTD Samsat Cikande": 1}


# --- ticket edit -------------------------------------------------------------------------


@pytest.fixture
def one(ready: Cli) -> Cli:
    ok(ready("phone", *form_args(agency="Dinas Perpustakaan Daerah"), "--by", "sari"))
    return ready


def test_edit_corrects_the_form_with_an_event_of_old_and_new_values(one: Cli) -> None:
    """`ticket edit` changes the form and records who changed what, from what, to what."""
    result = one(
        "ticket", "edit", FIRST, "--opd", "Dispusip", "--telepon", "0813 1111 2222",
        "--by", "sari", "--reason", "dikoreksi pelapor lewat telepon",
    )  # fmt: skip
    ok(result)
    # The CLI's line is English; the event's note, the record, is the office's.
    assert result.stdout == (
        f'{FIRST}: corrected: Agency name: "Dinas Perpustakaan Daerah" → "Dinas Perpustakaan'
        ' dan Kearsipan"; Phone / mobile number: "0812-3456-7890" → "0813-1111-2222"'
        " (dikoreksi pelapor lewat telepon)\n"
    )
    ticket = show(one)
    assert ticket["agency"] == "Dinas Perpustakaan dan Kearsipan"
    assert ticket["agency_registered"] is True
    assert ticket["phone"] == "+6281311112222"
    assert ticket["state"] == "first_level"  # the step goes on
    edit = ticket["events"][-1]
    assert (edit["action"], edit["actor"], edit["from_state"], edit["to_state"]) == (
        "edit", "sari", "first_level", "first_level",
    )  # fmt: skip
    assert edit["data"]["changes"] == {
        "agency": ["Dinas Perpustakaan Daerah", "Dinas Perpustakaan dan Kearsipan"],
        "phone": ["+6281234567890", "+6281311112222"],
    }
    assert "dikoreksi pelapor" in edit["note"] and "Nama OPD" in edit["note"]


def test_edit_shows_in_the_printed_laporan_akhir(one: Cli, tmp_path: Path) -> None:
    """The printed form uses the corrected values."""
    ok(one("ticket", "edit", FIRST, "--nama", "Budi Santosa", "--by", "sari"))
    ok(one("print", "formulir", FIRST, "--out", str(tmp_path)))
    [page] = tmp_path.glob("*.html")
    text = page.read_text(encoding="utf-8")
    assert "Budi Santosa" in text and "Budi Santoso" not in text


def test_edit_with_an_invalid_value_changes_nothing(one: Cli) -> None:
    """An invalid value is refused in one line, exit 1, and the form stays as it was."""
    before = show(one)
    result = one("ticket", "edit", FIRST, "--telepon", "12", "--opd", "BPKAD", "--by", "sari")
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("error: Nomor Telepon / HandPhone (Phone / mobile number) is not valid")
    assert "Traceback" not in result.output
    assert show(one) == before


def test_edit_is_for_the_help_desk(one: Cli) -> None:
    """A technician cannot correct a form; nothing changes."""
    result = one("ticket", "edit", FIRST, "--opd", "BPKAD", "--by", "agus")
    assert result.exit_code == 1
    assert "help_desk" in result.output
    assert show(one)["agency"] == "Dinas Perpustakaan Daerah"


def test_edit_without_a_field_or_without_a_change_is_refused(one: Cli) -> None:
    """Nothing to correct, or a value the form already has: one line, exit 1, no event."""
    assert one("ticket", "edit", FIRST, "--by", "sari").exit_code == 1
    same = one("ticket", "edit", FIRST, "--jabatan", "Pengelola Data", "--by", "sari")
    assert same.exit_code == 1 and "nothing changed" in same.output
    assert [e["action"] for e in show(one)["events"]] == ["create", "take"]


def test_edit_of_an_unknown_ticket_is_one_line(ready: Cli) -> None:
    """Correcting a ticket that does not exist says so in one line."""
    result = ready("ticket", "edit", "TIK-2026-09999", "--opd", "BPKAD", "--by", "sari")
    assert result.exit_code == 1 and "no ticket" in result.output
