"""`helpdesk report`'s IKM section on a month with known answers, every answer given the way
reporters give it: a reply to the closure e-mail with nine digits.

December 2026, groups shown from 2 respondents ([survey] min_group_respondents = 2):

T1 phone, Dinas Kesehatan, Jaringan, escalated to Unit Jaringan; answers 4 4 4 4 4 4 4 4 4.
T2 phone, Dinas Kesehatan, Jaringan, Unit Jaringan;               answers 3 3 3 3 3 3 3 3 3.
T3 phone, Dinas Sosial, Komputer, solved at first level;           answers 4 3 2 4 3 4 4 3 4,
   with a saran; the form says Perempuan (T1, T2 and the others Laki-laki).
T4 phone, Dinas Sosial, Aplikasi, first level; invited, never answers.
T5 phone, Dinas Sosial, Aplikasi, first level; closed 30 December, answers 2 January 2027.

December: 5 invited, 3 answered by the end of the month (60 %). NRR: U1 11/3, U2 10/3,
U3 3, U4 11/3, U5 10/3, U6 11/3, U7 11/3, U8 10/3, U9 11/3; their sum 94/3, IKM =
94/3 x 1/9 x 25 = 2350/27 = 87.037... -> 87.04, mutu B (Baik); lowest element U3.
Unit Jaringan, type Jaringan and Dinas Kesehatan (T1, T2): NRR 3.5 each, IKM 87.50, B.
Channel Telepon (all three): 87.04. One respondent groups (first level, Komputer, Dinas
Sosial) are not shown. January holds T5's answer alone: 2 2 2 2 2 2 2 2 2, IKM 50.00, D.
The profile by e-mail is the form's sex alone: December's respondents are 2 men (66.7 %)
and 1 woman (33.3 %); age band, education and occupation not given by any of the three.
"""

from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path

import pytest

from tests.cli.conftest import Cli, form_args, one_line_error
from tests.faults.support import configure
from tests.mail import email

WIB = "+07:00"
AFTER = "2027-01-04T09:00:00+07:00"
SARAN = "Petugas sangat membantu.\nMohon jam layanan diperpanjang."
ANSWERS = {
    "T1": "4 4 4 4 4 4 4 4 4",
    "T2": "3,3,3,3,3,3,3,3,3",
    "T3": "4\n3\n2\n4\n3\n4\n4\n3\n4\n\n" + SARAN,
}


def at(day: str, time: str, year: int = 2026) -> str:
    return f"{year}-{day}T{time}:00{WIB}"


def ok(result) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.output


def number_of(result) -> str:  # type: ignore[no-untyped-def]
    ok(result)
    return re.search(r"TIK-\d{4}-\d{5}", result.stdout)[0]  # type: ignore[index]


def closure_of(cli: Cli, number: str) -> dict:
    found = [
        e
        for e in json.loads(cli("outbox", "list", "--json").stdout)
        if e["kind"] == "reporter.closed" and e["ticket"] == number
    ]
    assert len(found) == 1, found
    return found[0]


@pytest.fixture
def surveyed(ready: Cli, site_dir: Path, tmp_path: Path) -> dict[str, str]:
    configure(site_dir, {"survey.min_group_respondents": 2})
    counter = iter(range(1000))
    n: dict[str, str] = {}

    def move(*args: str, now: str) -> None:
        ok(ready("ticket", *args, now=now))

    def phone(name: str, address: str, agency: str, category: str, now: str) -> str:
        sex = "P" if name == "T3" else "L"
        args = form_args(email=address, agency=agency, category=category, sex=sex)
        n[name] = number_of(ready("phone", *args, "--by", "sari", now=now))
        return n[name]

    def answer(name: str, address: str, text: str, now: str) -> None:
        closure = closure_of(ready, n[name])
        raw = email(
            f"{text}\n\nPada Rabu, Help Desk menulis:\n> Tiket ditutup\n",
            sender=f"Pelapor <{address}>", subject="Re: " + closure["subject"],
            in_reply_to=closure["message_id"],
        )  # fmt: skip
        path = tmp_path / f"answer{next(counter)}.eml"
        path.write_bytes(raw)
        ok(ready("intake", "inject", str(path), now=now))

    for name, address in (("T1", "a@dinkes.example.go.id"), ("T2", "b@dinkes.example.go.id")):
        number = phone(name, address, "Dinkes", "internet", at("12-01", "09:00"))
        move("escalate", number, "--by", "sari", now=at("12-01", "09:30"))
        move("dispose", number, "--by", "rudi", "--to", "agus", now=at("12-01", "10:00"))
        move("resolve", number, "--by", "agus", "--solution", "Kabel diganti.",
             now=at("12-01", "13:00"))  # fmt: skip
        move("close", number, "--by", "sari", "--confirmation", "ok", now=at("12-02", "09:00"))
    for name, address, category, day in (
        ("T3", "c@dinsos.example.go.id", "Komputer", "12-03"),
        ("T4", "d@dinsos.example.go.id", "Aplikasi", "12-04"),
        ("T5", "e@dinsos.example.go.id", "Aplikasi", "12-30"),
    ):
        number = phone(name, address, "Dinas Sosial", category, at(day, "09:00"))
        move("solve", number, "--by", "sari", "--solution", "Sudah dibantu.",
             now=at(day, "10:00"))  # fmt: skip
        move("close", number, "--by", "sari", "--confirmation", "ok", now=at(day, "11:00"))
    answer("T1", "a@dinkes.example.go.id", ANSWERS["T1"], at("12-02", "10:00"))
    answer("T2", "b@dinkes.example.go.id", ANSWERS["T2"], at("12-03", "10:00"))
    answer("T3", "c@dinsos.example.go.id", ANSWERS["T3"], at("12-04", "08:00"))
    answer("T5", "e@dinsos.example.go.id", "2 2 2 2 2 2 2 2 2", at("01-02", "08:00", 2027))
    return n


def report_json(cli: Cli, *args: str) -> dict:
    result = cli("report", *args, "--format", "json", now=AFTER)
    ok(result)
    return json.loads(result.stdout)


def test_the_months_ikm_by_the_regulations_formula(ready: Cli, surveyed: dict[str, str]) -> None:
    ikm = report_json(ready, "--month", "2026-12")["ikm"]
    assert ikm["respondents"] == 3
    assert ikm["nrr"] == {
        "U1": 3.67, "U2": 3.33, "U3": 3.0, "U4": 3.67, "U5": 3.33, "U6": 3.67, "U7": 3.67,
        "U8": 3.33, "U9": 3.67,
    }  # fmt: skip
    assert (ikm["value"], ikm["mutu"], ikm["kinerja"]) == (87.04, "B", "Baik")
    assert ikm["lowest_element"] == "U3"
    assert (ikm["invited"], ikm["answered"], ikm["response_rate_percent"]) == (5, 3, 60.0)


def test_groups_from_the_configured_number_of_respondents(
    ready: Cli, surveyed: dict[str, str]
) -> None:
    groups = report_json(ready, "--month", "2026-12")["ikm"]["groups"]
    assert {
        d: {label: g["value"] for label, g in found.items()} for d, found in groups.items()
    } == {
        "unit": {"Unit Jaringan": 87.5},
        "type": {"Jaringan": 87.5},
        "channel": {"Telepon": 87.04},
        "agency": {"Dinas Kesehatan": 87.5},
    }
    assert groups["unit"]["Unit Jaringan"]["respondents"] == 2
    assert groups["unit"]["Unit Jaringan"]["mutu"] == "B"


def test_an_answer_counts_in_the_month_it_came(ready: Cli, surveyed: dict[str, str]) -> None:
    """T5, closed in December and answered in January, is January's; a past month reads the
    same later."""
    january = report_json(ready, "--month", "2027-01")["ikm"]
    assert (january["respondents"], january["value"], january["mutu"]) == (1, 50.0, "D")
    assert january["invited"] == 0
    later = ready(
        "report", "--month", "2026-12", "--format", "json", now="2027-03-01T09:00:00+07:00"
    )
    assert json.loads(later.stdout)["ikm"] == report_json(ready, "--month", "2026-12")["ikm"]


def test_csv_has_the_ikm_tables_and_the_saran(
    ready: Cli, surveyed: dict[str, str], tmp_path: Path
) -> None:
    folder = tmp_path / "csv"
    ok(ready("report", "--month", "2026-12", "--format", "csv", "--out", str(folder), now=AFTER))

    def rows(name: str) -> list[list[str]]:
        with (folder / f"{name}.csv").open(encoding="utf-8-sig", newline="") as handle:
            return list(csv.reader(handle))

    [header, row] = rows("ikm")
    assert header[0] == "Responden" and row[:5] == ["3", "5", "3", "60.0", "87.04"]
    assert row[5:] == ["B", "Baik", "U3 Waktu Penyelesaian"]
    elements = rows("ikm-elements")
    assert elements[3] == ["U3", "Waktu Penyelesaian", "3", "9", "3.00", "0.333"]
    assert elements[1] == ["U1", "Persyaratan", "3", "11", "3.67", "0.407"]
    [_, saran] = rows("ikm-saran")
    assert saran == ["2026-12-04", SARAN]


def test_html_and_terminal_show_the_index_with_a_decimal_comma(
    ready: Cli, surveyed: dict[str, str], tmp_path: Path
) -> None:
    page = tmp_path / "laporan.html"
    ok(ready("report", "--month", "2026-12", "--format", "html", "--out", str(page), now=AFTER))
    text = page.read_text(encoding="utf-8")
    assert "Indeks Kepuasan Masyarakat (IKM)" in text and "87,04" in text
    assert "Petugas sangat membantu." in text and "Mohon jam layanan diperpanjang." in text
    terminal = ready("report", "--month", "2026-12", now=AFTER)
    ok(terminal)
    assert "87,04" in terminal.stdout and "Waktu Penyelesaian" in terminal.stdout


def test_every_format_has_the_whole_section(
    ready: Cli, surveyed: dict[str, str], tmp_path: Path
) -> None:
    """The terminal, CSV and HTML each give the respondents, NRR per element, the IKM, its
    mutu, the lowest element, the groups from the configured number of respondents (and
    not the smaller ones) and the saran."""
    nrr = ["3,67", "3,33", "3,00", "3,67", "3,33", "3,67", "3,67", "3,33", "3,67"]
    terminal = ready("report", "--month", "2026-12", now=AFTER)
    ok(terminal)
    text = terminal.stdout
    shown = ("Indeks Kepuasan Masyarakat (IKM)", "87,04", "Baik", "│ U3 Waktu ",
             "Unit Jaringan", "87,50", "Telepon", "Petugas sangat membantu.", *nrr)  # fmt: skip
    for said in shown:
        assert said in text, said
    assert "Komputer" not in text.split("IKM per kelompok")[1].split("Profil responden")[0]

    page = tmp_path / "laporan.html"
    ok(ready("report", "--month", "2026-12", "--format", "html", "--out", str(page), now=AFTER))
    sections = dict(
        re.findall(r'<section id="(ikm[-a-z]*)">(.*?)</section>', page.read_text(), re.S)
    )
    assert list(sections) == ["ikm", "ikm-elements", "ikm-groups", "ikm-profile", "ikm-saran"]
    cells = {name: [html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", body, re.S)]
             for name, body in sections.items()}  # fmt: skip
    assert cells["ikm"] == ["3", "5", "3", "60%", "87,04", "B", "Baik", "U3 Waktu Penyelesaian"]
    assert cells["ikm-elements"][4::6] == nrr
    assert cells["ikm-groups"] == [
        "Unit TIK", "Unit Jaringan", "2", "87,50", "B",
        "Jenis Aduan", "Jaringan", "2", "87,50", "B",
        "Saluran Pengaduan", "Telepon", "3", "87,04", "B",
        "OPD", "Dinas Kesehatan", "2", "87,50", "B",
    ]  # fmt: skip
    assert cells["ikm-saran"] == ["2026-12-04", SARAN]

    folder = tmp_path / "csv"
    ok(ready("report", "--month", "2026-12", "--format", "csv", "--out", str(folder), now=AFTER))
    with (folder / "ikm-groups.csv").open(encoding="utf-8-sig", newline="") as handle:
        groups = list(csv.reader(handle))
    assert groups[0] == ["Kelompok", "Uraian", "Responden", "Nilai IKM", "Mutu pelayanan"]
    assert [row[1:4] for row in groups[1:]] == [
        ["Unit Jaringan", "2", "87.50"], ["Jaringan", "2", "87.50"], ["Telepon", "3", "87.04"],
        ["Dinas Kesehatan", "2", "87.50"],
    ]  # fmt: skip


def test_english_report(ready: Cli, surveyed: dict[str, str], site_dir: Path) -> None:
    configure(site_dir, {"office.language": "en"})
    terminal = ready("report", "--month", "2026-12", now=AFTER)
    ok(terminal)
    assert "Satisfaction index (IKM)" in terminal.stdout and "87.04" in terminal.stdout
    assert "Good" in terminal.stdout and "Completion time" in terminal.stdout


def test_the_respondents_profile_in_every_format(
    ready: Cli, surveyed: dict[str, str], tmp_path: Path
) -> None:
    """By sex, age band, education and occupation, every choice listed, as the regulation's
    recapitulation counts respondents: JSON, CSV, HTML, the terminal and the A4 page."""
    profile = report_json(ready, "--month", "2026-12")["ikm"]["profile"]
    assert profile["sex"] == {"L": 2, "P": 1, "not_given": 0}
    assert profile["age_band"] == {
        "lt25": 0, "25-34": 0, "35-44": 0, "45-54": 0, "55+": 0, "not_given": 3
    }  # fmt: skip
    assert list(profile["education"]) == [
        "SD", "SMP", "SMA", "D1-D3", "D4-S1", "S2", "S3", "not_given"
    ]  # fmt: skip
    assert profile["occupation"] == {
        "PNS": 0, "TNI": 0, "POLRI": 0, "SWASTA": 0, "WIRAUSAHA": 0, "LAINNYA": 0, "not_given": 3
    }  # fmt: skip

    folder = tmp_path / "csv"
    ok(ready("report", "--month", "2026-12", "--format", "csv", "--out", str(folder), now=AFTER))
    with (folder / "ikm-profile.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["Profil", "Uraian", "Responden", "Persentase"]
    assert rows[1:3] == [
        ["Jenis Kelamin", "Laki-laki", "2", "66.7"], ["Jenis Kelamin", "Perempuan", "1", "33.3"]
    ]  # fmt: skip
    assert ["Usia", "Tidak diisi", "3", "100.0"] in rows
    assert ["Pekerjaan", "Wirausaha", "0", "0.0"] in rows

    page = tmp_path / "laporan.html"
    ok(ready("report", "--month", "2026-12", "--format", "html", "--out", str(page), now=AFTER))
    section = re.search(r'<section id="ikm-profile">(.*?)</section>', page.read_text(), re.S)
    assert section is not None and "Profil responden" in section[1]
    cells = [html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", section[1])]
    assert cells[:8] == ["Jenis Kelamin", "Laki-laki", "2", "66,7%",
                         "Jenis Kelamin", "Perempuan", "1", "33,3%"]  # fmt: skip
    terminal = ready("report", "--month", "2026-12", now=AFTER)
    ok(terminal)
    assert "Profil responden" in terminal.stdout and "66,7%" in terminal.stdout

    form = tmp_path / "ikm.html"
    ok(ready("report", "--month", "2026-12", "--ikm-form", "--out", str(form), now=AFTER))
    recap = form.read_text(encoding="utf-8")
    table = re.search(r'<table[^>]*id="profile"[^>]*>(.*?)</table>', recap, re.S)
    assert table is not None and "Profil responden" in table[1]
    lines = [
        [html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", table[1], re.S)
    ]
    assert ["Jenis Kelamin", "Laki-laki: 2 (66,7%); Perempuan: 1 (33,3%)"] in lines
    assert [
        "Usia",
        "Di bawah 25 tahun: 0 (0%); 25–34 tahun: 0 (0%); 35–44 tahun: 0 (0%); "
        "45–54 tahun: 0 (0%); 55 tahun ke atas: 0 (0%); Tidak diisi: 3 (100%)",
    ] in lines


def test_a_month_without_answers_has_no_index(ready: Cli) -> None:
    ikm = report_json(ready, "--month", "2026-11")["ikm"]
    assert ikm["respondents"] == 0 and ikm["value"] is None and ikm["mutu"] is None
    assert ikm["nrr"] == {f"U{i}": None for i in range(1, 10)}


def _cells(page: str, row_id: str) -> list[str]:
    row = re.search(rf'<tr[^>]*id="{row_id}"[^>]*>(.*?)</tr>', page, re.S)
    assert row is not None, row_id
    return [html.unescape(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row[1], re.S)]


def test_the_recapitulation_table_of_the_regulation(
    ready: Cli, surveyed: dict[str, str], tmp_path: Path
) -> None:
    """Per respondent the nine scores, per element the sum, NRR and NRR x 1/9, then the
    IKM and mutu: the report's own figures."""
    target = tmp_path / "ikm.html"
    result = ready("report", "--month", "2026-12", "--ikm-form", "--out", str(target), now=AFTER)
    ok(result)
    assert result.stdout.strip() == str(target)
    page = target.read_text(encoding="utf-8")
    rows = re.findall(r'<tr class="respondent">(.*?)</tr>', page, re.S)
    scores = [re.findall(r"<td>(.*?)</td>", row)[2:] for row in rows]
    assert scores == [list("444444444"), list("333333333"), list("432434434")]
    assert _cells(page, "sums")[1:] == ["11", "10", "9", "11", "10", "11", "11", "10", "11"]
    assert _cells(page, "nrr")[1:4] == ["3,667", "3,333", "3,000"]
    assert _cells(page, "weighted")[1:4] == ["0,407", "0,370", "0,333"]
    assert _cells(page, "weighted-total")[1:] == ["3,481"]
    assert _cells(page, "ikm")[1:] == ["87,04"]
    assert _cells(page, "mutu")[1:] == ["B (Baik)"]
    assert "REKAPITULASI" in page.upper() and "Ratna Sari Dewi" in page
    assert "Petugas sangat membantu" not in page  # no saran, no names: scores only


def test_the_recapitulation_table_as_pdf_on_a4(
    ready: Cli, surveyed: dict[str, str], tmp_path: Path
) -> None:
    weasyprint = pytest.importorskip("weasyprint")
    ok(ready("report", "--month", "2026-12", "--ikm-form", "--pdf", "--out", str(tmp_path),
             now=AFTER))  # fmt: skip
    pdf = (tmp_path / "ikm-2026-12.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    target = tmp_path / "ikm.html"
    ok(ready("report", "--month", "2026-12", "--ikm-form", "--out", str(target), now=AFTER))
    document = weasyprint.HTML(string=target.read_text(encoding="utf-8")).render()
    a4 = (210 / 25.4 * 96, 297 / 25.4 * 96)  # CSS pixels
    assert len(document.pages) == 1
    assert (document.pages[0].width, document.pages[0].height) == pytest.approx(a4)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--pdf"], "--pdf is for --ikm-form"),
        (["--ikm-form", "--format", "csv"], "--ikm-form is a page of its own"),
    ],
)
def test_ikm_form_options_refused_in_one_line(ready: Cli, args: list[str], message: str) -> None:
    result = ready("report", "--month", "2026-12", *args, now=AFTER)
    assert message in one_line_error(result)
