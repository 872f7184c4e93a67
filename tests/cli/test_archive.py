"""`helpdesk archive export|verify`: a period's complaints in one zip bundle, and its check."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpdesk.wiring import Site
from tests.cli.conftest import Cli, form_args
from tests.cli.test_phone_import import phone_log, row
from tests.cli.test_print import through_the_sop
from tests.conftest import FORM
from tests.mail import email, without
from ticketing.formulir import FIELDS

HYPERLINK = '=HYPERLINK("http://evil.example/x","Klik di sini untuk detail")'
SCAN = b"%PDF-1.4 scanned letter\n" + bytes(range(256))
EXPORTED_AT = "2026-12-02T10:00:00+07:00"


@dataclass
class November:
    """What the month holds, as it went in."""

    complaint_eml: bytes  # the e-mail that made TIK-2026-00001
    incomplete_eml: bytes  # the e-mail of incomplete report 1
    log_csv: bytes  # the phone log that made TIK-2026-00003


def ok(result) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.output


@pytest.fixture
def november(
    ready: Cli, site_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> November:
    """November 2026: an e-mail complaint (its acknowledgement sent), a letter with its scan,
    a phone log, a phone call taken through the SOP whose complaint reads like a formula, an
    incomplete report by e-mail; and a phone call on 1 December. Exports go to tmp_path."""
    monkeypatch.chdir(tmp_path)
    inbox = tmp_path / "in"
    inbox.mkdir()
    complaint = email(message_id="<complaint@dinkes.example.go.id>")
    (inbox / "complaint.eml").write_bytes(complaint)
    ok(ready("intake", "inject", str(inbox / "complaint.eml")))  # TIK-2026-00001

    scan = inbox / "surat masuk 27-11.pdf"
    scan.write_bytes(SCAN)
    letter = ["--scan", str(scan), "--received", "2026-11-27T14:00"]
    ok(ready("letter", *form_args(), "--by", "yoga", *letter))  # TIK-2026-00002

    log = phone_log(row(1))
    (inbox / "log telepon.csv").write_bytes(log)
    ok(ready("import", str(inbox / "log telepon.csv")))  # TIK-2026-00003

    ok(ready("phone", *form_args(description=HYPERLINK), "--by", "sari"))  # TIK-2026-00004
    through_the_sop(ready, "TIK-2026-00004")

    incomplete = email(
        without("Jenis Kelamin", without("Nomor Telepon")),
        message_id="<partial@dinkes.example.go.id>",
    )
    (inbox / "incomplete.eml").write_bytes(incomplete)
    ok(ready("intake", "inject", str(inbox / "incomplete.eml")))  # submission 1

    ok(ready("phone", *form_args(), "--by", "sari", now="2026-12-01T09:00:00+07:00"))  # 00005

    here = Site.load(str(site_dir / "config.toml"))
    with here.store.transaction() as tx:
        first = tx.ticket("TIK-2026-00001")
        for sent in tx.outbox(ticket=first):
            tx.mark_sent(sent.id or 0, here.now())
    return November(complaint_eml=complaint, incomplete_eml=incomplete, log_csv=log)


def export(cli: Cli, *args: str, now: str = EXPORTED_AT):  # type: ignore[no-untyped-def]
    return cli("archive", "export", *args, now=now)


def bundle(tmp_path: Path, name: str = "arsip-pengaduan-2026-11.zip") -> dict[str, bytes]:
    with zipfile.ZipFile(tmp_path / name) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def rewrite(path: Path, change: dict[str, bytes | None], stored: bool = False) -> None:
    """Write the zip again with some entries' bytes changed, removed (None) or added;
    ``stored`` leaves every entry uncompressed."""
    with zipfile.ZipFile(path) as zf:
        entries = {info.filename: zf.read(info) for info in zf.infolist()}
    for name, data in change.items():
        if data is None:
            del entries[name]
        else:
            entries[name] = data
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "w", compression=method) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)


def table(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_bundle_holds_the_months_messages_files_and_documents(
    ready: Cli, november: November, tmp_path: Path
) -> None:
    """The month's bundle has each e-mail byte for byte, the letter's scan, the phone log,
    the incomplete report's e-mail and the documents; nothing of December."""
    result = export(ready, "--month", "2026-11")
    ok(result)
    assert result.stdout.splitlines() == [
        "arsip-pengaduan-2026-11.zip",
        "2026-11: 4 complaints, 1 incomplete report, 4 messages, 1 phone log, 1 attachment,"
        " 6 documents, 1 survey invitation, 0 survey responses",
    ]
    files = bundle(tmp_path)
    [received] = [n for n in files if n.startswith("messages/TIK-2026-00001/in-")]
    assert files[received] == november.complaint_eml
    # the acknowledgement and the help desk's copy, both sent
    sent = [n for n in files if n.startswith("messages/TIK-2026-00001/out-")]
    assert len(sent) == 2 and all(b"[TIK-2026-00001]" in files[n] for n in sent)
    assert [b"Pengaduan baru" in files[n] for n in sent].count(True) == 1
    [report] = [n for n in files if n.startswith("messages/incomplete/1/")]
    assert report.endswith(".eml") and files[report] == november.incomplete_eml
    assert files["attachments/TIK-2026-00002/surat_masuk_27-11.pdf"] == SCAN
    [log] = [n for n in files if n.startswith("phone-logs/")]
    assert log.endswith("-log_telepon.csv") and files[log] == november.log_csv
    assert log.removeprefix("phone-logs/")[:12] == hashlib.sha256(november.log_csv).hexdigest()[:12]
    documents = sorted(n.removeprefix("documents/") for n in files if n.startswith("documents/"))
    assert documents == [
        "TIK-2026-00001-formulir.html",
        "TIK-2026-00002-formulir.html",
        "TIK-2026-00003-formulir.html",
        "TIK-2026-00004-disposisi.html",
        "TIK-2026-00004-formulir.html",
        "TIK-2026-00004-laporan.html",
    ]  # a Lembar Disposisi and a Laporan Akhir only where the ticket got that far
    assert not any("TIK-2026-00005" in name for name in files)
    assert (
        "Periksa kabel &amp; switch." in files["documents/TIK-2026-00004-disposisi.html"].decode()
    )


def test_register_has_every_field_in_form_order_and_guards_formulas(
    ready: Cli, november: November, tmp_path: Path
) -> None:
    """register.csv: one row per complaint with the Formulir's labels as headers, local times,
    the state in Indonesian; a complaint that starts with `=` cannot run as a formula."""
    ok(export(ready, "--month", "2026-11"))
    header, *rows = table(bundle(tmp_path)["register.csv"])
    assert header[:3] == ["Nomor", "Diterima", "Saluran"]
    assert header[3 : 3 + len(FIELDS)] == [f.label for f in FIELDS]
    assert header[3 + len(FIELDS) :] == [
        "Unit", "Penanggung Jawab", "Petugas Teknis", "Status", "Ditutup", "Solusi",
        "Jumlah Peristiwa", "Jumlah Lampiran",
    ]  # fmt: skip
    register = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    assert list(register) == [f"TIK-2026-0000{n}" for n in (1, 2, 3, 4)]
    letter = register["TIK-2026-00002"]
    assert (letter["Diterima"], letter["Saluran"], letter["Jumlah Lampiran"]) == (
        "2026-11-27T14:00:00+07:00", "Surat", "1",
    )  # fmt: skip
    assert letter["Nama OPD"] == "Dinas Kesehatan" and letter["Jenis Kelamin"] == "Laki-laki"
    assert register["TIK-2026-00001"]["Saluran"] == "E-mail"
    closed = register["TIK-2026-00004"]
    assert closed["Isi Aduan"] == "'" + HYPERLINK
    assert (closed["Status"], closed["Ditutup"], closed["Solusi"]) == (
        "Tiket ditutup", "2026-11-30T13:30:00+07:00", "Kabel diganti.",
    )  # fmt: skip
    shown = json.loads(ready("ticket", "show", "TIK-2026-00004", "--json").stdout)
    assert closed["Jumlah Peristiwa"] == str(len(shown["events"]))
    assert closed["Petugas Teknis"] == "Agus Setiawan (agus)"


def test_incomplete_reports_and_unsent_mail_are_listed(
    ready: Cli, november: November, tmp_path: Path
) -> None:
    """incomplete-reports.csv says what was missing; an e-mail still queued is listed in
    messages/not-sent.csv, not archived as if it had gone out."""
    ok(export(ready, "--month", "2026-11"))
    files = bundle(tmp_path)
    [header, report] = table(files["incomplete-reports.csv"])
    assert header == [
        "ID",
        "Diterima",
        "Pengirim",
        "Perihal",
        "Kekurangan",
        "Status",
        "Nomor Tiket",
    ]
    assert report[0] == "1" and report[2].endswith("<budi.santoso@dinkes.example.go.id>")
    assert "Nomor Telepon / HandPhone" in report[4] and "Jenis Kelamin" in report[4]
    assert (report[5], report[6]) == ("Belum lengkap", "")
    unsent = table(files["messages/not-sent.csv"])
    assert any(r[1] == "laporan 1" and r[5] == "pending" for r in unsent[1:])
    assert not [n for n in files if n.startswith("messages/incomplete/1/out-")]
    readme = files["README.txt"].decode()
    assert "Dinas Komunikasi, Informatika, Statistik dan Persandian Provinsi Banten" in readme
    assert "1 November 2026 s.d. 30 November 2026" in readme
    assert "sha256sum -c MANIFEST.sha256" in readme and "helpdesk archive verify" in readme


def test_the_survey_invitation_and_its_answer_are_in_the_bundle(
    ready: Cli, november: November, tmp_path: Path
) -> None:
    """survey.csv: the closed complaint's invitation and, once the reporter answered by
    reply, the answer as recorded (scores, saran, the form's sex, the e-mail that brought
    it); the answer's e-mail is with the ticket's messages, and verify checks the file."""
    ok(export(ready, "--month", "2026-11", "--out", "before.zip"))
    [header, row] = table(bundle(tmp_path, "before.zip")["survey.csv"])
    assert header == [
        "Nomor", "Diundang", "Alamat Undangan", "Dijawab", "Saluran Jawaban",
        "U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8", "U9", "Saran", "Jenis Kelamin", "Usia",
        "Pendidikan", "Pekerjaan", "Message-ID Jawaban",
    ]  # fmt: skip
    assert row[:3] == ["TIK-2026-00004", "2026-11-30T13:30:00+07:00", FORM["email"]]
    assert row[3:] == [""] * (len(header) - 3)

    [closure] = [
        e for e in json.loads(ready("outbox", "list", "--json").stdout)
        if e["kind"] == "reporter.closed" and e["ticket"] == "TIK-2026-00004"
    ]  # fmt: skip
    reply = email(
        "4 4 3 4 4 4 3 4 4\nPetugas ramah; mohon jam layanan diperpanjang.\n\n> Tiket ditutup",
        subject="Re: " + closure["subject"], in_reply_to=closure["message_id"],
        message_id="<survei@dinkes.example.go.id>",
    )  # fmt: skip
    (tmp_path / "survei.eml").write_bytes(reply)
    ok(ready("intake", "inject", str(tmp_path / "survei.eml"), now="2026-11-30T15:00:00+07:00"))
    result = export(ready, "--month", "2026-11")
    ok(result)
    assert result.stdout.splitlines()[1].endswith("1 survey invitation, 1 survey response")
    files = bundle(tmp_path)
    [_, row] = table(files["survey.csv"])
    assert row[3:5] == ["2026-11-30T15:00:00+07:00", "E-mail"]
    assert row[5:14] == list("443444344")
    assert row[14:] == ["Petugas ramah; mohon jam layanan diperpanjang.", "Laki-laki", "", "",
                        "", "<survei@dinkes.example.go.id>"]  # fmt: skip
    assert reply in [data for name, data in files.items()
                     if name.startswith("messages/TIK-2026-00004/in-")]  # fmt: skip
    assert "survey.csv: Survei Kepuasan Masyarakat, 1 undangan dan 1 jawaban" in (
        files["README.txt"].decode()
    )
    target = tmp_path / "arsip-pengaduan-2026-11.zip"
    ok(ready("archive", "verify", str(target)))
    rewrite(target, {"survey.csv": files["survey.csv"].replace(b",4,4,3,", b",1,1,1,")})
    checked = ready("archive", "verify", str(target))
    assert checked.exit_code == 1 and checked.stdout.splitlines() == ["changed: survey.csv"]


def test_a_completed_report_keeps_its_messages_with_its_ticket(
    ready: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An incomplete report completed by a reply: both e-mails are in the ticket's folder,
    and the report's row names the ticket it became."""
    monkeypatch.chdir(tmp_path)
    first = email(without("Nomor Telepon"), message_id="<partial@dinkes.example.go.id>")
    (tmp_path / "first.eml").write_bytes(first)
    ok(ready("intake", "inject", str(tmp_path / "first.eml")))
    [reply] = json.loads(ready("outbox", "list", "--json").stdout)
    answer = email(
        "Nomor Telepon / HandPhone: 0812-3456-7890",
        subject="Re: Laporan belum lengkap",
        in_reply_to=reply["message_id"],
    )
    (tmp_path / "answer.eml").write_bytes(answer)
    ok(ready("intake", "inject", str(tmp_path / "answer.eml")))
    ok(export(ready, "--month", "2026-11"))
    files = bundle(tmp_path)
    received = sorted(
        data for name, data in files.items() if name.startswith("messages/TIK-2026-00001/in-")
    )
    assert received == sorted([first, answer])
    assert not any(name.startswith("messages/incomplete/") for name in files)
    [_, report] = table(files["incomplete-reports.csv"])
    assert (report[5], report[6]) == ("Sudah dilengkapi", "TIK-2026-00001")


def test_two_exports_of_the_same_data_are_byte_identical(
    ready: Cli, november: November, tmp_path: Path
) -> None:
    """Exported at two different times, the same data gives the very same zip."""
    ok(export(ready, "--month", "2026-11", "--out", "a.zip"))
    ok(export(ready, "--month", "2026-11", "--out", "b.zip", now="2027-03-01T16:45:00+07:00"))
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()
    with zipfile.ZipFile(tmp_path / "a.zip") as zf:
        assert {info.date_time for info in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert "2027" not in "".join(bundle(tmp_path, "a.zip")["README.txt"].decode())


def test_verify_passes_and_the_manifest_is_what_sha256sum_reads(
    ready: Cli, november: November, tmp_path: Path
) -> None:
    """verify says OK with the number of files; unzipped, `sha256sum -c` agrees."""
    ok(export(ready, "--month", "2026-11"))
    files = bundle(tmp_path)
    result = ready("archive", "verify", "arsip-pengaduan-2026-11.zip")
    ok(result)
    assert result.stdout == f"OK: {len(files) - 1} files verified\n"
    manifest = files["MANIFEST.sha256"].decode().splitlines()
    assert [line.split("  ", 1)[1] for line in manifest] == sorted(set(files) - {"MANIFEST.sha256"})
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(tmp_path / "arsip-pengaduan-2026-11.zip") as zf:
        zf.extractall(unpacked)
    checked = subprocess.run(
        ["sha256sum", "--strict", "-c", "MANIFEST.sha256"],
        cwd=unpacked, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count(": OK\n") == len(files) - 1


@pytest.mark.parametrize(
    ("change", "line"),
    [
        ({"register.csv": b"\xef\xbb\xbfNomor\r\nTIK-2026-00099\r\n"}, "changed: register.csv"),
        ({"register.csv": None}, "missing: register.csv"),
        ({"extra.txt": b"ditambahkan kemudian"}, "not in manifest: extra.txt"),
    ],
)
def test_verify_names_each_tampered_file(
    ready: Cli, november: November, tmp_path: Path, change: dict[str, bytes | None], line: str
) -> None:
    """A changed, removed or added file is named on its own line, and verify exits 1."""
    ok(export(ready, "--month", "2026-11"))
    target = tmp_path / "arsip-pengaduan-2026-11.zip"
    rewrite(target, change)
    result = ready("archive", "verify", str(target))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [line]


def test_verify_finds_one_changed_byte(ready: Cli, november: November, tmp_path: Path) -> None:
    """One byte of one e-mail changed inside the zip is reported as that file changed."""
    ok(export(ready, "--month", "2026-11"))
    target = tmp_path / "arsip-pengaduan-2026-11.zip"
    [name] = [n for n in bundle(tmp_path) if n.startswith("messages/TIK-2026-00001/in-")]
    data = bytearray(bundle(tmp_path)[name])
    data[-3] ^= 1
    rewrite(target, {name: bytes(data)})
    result = ready("archive", "verify", str(target))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [f"changed: {name}"]


def test_verify_finds_bytes_damaged_in_the_zip_file(
    ready: Cli, november: November, tmp_path: Path
) -> None:
    """A byte flipped in the zip file itself fails the entry's zip checksum: `corrupt:`."""
    ok(export(ready, "--month", "2026-11"))
    target = tmp_path / "arsip-pengaduan-2026-11.zip"
    rewrite(target, {}, stored=True)  # the same files, uncompressed: easy to find
    ok(ready("archive", "verify", str(target)))
    raw = bytearray(target.read_bytes())
    at = raw.index(b"TIK-2026-00004,2026-11-30T09:00:00+07:00")  # its row in register.csv
    raw[at] ^= 0x20  # "T" becomes "t"
    target.write_bytes(bytes(raw))
    result = ready("archive", "verify", str(target))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == ["corrupt: register.csv"]


@pytest.mark.parametrize(
    ("damage", "problem"),
    [("delete", "attachment missing"), ("alter", "attachment changed since it was archived")],
)
def test_a_missing_or_changed_attachment_is_listed_and_exits_1(
    ready: Cli, november: November, site_dir: Path, tmp_path: Path, damage: str, problem: str
) -> None:
    """An attachment gone or changed on disk: the rest is still written, the problem is in
    PROBLEMS.txt and on stderr (one line), and the export exits 1."""
    [scan] = (site_dir / "var" / "archive" / "TIK-2026-00002").iterdir()
    if damage == "delete":
        scan.unlink()
    else:
        scan.write_bytes(SCAN + b"diubah")
    result = export(ready, "--month", "2026-11")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == "arsip-pengaduan-2026-11.zip"
    [line] = result.stderr.splitlines()
    assert line.startswith(f"problem: {problem}: attachments/TIK-2026-00002/surat_masuk_27-11.pdf")
    files = bundle(tmp_path)
    assert "attachments/TIK-2026-00002/surat_masuk_27-11.pdf" in PROBLEMS(files)
    assert "register.csv" in files and "documents/TIK-2026-00004-laporan.html" in files
    assert ("attachments/TIK-2026-00002/surat_masuk_27-11.pdf" in files) == (damage == "alter")
    ok(ready("archive", "verify", "arsip-pengaduan-2026-11.zip"))  # consistent as written


def PROBLEMS(files: dict[str, bytes]) -> str:  # noqa: N802 — named after the file
    return files["PROBLEMS.txt"].decode()


def test_existing_file_is_kept_unless_force(ready: Cli, november: November, tmp_path: Path) -> None:
    """An existing target is refused with one line and left as it was; --force replaces it."""
    target = tmp_path / "arsip.zip"
    target.write_bytes(b"arsip lama")
    result = export(ready, "--month", "2026-11", "--out", str(target))
    assert result.exit_code == 1
    assert result.stderr == f"error: {target} exists; use --force to replace it\n"
    assert target.read_bytes() == b"arsip lama"
    ok(export(ready, "--month", "2026-11", "--out", str(target), "--force"))
    assert zipfile.is_zipfile(target)
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_a_range_of_days_names_the_bundle_after_it(
    ready: Cli, november: November, tmp_path: Path
) -> None:
    """--from/--to takes the complaints received on those days only; --out FOLDER/ puts
    the bundle, under its usual name, in that folder."""
    result = export(ready, "--from", "2026-11-27", "--to", "2026-11-29", "--out", "arsip/")
    ok(result)
    name = "arsip/arsip-pengaduan-2026-11-27..2026-11-29.zip"
    assert result.stdout.startswith(name + "\n")
    [_, only] = table(bundle(tmp_path, name)["register.csv"])
    assert only[0] == "TIK-2026-00002"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "2026-13"], "error: --month: expected a month as YYYY-MM, got '2026-13'"),
        (["--month", "2026-11", "--from", "2026-11-01"], "error: give --month or --from/--to"),
        ([], "error: say which period"),
    ],
)
def test_a_bad_period_is_one_line_and_exit_1(
    ready: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    """A period that is not one: one line, exit 1, no file."""
    monkeypatch.chdir(tmp_path)
    result = export(ready, *args)
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith(message)
    assert list(tmp_path.glob("*.zip")) == []


def test_verify_refuses_what_is_not_a_bundle(ready: Cli, tmp_path: Path) -> None:
    """A file that is not a zip, or a zip without a manifest, gets one line and exit 1."""
    text = tmp_path / "catatan.zip"
    text.write_text("bukan arsip")
    result = ready("archive", "verify", str(text))
    assert result.exit_code == 1
    assert result.stderr == f"error: {text}: not a zip file\n"
    plain = tmp_path / "lain.zip"
    with zipfile.ZipFile(plain, "w") as zf:
        zf.writestr("a.txt", "isi")
    result = ready("archive", "verify", str(plain))
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1 and "no MANIFEST.sha256" in result.stderr
    missing = ready("archive", "verify", str(tmp_path / "tidak-ada.zip"))
    assert missing.exit_code == 1 and "no such file" in missing.stderr
