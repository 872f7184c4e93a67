"""`helpdesk init`, `phone` and `letter` through Typer's runner."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from tests import databases
from tests.cli.conftest import Cli, form_args
from ticketing import migrate


def _tickets(cli: Cli) -> list[dict]:
    result = cli("ticket", "list", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.empty_database("init builds the schema from nothing, by the migrations")
def test_init_creates_database_and_folders(cli: Cli, site_dir: Path) -> None:
    """init creates the database (the schema by the migrations, on either database) and the
    data folders next to the config; a second run is a no-op."""
    first = cli("init")
    assert first.exit_code == 0, first.output
    assert f"database migrated from empty to {migrate.head_revision()}" in first.stdout
    assert databases.initialised(site_dir)
    assert (site_dir / "var" / "archive").is_dir()
    assert (site_dir / "var" / "phone-drop").is_dir()
    second = cli("init")
    assert second.exit_code == 0
    assert "nothing to do" in second.stdout


@pytest.mark.empty_database("a site whose database has no table yet")
def test_commands_before_init_say_to_run_init(cli: Cli) -> None:
    """Using a site that was never initialised exits 1 pointing at `helpdesk init`."""
    result = cli("ticket", "list")
    assert result.exit_code == 1
    assert "helpdesk init" in result.stderr
    assert "Traceback" not in result.output


def test_phone_with_every_field_registers_without_prompts(ready: Cli) -> None:
    """A phone complaint given as options is stored normalized, taken by the officer."""
    result = ready("phone", *form_args(), "--by", "sari")
    assert result.exit_code == 0, result.output
    assert "TIK-2026-00001" in result.stdout
    [ticket] = _tickets(ready)
    assert ticket["number"] == "TIK-2026-00001"
    assert ticket["channel"] == "phone"
    assert ticket["state"] == "first_level"
    assert ticket["agency"] == "Dinas Kesehatan"
    assert ticket["phone"] == "+6281234567890"
    assert ticket["sex"] == "L"
    assert ticket["employment_status"] == "PNS"
    assert ticket["category"] == "Jaringan"
    assert ticket["created_by"] == "sari"
    # 09:00 Monday + 2h + 1h of working time
    assert ticket["due_at"] == "2026-11-30T05:00:00+00:00"


def test_phone_reports_every_problem_and_stores_nothing(ready: Cli) -> None:
    """Missing and invalid fields exit 1 with one line per problem, and no ticket is made;
    the lines are Indonesian from their first word."""
    result = ready(
        "phone", *form_args(phone="123", email=None, sex="x", division=None), "--by", "sari"
    )
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 4
    assert lines[0].startswith("kesalahan: Bidang/UPT/Balai belum diisi")
    assert lines[1].startswith("kesalahan: Nomor Telepon / HandPhone tidak valid")
    assert lines[2].startswith("kesalahan: Alamat e-Mail belum diisi")
    assert lines[3].startswith("kesalahan: Jenis Kelamin tidak valid")
    assert _tickets(ready) == []


def test_phone_needs_a_known_help_desk_officer(ready: Cli) -> None:
    """The officer must be named, known, and on the help desk."""
    nobody = ready("phone", *form_args())
    assert nobody.exit_code == 1 and "HELPDESK_USER" in nobody.stderr
    stranger = ready("phone", *form_args(), "--by", "zorro")
    assert stranger.exit_code == 1 and "kesalahan: Petugas 'zorro' tidak dikenal" in stranger.stderr
    technician = ready("phone", *form_args(), "--by", "agus")
    assert technician.exit_code == 1
    assert "agus adalah petugas teknis, bukan petugas Help Desk." in technician.stderr
    assert _tickets(ready) == []


def test_phone_interactive_prompts_every_field_in_indonesian(ready: Cli) -> None:
    """Without field options the officer is asked for each field by its form label."""
    answers = [
        "Dinkes",
        "Bidang Pelayanan",
        "Budi Santoso",
        "Staf",
        "0812 3456 7890",
        "budi@dinkes.example.go.id",
        "2",  # Perempuan, by its number in the list of choices
        "non pns",
        "7",  # Website
        "Laman dinas tidak bisa dibuka dari luar kantor.",
    ]
    result = ready("phone", "--by", "sari", input="\n".join([*answers, "y"]) + "\n")
    assert result.exit_code == 0, result.output
    for label in (
        "Nama OPD",
        "Bidang/UPT/Balai",
        "Nama Pelapor",
        "Jabatan",
        "Nomor Telepon / HandPhone",
        "Alamat e-Mail",
        "Jenis Kelamin",
        "Status Kepegawaian",
        "Jenis Aduan",
        "Isi Aduan",
    ):
        assert label in result.stdout
    assert "1. Laki-laki  2. Perempuan" in result.stdout
    assert "1. PNS  2. Non PNS" in result.stdout
    assert "7. Website" in result.stdout
    [ticket] = _tickets(ready)
    assert (ticket["sex"], ticket["employment_status"], ticket["category"]) == (
        "P",
        "Non PNS",
        "Website",
    )


def test_phone_interactive_asks_again_with_the_reason(ready: Cli) -> None:
    """An invalid answer is refused with its reason and the same field is asked again."""
    answers = [
        "Dinkes",
        "Bidang Pelayanan",
        "Budi Santoso",
        "Staf",
        "123",  # invalid phone
        "0812-3456-7890",
        "budi@",
        "budi@dinkes.example.go.id",
        "banci",
        "L",
        "PNS",
        "internet",
        "",
        "Internet mati sejak pagi di ruang pelayanan.",
    ]
    result = ready("phone", "--by", "sari", input="\n".join([*answers, "y"]) + "\n")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.count("Nomor Telepon / HandPhone:") == 3  # asked twice, read back once
    assert "bukan nomor telepon yang valid" in out
    assert out.count("Alamat e-Mail:") == 3
    assert out.count("Jenis Kelamin (1. Laki-laki  2. Perempuan):") == 2
    assert "Wajib diisi." in out
    [ticket] = _tickets(ready)
    assert ticket["phone"] == "+6281234567890"
    assert ticket["email"] == "budi@dinkes.example.go.id"


def test_phone_interactive_asks_for_the_officer(ready: Cli) -> None:
    """Interactively, the officer is asked for when not given, and recorded."""
    answers = [
        "yoga",
        "Dinkes",
        "Bidang Pelayanan",
        "Budi Santoso",
        "Staf",
        "0812-3456-7890",
        "budi@dinkes.example.go.id",
        "L",
        "PNS",
        "1",
        "Internet mati sejak pagi ini.",
    ]
    result = ready("phone", input="\n".join([*answers, "y"]) + "\n")
    assert result.exit_code == 0, result.output
    assert "Petugas penerima" in result.stdout
    [ticket] = _tickets(ready)
    assert ticket["created_by"] == "yoga" and ticket["signature"] == "yoga"


def test_phone_interactive_in_english_when_configured(ready: Cli, site_dir: Path) -> None:
    """With language = "en" the prompts use the English labels."""
    config = site_dir / "config.toml"
    config.write_text(config.read_text().replace('language = "id"', 'language = "en"'))
    answers = [
        "Dinkes",
        "Bidang Pelayanan",
        "Budi Santoso",
        "Staf",
        "0812-3456-7890",
        "budi@dinkes.example.go.id",
        "L",
        "PNS",
        "1",
        "Internet mati sejak pagi ini.",
    ]
    result = ready("phone", "--by", "sari", input="\n".join([*answers, "y"]) + "\n")
    assert result.exit_code == 0, result.output
    assert "Complaint registered with number TIK-2026-00001." in result.stdout
    assert "Nama OPD:" not in result.stdout


def test_phone_no_input_reports_all_missing(ready: Cli) -> None:
    """--no-input never prompts: with nothing given it lists all ten fields as missing."""
    result = ready("phone", "--no-input", "--by", "sari")
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 10


def test_letter_archives_its_scan(ready: Cli, site_dir: Path, tmp_path: Path) -> None:
    """A letter's scan is copied into the archive with the ticket and recorded with its hash."""
    scan = tmp_path / "surat masuk 27-11.pdf"
    content = b"%PDF-1.4 scanned letter"
    scan.write_bytes(content)
    result = ready(
        "letter",
        *form_args(),
        "--by",
        "yoga",
        "--scan",
        str(scan),
        "--received",
        "2026-11-27T14:00",
    )
    assert result.exit_code == 0, result.output
    shown = json.loads(ready("ticket", "show", "TIK-2026-00001", "--json").stdout)
    assert shown["channel"] == "letter"
    assert shown["received_at"] == "2026-11-27T07:00:00+00:00"  # 14:00 WIB
    [attachment] = shown["attachments"]
    assert attachment["filename"] == "surat masuk 27-11.pdf"
    assert attachment["sha256"] == hashlib.sha256(content).hexdigest()
    stored = site_dir / "var" / "archive" / attachment["stored_path"]
    assert stored.read_bytes() == content
    assert stored.parent.name == "TIK-2026-00001"


def test_letter_with_unreadable_scan_stores_nothing(ready: Cli, tmp_path: Path) -> None:
    """A scan that does not exist is refused before anything is stored."""
    result = ready("letter", *form_args(), "--by", "yoga", "--scan", str(tmp_path / "none.pdf"))
    assert result.exit_code == 1
    assert "no such file" in result.stderr
    assert _tickets(ready) == []


def test_incomplete_letter_leaves_no_archived_file(
    ready: Cli, site_dir: Path, tmp_path: Path
) -> None:
    """When the form is incomplete, the scan is not left in the archive either."""
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF")
    result = ready("letter", *form_args(email="x"), "--by", "yoga", "--scan", str(scan))
    assert result.exit_code == 1
    assert list((site_dir / "var" / "archive").rglob("*.pdf")) == []


def test_a_letter_whose_transaction_fails_leaves_no_archived_scan(
    ready: Cli, site_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scan is archived in the letter's transaction; should that fail once the scan is
    written (here the database gone as its record is stored), nothing is kept: no ticket,
    and no file in the archive."""
    from ticketing.store import DatabaseUnavailable, Tx

    def gone(self: Tx, attachment: object) -> None:
        raise DatabaseUnavailable("database: the server went away; nothing was saved")

    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF")
    with monkeypatch.context() as database:
        database.setattr(Tx, "add_attachment", gone)
        result = ready("letter", *form_args(), "--by", "yoga", "--scan", str(scan))
    assert result.exit_code == 1
    assert "the server went away" in result.stderr
    assert [p for p in (site_dir / "var" / "archive").rglob("*") if p.is_file()] == []
    assert _tickets(ready) == []


def test_received_time_in_the_future_is_refused(ready: Cli) -> None:
    """A letter cannot be received after now."""
    result = ready("letter", *form_args(), "--by", "yoga", "--received", "2027-01-01T09:00")
    assert result.exit_code == 1
    assert "tidak dapat diterima pada waktu yang akan datang" in result.stderr
    bad = ready("letter", *form_args(), "--by", "yoga", "--received", "kemarin")
    assert bad.exit_code == 1
    assert "--received" in bad.stderr


# A call taken by prompts: the answers in the form's order, as an officer types them.
CALL = [
    "Dinkes", "Bidang Pelayanan", "Budi Santoso", "Staf", "0812 3456 7890",
    "budi@dinkes.example.go.id", "1", "PNS", "printer", "Printer di ruang rapat tidak mencetak.",
]  # fmt: skip


def test_phone_reads_the_form_back_with_what_the_officer_typed(ready: Cli) -> None:
    """Before saving, the form is read back as it will be recorded, each value as the form
    shows it; where the program read a word as a choice ("printer" as Komputer, "Dinkes"
    as the register's name) the words typed stand beside it. Y saves."""
    result = ready("phone", "--by", "sari", input="\n".join([*CALL, "y"]) + "\n")
    assert result.exit_code == 0, result.output
    out = result.stdout
    back = out[out.index("Mohon bacakan kembali") : out.index("Simpan?")].splitlines()
    assert back[1:] == [
        '   1. Nama OPD: Dinas Kesehatan  (ditulis: "Dinkes")',
        "   2. Bidang/UPT/Balai: Bidang Pelayanan",
        "   3. Nama Pelapor: Budi Santoso",
        "   4. Jabatan: Staf",
        "   5. Nomor Telepon / HandPhone: 0812-3456-7890",
        "   6. Alamat e-Mail: budi@dinkes.example.go.id",
        "   7. Jenis Kelamin: Laki-laki",
        "   8. Status Kepegawaian: PNS",
        '   9. Jenis Aduan: Komputer  (ditulis: "printer")',
        "  10. Isi Aduan: Printer di ruang rapat tidak mencetak.",
    ]
    assert "Pengaduan dicatat dengan Nomor Pengaduan TIK-2026-00001." in out
    [ticket] = _tickets(ready)
    assert ticket["category"] == "Komputer"


def test_phone_read_back_lets_the_officer_change_a_field(ready: Cli) -> None:
    """A field's number at the read-back asks for it again; the form is read back anew."""
    answers = [*CALL, "3", "Budi Santosa", "9", "1", "y"]
    result = ready("phone", "--by", "sari", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("Mohon bacakan kembali") == 3
    [ticket] = _tickets(ready)
    assert (ticket["reporter_name"], ticket["category"]) == ("Budi Santosa", "Jaringan")


def test_phone_read_back_n_cancels_and_records_nothing(ready: Cli) -> None:
    """N at the read-back cancels: one Indonesian line, exit 1, no ticket."""
    result = ready("phone", "--by", "sari", input="\n".join([*CALL, "n"]) + "\n")
    assert result.exit_code == 1
    assert result.stderr.strip() == "kesalahan: Dibatalkan; pengaduan tidak dicatat."
    assert _tickets(ready) == []


def test_phone_refusals_begin_with_a_capital_and_offer_the_numbered_sexes(ready: Cli) -> None:
    """A refused answer is a sentence of its own (capital first); the sex is refused in the
    words of its prompt, "1. Laki-laki atau 2. Perempuan"."""
    answers = [
        "Dinkes", "Bidang Pelayanan", "x", "Budi Santoso", "Staf",
        "0812 3456 7890 / 0813 1111 2222", "0812 3456 7890",
        "budi@dinkes.example.go.id", "banci", "3", "L", "PNS", "1", "Internet mati.",
    ]  # fmt: skip
    result = ready("phone", "--by", "sari", input="\n".join([*answers, "y"]) + "\n")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "  Nama minimal berisi 2 huruf." in out
    assert "  Mohon tuliskan satu nomor telepon saja." in out
    assert out.count("tidak dikenali; mohon pilih 1. Laki-laki atau 2. Perempuan.") == 2
    assert out.count("Jenis Kelamin (1. Laki-laki  2. Perempuan):") == 3
    read_back = re.compile(r"^ +\d+\. ")
    refusals = [line.strip() for line in out.splitlines()
                if line.startswith("  ") and not read_back.match(line)]  # fmt: skip
    assert refusals and all(r[0].isupper() or r[0] == '"' for r in refusals), refusals


def test_phone_in_english_reads_back_in_english(ready: Cli, site_dir: Path) -> None:
    """With language = "en" the prompts, the choices, the read-back and the errors are all
    English: no Indonesian word of the program's own."""
    config = site_dir / "config.toml"
    config.write_text(config.read_text().replace('language = "id"', 'language = "en"'))
    answers = [*CALL[:6], "banci", "1", *CALL[7:]]
    result = ready("phone", "--by", "sari", input="\n".join([*answers, "y"]) + "\n")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Sex (1. Male  2. Female):" in out
    assert '"banci" is not recognised; please choose 1. Male or 2. Female.' in out
    assert "   7. Sex: Male" in out
    assert '   9. Complaint type: Computer  (written: "printer")' in out
    for word in ("Mohon", "ditulis", "Simpan", "Laki-laki", "Wajib", "Pengaduan dicatat"):
        assert word not in out, word
    cancelled = ready("phone", "--by", "sari", input="\n".join([*CALL, "n"]) + "\n")
    assert cancelled.stderr.strip() == "error: Cancelled; the complaint was not recorded."
