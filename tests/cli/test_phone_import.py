"""Phone-log CSV files: `helpdesk import FILE` and the drop folder's scan, on a real site."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest

from helpdesk.jobs import phone_drop as phone_import
from helpdesk.jobs.phone_drop import import_file, scan_drop_folder
from helpdesk.wiring import Site
from intake.dropfolder import SETTLE_SECONDS
from tests.cli.conftest import MONDAY_9, Cli
from tests.clocks import stamped, written_ago
from tests.conftest import FORM
from ticketing.formulir import FIELDS

NOW = dt.datetime.fromisoformat(MONDAY_9)
HEADER = [*(f.label for f in FIELDS), "Waktu", "Petugas"]


def row(n: int = 0, *, waktu: str = "30/11/2026 08.15", petugas: str = "sari", **changes: str):
    """A call in the log: the complete FORM with its own reporter address, some fields
    changed (or blank)."""
    form = {**FORM, "email": f"pelapor{n}@dinkes.example.go.id", **changes}
    return [*(form[f.key] for f in FIELDS), waktu, petugas]


def phone_log(*rows: list[str], header: list[str] = HEADER, encoding: str = "utf-8") -> bytes:
    text = io.StringIO()
    csv.writer(text, delimiter=";", lineterminator="\r\n").writerows([header, *rows])
    return text.getvalue().encode(encoding)


def tickets(cli: Cli) -> list[dict]:
    result = cli("ticket", "list", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def outbox(cli: Cli) -> list[dict]:
    result = cli("outbox", "list", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def put(folder: Path, name: str, data: bytes, *, age_seconds: float = 60) -> Path:
    """A file in the drop folder, last written ``age_seconds`` before NOW."""
    path = folder / name
    path.write_bytes(data)
    stamped(path, NOW - dt.timedelta(seconds=age_seconds))
    return path


# --- helpdesk import FILE ---------------------------------------------------------------------


def test_complete_rows_become_tickets_with_acknowledgements(ready: Cli, tmp_path: Path) -> None:
    """Each complete row is a phone ticket taken by its officer, received at the call
    time, with the reporter's acknowledgement in the outbox."""
    path = tmp_path / "log.csv"
    path.write_bytes(phone_log(row(1), row(2, waktu="2026-11-30 07:45", petugas="Yoga Pratama")))
    result = ready("import", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "rows 2, tickets 2, incomplete 0"
    first, second = tickets(ready)
    assert (first["channel"], first["state"], first["created_by"]) == (
        "phone",
        "first_level",
        "sari",
    )
    assert first["received_at"] == "2026-11-30T01:15:00+00:00"
    assert (second["created_by"], second["received_at"]) == ("yoga", "2026-11-30T00:45:00+00:00")
    acks = [e for e in outbox(ready) if e["kind"] == "reporter.acknowledged"]
    assert sorted(e["recipients"][0] for e in acks) == [
        "pelapor1@dinkes.example.go.id",
        "pelapor2@dinkes.example.go.id",
    ]
    assert path.exists()  # a file imported by hand stays where it is


def test_incomplete_rows_are_listed_with_their_row_numbers(ready: Cli, tmp_path: Path) -> None:
    """Incomplete rows make no ticket; each is one line naming its row and every reason;
    the command exits 1."""
    path = tmp_path / "log.csv"
    path.write_bytes(phone_log(row(1), row(2, division="", email=""), row(3, sex="x")))
    result = ready("import", str(path))
    assert result.exit_code == 1
    lines = result.stdout.strip().splitlines()
    assert lines[0] == (
        "row 3: Bidang/UPT/Balai (Division / technical unit / office) is missing;"
        " Alamat e-Mail (E-mail address) is missing"
    )
    assert lines[1].startswith("row 4: Jenis Kelamin (Sex) is not valid: ")
    assert lines[2] == "rows 3, tickets 1, incomplete 2"
    assert len(tickets(ready)) == 1


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_import_speaks_english_whatever_the_office_writes(
    cli: Cli, site_dir: Path, tmp_path: Path, language: str
) -> None:
    """The command's lines are the CLI's English under either office language, its summary
    included: no line mixes the two."""
    config = site_dir / "config.toml"
    config.write_text(config.read_text().replace('language = "id"', f'language = "{language}"'))
    assert cli("init").exit_code == 0
    path = tmp_path / "log.csv"
    path.write_bytes(phone_log(row(1, division="")))
    result = cli("import", str(path))
    assert result.exit_code == 1
    assert result.stdout == (
        "row 2: Bidang/UPT/Balai (Division / technical unit / office) is missing\n"
        "rows 1, tickets 0, incomplete 1\n"
    )


def test_same_file_twice_makes_no_new_tickets(ready: Cli, tmp_path: Path) -> None:
    """The same bytes imported again (under any name) make no ticket and say so."""
    data = phone_log(row(1), row(2))
    (tmp_path / "a.csv").write_bytes(data)
    (tmp_path / "b.csv").write_bytes(data)
    assert ready("import", str(tmp_path / "a.csv")).exit_code == 0
    again = ready("import", str(tmp_path / "b.csv"))
    assert again.exit_code == 0
    assert "already imported on Monday, 30 November 2026" in again.stdout
    assert again.stdout.strip().endswith("rows 2, tickets 0, incomplete 0")
    assert len(tickets(ready)) == 2
    assert len(outbox(ready)) == 2


def test_a_log_saved_again_with_new_calls_makes_tickets_of_the_new_ones_only(
    ready: Cli, tmp_path: Path
) -> None:
    """The day's log saved again with two calls added at the end (a different file) makes
    two tickets; its earlier rows are listed with the tickets they already are."""
    (tmp_path / "pagi.csv").write_bytes(phone_log(row(1), row(2)))
    assert ready("import", str(tmp_path / "pagi.csv")).exit_code == 0
    later = phone_log(row(1), row(2), row(3, waktu="30/11/2026 08.45"), row(4))
    (tmp_path / "siang.csv").write_bytes(later)
    again = ready("import", str(tmp_path / "siang.csv"))
    assert again.exit_code == 0, again.output
    assert again.stdout.strip().endswith("rows 4, tickets 2, incomplete 0, already recorded 2")
    assert "row 2: already recorded as TIK-2026-00001 (an earlier import)" in again.stdout
    assert "row 3: already recorded as TIK-2026-00002 (an earlier import)" in again.stdout
    numbers = [t["number"] for t in tickets(ready)]
    assert numbers == [f"TIK-2026-0000{n}" for n in (1, 2, 3, 4)]
    assert len(outbox(ready)) == 4  # one acknowledgement per call, none twice


def test_the_same_call_twice_in_one_log_makes_one_ticket(ready: Cli, tmp_path: Path) -> None:
    """A row copied twice into the log (every cell the same) is one call: one ticket."""
    (tmp_path / "log.csv").write_bytes(phone_log(row(1), row(1), row(2)))
    result = ready("import", str(tmp_path / "log.csv"))
    assert result.exit_code == 0, result.output
    assert "rows 3, tickets 2, incomplete 0, already recorded 1" in result.stdout
    assert "row 3: the same call as row 2; not recorded twice" in result.stdout
    assert len(tickets(ready)) == 2


def test_unknown_officer_does_not_cost_the_reporter_the_complaint(
    ready: Cli, tmp_path: Path
) -> None:
    """A row whose officer is unknown, blank or not on the help desk is still a ticket,
    recorded with the officer as written and left for the help desk to take; the error
    lines say so, and the import is not a failure."""
    path = tmp_path / "log.csv"
    path.write_bytes(
        phone_log(row(1, petugas="zorro"), row(2, petugas="agus"), row(3, petugas=""), row(4))
    )
    result = ready("import", str(path))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(
        'row 2: recorded as TIK-2026-00001; Petugas (officer) "zorro" is unknown'
    )
    assert lines[0].endswith("recorded as written, waiting for a help-desk officer to take it")
    assert lines[1].startswith('row 3: recorded as TIK-2026-00002; Petugas (officer) "agus" ')
    assert lines[2].startswith("row 4: recorded as TIK-2026-00003; Petugas (officer) ")
    assert lines[3] == "rows 4, tickets 4, incomplete 0, to check 3"
    made = tickets(ready)
    assert [(t["signature"], t["created_by"], t["state"]) for t in made] == [
        ("zorro", None, "received"),
        ("agus", None, "received"),
        ("-", None, "received"),
        ("sari", "sari", "first_level"),
    ]
    acks = [e for e in outbox(ready) if e["kind"] == "reporter.acknowledged"]
    assert len(acks) == 4  # every reporter hears that the complaint was registered


def test_unknown_officer_is_taken_by_the_officer_running_the_import(
    ready: Cli, tmp_path: Path
) -> None:
    """`helpdesk import --by` takes the calls whose officer the directory does not know."""
    path = tmp_path / "log.csv"
    path.write_bytes(phone_log(row(1, petugas="Sari W.")))
    result = ready("import", str(path), "--by", "yoga")
    assert result.exit_code == 0, result.output
    assert "; taken by yoga\n" in result.stdout
    [made] = tickets(ready)
    assert (made["signature"], made["created_by"], made["state"]) == (
        "Sari W.", "yoga", "first_level",
    )  # fmt: skip
    wrong = ready("import", str(path), "--by", "agus")
    assert wrong.exit_code == 1 and "not a help-desk officer" in wrong.output


def test_unregistered_agency_is_a_ticket_with_a_line_to_check(ready: Cli, tmp_path: Path) -> None:
    """A row naming an OPD outside the register is a ticket; its line suggests the close name."""
    path = tmp_path / "log.csv"
    path.write_bytes(
        phone_log(row(1, agency="Dinas Perpustakaan Daerah"), row(2, agency="Dispusip"))
    )
    result = ready("import", str(path))
    assert result.exit_code == 0, result.output
    [line, summary] = result.stdout.splitlines()
    assert line.startswith("row 2: recorded as TIK-2026-00001; Nama OPD ")
    assert "is not in the register of agencies" in line
    assert "Dinas Perpustakaan dan Kearsipan" in line
    assert summary == "rows 2, tickets 2, incomplete 0, to check 1"
    assert [t["agency"] for t in tickets(ready)] == [
        "Dinas Perpustakaan Daerah",
        "Dinas Perpustakaan dan Kearsipan",
    ]


def test_call_time_in_the_future_or_not_understood_is_a_problem(ready: Cli, tmp_path: Path) -> None:
    """A call time after now, or one that is not a time, keeps the row from being a
    ticket; a blank call time is now."""
    path = tmp_path / "log.csv"
    path.write_bytes(
        phone_log(row(1, waktu="01/12/2026 08.00"), row(2, waktu="tadi pagi"), row(3, waktu=""))
    )
    result = ready("import", str(path))
    lines = result.stdout.splitlines()
    assert lines[0] == 'row 2: Call time (Waktu) "01/12/2026 08.00" is in the future'
    assert lines[1].startswith('row 3: Call time (Waktu) is not valid: "tadi pagi"')
    [ticket] = tickets(ready)
    assert ticket["received_at"] == "2026-11-30T02:00:00+00:00"


def test_json_output_lists_tickets_and_incomplete_rows(ready: Cli, tmp_path: Path) -> None:
    """--json gives each ticket's row and number and each incomplete row's problems."""
    path = tmp_path / "log.csv"
    path.write_bytes(phone_log(row(1), row(2, email="")))
    result = ready("import", str(path), "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["status"] == "imported"
    assert report["tickets"] == [{"row": 2, "number": "TIK-2026-00001"}]
    assert report["incomplete"] == [
        {"row": 3, "problems": ["Alamat e-Mail (E-mail address) is missing."]}
    ]


def test_unreadable_file_exits_1_with_the_reason(ready: Cli, tmp_path: Path) -> None:
    """A file that is not a phone log exits 1 naming why, and stores nothing."""
    path = tmp_path / "laporan.xlsx"
    path.write_bytes(b"PK\x03\x04" + bytes(100))
    result = ready("import", str(path))
    assert result.exit_code == 1
    assert "error: laporan.xlsx: this file is an Excel workbook (.xlsx)" in result.stderr
    assert tickets(ready) == []


# --- the drop folder --------------------------------------------------------------------------


def test_scan_imports_a_file_and_moves_it_with_its_error_file(
    site: Site, drop: Path, ready: Cli
) -> None:
    """A complete file is imported, then moved to processed/ with <name>.errors.txt
    listing each incomplete row."""
    put(drop, "log-senin.csv", phone_log(row(1), row(2, division="", email=""), row(3)))
    [report] = scan_drop_folder(site, now=NOW, files_now=NOW)
    assert report.status == "imported"
    assert report.summary() == "rows 3, tickets 2, incomplete 1"
    moved = drop / "processed" / "log-senin.csv"
    assert report.moved_to == moved and moved.is_file()
    assert not (drop / "log-senin.csv").exists()
    errors = (drop / "processed" / "log-senin.csv.errors.txt").read_text(encoding="utf-8")
    assert errors.splitlines() == [
        "baris 3: Bidang/UPT/Balai belum diisi; Alamat e-Mail belum diisi"
    ]
    assert len(tickets(ready)) == 2
    assert len([e for e in outbox(ready) if e["kind"] == "reporter.acknowledged"]) == 2
    assert scan_drop_folder(site, now=NOW, files_now=NOW) == []  # nothing left to read


def test_file_without_problems_has_no_error_file(site: Site, drop: Path) -> None:
    """A file whose rows all became tickets is moved without an error file."""
    put(drop, "log.csv", phone_log(row(1)))
    scan_drop_folder(site, now=NOW, files_now=NOW)
    assert sorted(p.name for p in (drop / "processed").iterdir()) == ["log.csv"]


@pytest.mark.parametrize("office_time", ["2026-11-30T09:00:00+07:00", "2031-06-01T09:00:00+07:00"])
def test_settling_is_judged_on_the_folders_clock_whatever_the_office_time(
    site: Site, drop: Path, ready: Cli, office_time: str
) -> None:
    """Whether a file has settled is judged on the clock that stamped it, never on the
    office time HELPDESK_NOW fixes: a file just written waits, one left a minute is read."""
    now = dt.datetime.fromisoformat(office_time)
    fresh = drop / "baru.csv"
    fresh.write_bytes(phone_log(row(1)))
    assert scan_drop_folder(site, now=now) == []
    written_ago(fresh, 60)
    [report] = scan_drop_folder(site, now=now)
    assert report.summary() == "rows 1, tickets 1, incomplete 0"


def test_file_stamped_ahead_of_the_folders_clock_is_read_once_it_stops_changing(
    site: Site, drop: Path, ready: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file whose time is ahead of the folder's clock (copied from a machine whose clock
    runs fast) is read once the scanner has seen it unchanged for SETTLE_SECONDS."""
    ticks = iter([1000.0, 1000.0 + SETTLE_SECONDS - 1, 1000.0 + SETTLE_SECONDS])
    monkeypatch.setattr(phone_import.clock, "monotonic", lambda: next(ticks))
    path = drop / "dari-laptop.csv"
    path.write_bytes(phone_log(row(1)))
    written_ago(path, -3600)  # an hour ahead
    seen: phone_import.Sightings = {}
    assert scan_drop_folder(site, now=NOW, sightings=seen) == []  # first seen
    assert scan_drop_folder(site, now=NOW, sightings=seen) == []  # not long enough
    [report] = scan_drop_folder(site, now=NOW, sightings=seen)
    assert report.summary() == "rows 1, tickets 1, incomplete 0"


def test_half_written_file_is_not_read_on_the_first_scan(
    site: Site, drop: Path, ready: Cli
) -> None:
    """A file written to moments ago is left alone; once it has settled it is read."""
    path = put(drop, "log.csv", phone_log(row(1))[:-40], age_seconds=1)
    assert scan_drop_folder(site, now=NOW, files_now=NOW) == []
    assert path.exists() and tickets(ready) == []
    later = NOW + dt.timedelta(seconds=SETTLE_SECONDS)
    path.write_bytes(phone_log(row(1)))  # the copy finishes
    stamped(path, NOW)
    soon = NOW + dt.timedelta(seconds=1)
    assert scan_drop_folder(site, now=soon, files_now=soon) == []
    [report] = scan_drop_folder(site, now=later, files_now=later)
    assert report.summary() == "rows 1, tickets 1, incomplete 0"


def test_unreadable_file_goes_to_rejected_with_its_reason(
    site: Site, drop: Path, ready: Cli
) -> None:
    """A file that cannot be read at all moves to rejected/ with <name>.reason.txt."""
    put(drop, "foto.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    put(drop, "stok.csv", b"Tanggal;Barang;Jumlah\r\n30/11/2026;Kertas;5\r\n")
    reports = scan_drop_folder(site, now=NOW, files_now=NOW)
    assert [r.status for r in reports] == ["rejected", "rejected"]
    rejected = drop / "rejected"
    assert (rejected / "foto.csv").is_file() and (rejected / "stok.csv").is_file()
    assert "bukan teks" in (rejected / "foto.csv.reason.txt").read_text(encoding="utf-8")
    reason = (rejected / "stok.csv.reason.txt").read_text(encoding="utf-8")
    assert reason.startswith("judul kolom tidak dikenali (baris pertama: 'Tanggal;Barang;Jumlah')")
    assert tickets(ready) == []


def test_same_file_dropped_twice_makes_no_new_tickets(site: Site, drop: Path, ready: Cli) -> None:
    """The same file dropped again is moved aside with a note, and makes no ticket; its
    name, taken in processed/, gets a number."""
    data = phone_log(row(1), row(2, email=""))
    put(drop, "log.csv", data)
    scan_drop_folder(site, now=NOW, files_now=NOW)
    put(drop, "log.csv", data)
    [again] = scan_drop_folder(site, now=NOW, files_now=NOW)
    assert again.status == "duplicate" and again.tickets == []
    assert again.moved_to == drop / "processed" / "log-2.csv"
    errors = (drop / "processed" / "log-2.csv.errors.txt").read_text(encoding="utf-8")
    first_line, second_line = errors.splitlines()
    assert first_line.startswith("berkas: sudah diimpor pada Senin, 30 November 2026")
    assert second_line == "baris 3: Alamat e-Mail belum diisi"
    assert len(tickets(ready)) == 1


def test_temporary_hidden_and_open_files_are_not_read(site: Site, drop: Path) -> None:
    """Dotfiles, *.tmp, Office's ~$ files and a file Excel has open are left alone."""
    data = phone_log(row(1))
    for name in (".log.csv", "log.csv.tmp", "~$rekap.csv", "rekap.csv"):
        put(drop, name, data)
    assert scan_drop_folder(site, now=NOW, files_now=NOW) == []  # rekap.csv is open: ~$rekap.csv
    assert sorted(p.name for p in drop.iterdir()) == [
        ".log.csv",
        "log.csv.tmp",
        "rekap.csv",
        "~$rekap.csv",
    ]


def test_files_in_a_legacy_encoding_and_utf16_are_imported(site: Site, drop: Path) -> None:
    """Windows-1252 and Excel's UTF-16 "Unicode text" files become tickets like UTF-8."""
    put(drop, "a.csv", phone_log(row(1, reporter_name="André Wijaya"), encoding="cp1252"))
    text = "\r\n".join("\t".join(cells) for cells in (HEADER, row(2))) + "\r\n"
    put(drop, "b.txt", text.encode("utf-16"))
    reports = scan_drop_folder(site, now=NOW, files_now=NOW)
    assert [r.summary() for r in reports] == ["rows 1, tickets 1, incomplete 0"] * 2


def test_a_file_that_fails_stays_and_the_others_go_on(
    site: Site, drop: Path, ready: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fault while importing one file leaves it in the folder for the next scan, with
    nothing of it committed; the other files are imported."""
    real_register_many_in = phone_import.register_many_in

    def fail_for_rusak(tx, here, complaints, **kwargs):  # type: ignore[no-untyped-def]
        if any(c.raw["reporter_name"] == "Rusak" for c in complaints):
            raise RuntimeError("template missing")
        return real_register_many_in(tx, here, complaints, **kwargs)

    monkeypatch.setattr(phone_import, "register_many_in", fail_for_rusak)
    put(drop, "a.csv", phone_log(row(1), row(2, reporter_name="Rusak")))
    put(drop, "b.csv", phone_log(row(3)))
    failed, imported = scan_drop_folder(site, now=NOW, files_now=NOW)
    assert (failed.name, failed.status) == ("a.csv", "failed")
    assert failed.reason is not None and "template missing" in failed.reason.message_en
    assert (imported.name, imported.status) == ("b.csv", "imported")
    assert (drop / "a.csv").exists()
    assert [t["email"] for t in tickets(ready)] == ["pelapor3@dinkes.example.go.id"]

    monkeypatch.setattr(phone_import, "register_many_in", real_register_many_in)
    [report] = scan_drop_folder(site, now=NOW, files_now=NOW)
    assert report.summary() == "rows 2, tickets 2, incomplete 0"


# --- big files, and imports cut short ---------------------------------------------------------


def chunks_of(monkeypatch: pytest.MonkeyPatch, rows: int) -> None:
    """Chunks of ``rows`` rows, whatever the database."""
    monkeypatch.setattr(phone_import, "CHUNK_ROWS", dict.fromkeys(phone_import.CHUNK_ROWS, rows))


def crash_in_chunk(monkeypatch: pytest.MonkeyPatch, chunk: int, rows: int) -> None:
    """Chunks of ``rows`` rows, and the power going out as chunk number ``chunk`` is
    registered (once: the import read again goes on)."""
    chunks_of(monkeypatch, rows)
    real_register_many_in = phone_import.register_many_in
    calls = 0

    def crashing(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == chunk:
            raise RuntimeError("the power went out")
        return real_register_many_in(*args, **kwargs)

    monkeypatch.setattr(phone_import, "register_many_in", crashing)


def crash_in_the_second_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of 3 rows, and the power going out as the second chunk is registered."""
    crash_in_chunk(monkeypatch, 2, 3)


def test_import_cut_short_goes_on_after_the_last_committed_row(
    site: Site, tmp_path: Path, ready: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash in the second chunk keeps the first chunk's tickets; reading the file
    again goes on after the last committed row, and no row becomes a ticket twice."""
    crash_in_the_second_chunk(monkeypatch)
    path = tmp_path / "log.csv"
    path.write_bytes(phone_log(*(row(n) for n in range(1, 9))))
    with pytest.raises(RuntimeError):
        import_file(site, path, now=NOW)
    assert [t["number"] for t in tickets(ready)] == [f"TIK-2026-0000{n}" for n in (1, 2, 3)]

    report = import_file(site, path, now=NOW)
    assert report.status == "imported"
    assert [number for _, number in report.tickets] == [f"TIK-2026-0000{n}" for n in range(4, 9)]
    assert [r for r, _ in report.tickets] == [5, 6, 7, 8, 9]
    assert "resumed after row 4" in report.notes[-1].message_en
    assert len(tickets(ready)) == 8
    assert import_file(site, path, now=NOW).status == "duplicate"


@pytest.mark.parametrize("cut_short", [False, True], ids=["whole", "cut-short"])
def test_an_import_cut_short_finds_the_repeats_one_run_finds(
    cut_short: bool, site: Site, tmp_path: Path, ready: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rows a crashed import committed are still the file's own rows when it goes on:
    a later row is compared with them by its cells as written, as in one run. A call
    written again with its phone number spelt otherwise is a ticket of its own, and a row
    copied whole is the same call as the row it copies, crash or not."""
    chunks_of(monkeypatch, 3)
    if cut_short:
        crash_in_the_second_chunk(monkeypatch)
    path = tmp_path / "log.csv"
    # File rows 2-4 are the first chunk; row 6 is row 4 with its phone number spelt
    # otherwise, row 7 a copy of row 3.
    path.write_bytes(
        phone_log(row(1), row(2), row(3), row(4), row(3, phone="081234567890"), row(2), row(5))
    )
    if cut_short:
        with pytest.raises(RuntimeError):
            import_file(site, path, now=NOW)
    report = import_file(site, path, now=NOW)
    assert report.status == "imported"
    assert [r for r, _ in report.tickets] == ([5, 6, 8] if cut_short else [2, 3, 4, 5, 6, 8])
    assert [problem.line("en") for problem in report.problems] == [
        "row 7: the same call as row 3; not recorded twice"
    ]
    assert [t["number"] for t in tickets(ready)] == [f"TIK-2026-0000{n}" for n in range(1, 7)]


def test_rows_another_import_committed_meanwhile_stay_in_the_record(
    site: Site, tmp_path: Path, ready: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two processes import one file, a chunk at a time: the rows the other committed
    between two chunks of this one are in the file's record with this one's, each once."""
    from ticketing.store import Tx

    chunks_of(monkeypatch, 3)
    path = tmp_path / "log.csv"
    path.write_bytes(phone_log(*(row(n) for n in range(1, 10))))
    real_progress, real_register = Tx.phone_import_progress, phone_import.register_many_in
    calls = {"progress": 0, "other": 0}

    def the_other_process_registers(*args, **kwargs):  # type: ignore[no-untyped-def]
        if calls["other"]:
            calls["other"] += 1
            if calls["other"] == 3:  # its second chunk: it stops there
                raise RuntimeError("the other process is stopped")
        return real_register(*args, **kwargs)

    def between_two_chunks(self: Tx, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls["progress"] += 1
        if calls["progress"] == 2:  # before this import's second chunk: the other's first
            calls["other"] = 1
            with pytest.raises(RuntimeError):
                import_file(site, path, now=NOW)
            calls["other"] = 0
        return real_progress(self, *args, **kwargs)

    monkeypatch.setattr(phone_import, "register_many_in", the_other_process_registers)
    monkeypatch.setattr(Tx, "phone_import_progress", between_two_chunks)
    report = import_file(site, path, now=NOW)
    assert [r for r, _ in report.tickets] == [2, 3, 4, 8, 9, 10]  # this process's rows
    assert len(tickets(ready)) == 9
    again = import_file(site, path, now=NOW)
    assert again.status == "duplicate" and "(9 tickets)" in again.notes[0].message_en


def test_five_thousand_row_file_imports(ready: Cli, tmp_path: Path, site: Site) -> None:
    """A 5,000-row log is read and committed in chunks, with progress reported.

    One row in five is complete (a complete row costs most: the ticket, its events and the
    rendered acknowledgement); bench/phone_import.py measures the speed of large files.
    """
    rows = [row(n) if n % 5 == 0 else row(n, email="") for n in range(5000)]
    path = tmp_path / "besar.csv"
    path.write_bytes(phone_log(*rows))
    seen: list[tuple[int, int]] = []
    report = import_file(
        site, path, now=NOW, progress=lambda done, total: seen.append((done, total))
    )
    assert report.summary() == "rows 5000, tickets 1000, incomplete 4000"
    assert report.problems[0].line("id") == "baris 3: Alamat e-Mail belum diisi"
    assert report.problems[-1].row == 5001
    assert seen[-1] == (5000, 5000) and len(seen) == 5000


def test_rows_are_numbered_per_year_of_their_call_in_the_order_of_the_file(
    site: Site, tmp_path: Path, ready: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file's rows, registered together in chunks, are numbered per year of their call
    in the order of the file; each ticket is taken by its officer (another's call is left
    for the help desk) and its reporter gets one acknowledgement."""
    chunks_of(monkeypatch, 4)
    calls = [
        row(1),
        row(2, waktu="31/12/2025 15.30", petugas="Yoga Pratama"),  # last year's numbering
        row(3, email=""),
        row(4, waktu="2026-11-30 07:45"),
        row(5, petugas="rudi"),  # not a help-desk officer
        row(6),
        row(7, waktu="30/12/2025 09.00"),
        row(8),
        row(9, sex="x"),
    ]
    path = tmp_path / "log.csv"
    path.write_bytes(phone_log(*calls))
    report = import_file(site, path, now=NOW)
    assert report.summary() == "rows 9, tickets 7, incomplete 2, to check 1"
    assert report.tickets == [
        (2, "TIK-2026-00001"), (3, "TIK-2025-00001"), (5, "TIK-2026-00002"),
        (6, "TIK-2026-00003"), (7, "TIK-2026-00004"), (8, "TIK-2025-00002"),
        (9, "TIK-2026-00005"),
    ]  # fmt: skip
    made = {line - 1: number for line, number in report.tickets}  # call n is on line n + 1
    stored = {t["number"]: t for t in tickets(ready)}
    assert {number: (t["state"], t["assignee"]) for number, t in stored.items()} == {
        number: ("received", None) if n == 5 else ("first_level", "yoga" if n == 2 else "sari")
        for n, number in made.items()
    }
    acks = [(e["ticket"], e["recipients"]) for e in outbox(ready)
            if e["kind"] == "reporter.acknowledged"]  # fmt: skip
    assert sorted(acks) == sorted(
        (number, [f"pelapor{n}@dinkes.example.go.id"]) for n, number in made.items()
    )


# A log of the shapes people write, and the golden record of what importing it stores:
# `stored_import`'s text, written once by the code of 4b9b6d3 (before the import was made
# faster), so that the tickets, events and e-mails stay the same byte for byte; write it
# again only for a change meant to alter what is stored or sent.
GOLDEN = Path(__file__).parents[1] / "fixtures" / "phone" / "stored.txt"
GOLDEN_CALLS = [
    row(1),
    row(2, phone="+62 813 1111 2222", email="Dewi.Anggraini@BAPENDA.Example.GO.ID",
        waktu="2026-11-27 16:50", petugas="Yoga Pratama", sex="Perempuan"),
    row(3, phone="(0254) 123456", email="budi@bücher.example.go.id", category="3",
        waktu="01/11/2026 10.00"),
    row(4, phone="+65 6123 4567", email="PostMaster@Dinkes.example.go.id", petugas="rudi",
        employment_status="honorer", agency="Dinas Entah Apa"),
    row(5, phone="6281234567891", waktu="", sex="pr"),
    row(6, phone="0812"),
    row(1),
    row(7, phone="0062 857-1234-5678", email='"budi santoso"@example.go.id'),
    row(8, phone="0878 1234 5678.", email="mailto:siti@dinkes.example.go.id",
        waktu="31/12/2025 15.30", description="Printer tidak bisa mencetak;\r\nmuncul galat."),
]  # fmt: skip


def stored_import(site: Site, folder: Path) -> str:
    """GOLDEN_CALLS imported on ``site`` with a seeded random source: the report, then every
    ticket, event and outbox e-mail (rendered as it will be sent) as stored, the reporters'
    access tokens (drawn by the operating system) written TOKEN."""
    import dataclasses
    import random

    from sqlmodel import col, select

    from notifier.outbox import email_bytes
    from ticketing.models import Event, OutboxEmail, Ticket

    office = site.office
    sender = dataclasses.replace(office.settings.sender, rng=random.Random(18))
    settings = dataclasses.replace(office.settings, sender=sender)
    site.__dict__["office"] = dataclasses.replace(office, settings=settings)
    path = folder / "golden.csv"
    path.write_bytes(phone_log(*GOLDEN_CALLS))
    report = import_file(site, path, now=NOW)
    lines = [report.summary(), *report.lines("id")]
    with site.store.transaction() as tx:
        tokens = [t.access_token for t in tx.tickets() if t.access_token]
        for model in (Ticket, Event, OutboxEmail):
            for stored in tx.session.exec(select(model).order_by(col(model.id))):
                lines.append(f"--- {model.__name__}")
                values = sorted(stored.model_dump().items())
                lines += [f"{n}: {v!r}" for n, v in values if n != "raw"]
        for email in tx.outbox():
            lines.append(f"--- e-mail {email.id}")
            lines += email_bytes(email, site.office).decode("ascii").splitlines()
    shown = "\n".join(lines) + "\n"
    for token in tokens:
        shown = shown.replace(token, "TOKEN")
    return shown


def test_a_log_stores_the_same_tickets_events_and_e_mails_byte_for_byte(
    site: Site, tmp_path: Path
) -> None:
    """Importing a log of the usual and unusual ways people write its cells stores the
    tickets, events and e-mails it stored before the import was made faster, byte for byte
    (numbers, deadlines, wording, Message-IDs and MIME bytes from the same seeded source).
    The acknowledgements' drafts are their facts since they are composed when sent; the
    e-mails rendered from them are the bytes they were before."""
    assert stored_import(site, tmp_path) == GOLDEN.read_text(encoding="utf-8")
