"""`helpdesk report`: figures checked against a month built with known answers.

December 2026 has Christmas on Thursday 24 (cuti bersama) and Friday 25, then the
weekend, so a step started on Wednesday 23 runs on into Monday 28. Office hours are
07:30-16:00 (16:30 on Fridays). The month holds:

A  e-mail, Wed 23 Dec 15:00, Jaringan. Taken Mon 28 08:00: step 1 took 60 + 30 = 90
   working minutes against a deadline of Wed 16:00, late. Escalated 08:30 (step 3, 30
   min, within), disposed 09:00 (step 4, 30 min, within), resolved Tue 29 10:00 (step 5:
   420 + 150 = 570 min against one working day, due Tue 09:00, late), closed 10:30 (step
   7, 30 min, within).
B  e-mail, Wed 23 Dec 15:30, Komputer. Taken Mon 28 07:50: step 1 took 30 + 20 = 50
   min, due Mon 08:00, within. Solved at first level 08:00 (step 2, 10 min, within),
   closed 08:30 (step 7, within).
C  letter, Mon 7 Dec 08:00, Aplikasi, logged and taken at once (step 1, 0 min). Paused
   09:00 for the reporter, resumed Tue 8 Dec 09:00, solved 09:45: step 2 worked 60 + 45
   = 105 min, its 2 hours moved by the pause to Tue 10:00, within. Never closed: at the
   end of December it waits at step 7, past its deadline.
D  phone, Mon 30 Nov (the month before), taken at once and left at first level: open
   and overdue at the end of December, but not one of December's complaints.
E  an incomplete e-mail report on Tue 1 Dec, completed by a reply on Wed 2 Dec 09:00:
   a December complaint, never taken, overdue at the end of the month.
F  an incomplete e-mail report on Thu 3 Dec, never completed.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cli.conftest import Cli, form_args
from tests.mail import FORM_TEXT, email, without

WIB = "+07:00"
AFTER = "2027-01-04T09:00:00+07:00"  # when the report is made


def at(day: str, time: str) -> str:
    return f"2026-{day}T{time}:00{WIB}"


def ok(result) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.output


def number_of(result) -> str:  # type: ignore[no-untyped-def]
    ok(result)
    return re.search(r"TIK-\d{4}-\d{5}", result.stdout)[0]  # type: ignore[index]


@pytest.fixture
def december(ready: Cli, tmp_path: Path) -> dict[str, str]:
    counter = iter(range(1000))

    def inject(message: dict, now: str):  # type: ignore[no-untyped-def]
        """An e-mail (the arguments of tests.mail.email) sent and injected at ``now``."""
        path = tmp_path / f"m{next(counter)}.eml"
        path.write_bytes(email(**message, date=dt.datetime.fromisoformat(now)))
        result = ready("intake", "inject", str(path), now=now)
        ok(result)
        return result

    def move(*args: str, now: str) -> None:
        ok(ready("ticket", *args, now=now))

    n: dict[str, str] = {}
    n["D"] = number_of(ready("phone", *form_args(), "--by", "sari", now=at("11-30", "09:00")))

    inject(dict(body=without("Jenis Kelamin"), message_id="<e@dinkes.example.go.id>"),
           now=at("12-01", "10:00"))  # fmt: skip
    reply = json.loads(ready("outbox", "list", "--json").stdout)[-1]
    assert reply["kind"] == "reporter.incomplete"
    n["E"] = number_of(
        inject(
            dict(body="Jenis Kelamin: P\n\n> " + "\n> ".join(FORM_TEXT.splitlines()),
                 subject="Re: Laporan belum lengkap", in_reply_to=reply["message_id"]),
            now=at("12-02", "09:00"),
        )
    )  # fmt: skip
    inject(dict(body=without("Nomor Telepon"), sender="Rina <rina@dinsos.example.go.id>",
                message_id="<f@dinsos.example.go.id>"), now=at("12-03", "10:00"))  # fmt: skip

    n["C"] = number_of(
        ready(
            "letter", *form_args(category="Aplikasi", agency="Dinas Sosial"),
            "--by", "sari", "--received", "2026-12-07T08:00", now=at("12-07", "08:00"),
        )
    )  # fmt: skip
    move("pause", n["C"], "--by", "sari", "--reason", "Menunggu data.", now=at("12-07", "09:00"))
    move("resume", n["C"], "--by", "sari", now=at("12-08", "09:00"))
    move("solve", n["C"], "--by", "sari", "--solution", "Akun dibuka.", now=at("12-08", "09:45"))

    n["A"] = number_of(
        inject(dict(message_id="<a@dinkes.example.go.id>"), now=at("12-23", "15:00"))
    )
    komputer = FORM_TEXT.replace("Jenis Aduan: Jaringan", "Jenis Aduan: Komputer")
    n["B"] = number_of(
        inject(dict(body=komputer, sender="Sri <sri@bappeda.example.go.id>",
                    message_id="<b@bappeda.example.go.id>"), now=at("12-23", "15:30"))
    )  # fmt: skip
    move("take", n["B"], "--by", "sari", now=at("12-28", "07:50"))
    move("solve", n["B"], "--by", "sari", "--solution", "Restart.", now=at("12-28", "08:00"))
    move("close", n["B"], "--by", "sari", "--confirmation", "ok", now=at("12-28", "08:30"))
    move("take", n["A"], "--by", "sari", now=at("12-28", "08:00"))
    move("escalate", n["A"], "--by", "sari", now=at("12-28", "08:30"))
    move("dispose", n["A"], "--by", "rudi", "--to", "agus", now=at("12-28", "09:00"))
    move("resolve", n["A"], "--by", "agus", "--solution", "Kabel diganti.",
         now=at("12-29", "10:00"))  # fmt: skip
    move("close", n["A"], "--by", "sari", "--confirmation", "ok", now=at("12-29", "10:30"))
    return n


def report_json(cli: Cli, *args: str, now: str = AFTER) -> dict:
    result = cli("report", *args, "--format", "json", now=now)
    ok(result)
    return json.loads(result.stdout)


def test_counts_of_the_month(ready: Cli, december: dict[str, str]) -> None:
    """Received, closed, by type, agency, channel and state at the month's end; incomplete
    reports received and completed."""
    data = report_json(ready, "--month", "2026-12")
    assert data["received"] == 4  # A, B, C, E: not D (November)
    assert data["closed"] == 2
    assert data["incomplete_reports"] == {"received": 2, "completed": 1}
    assert data["by_type"] == {
        "Jaringan": 2, "E Mail": 0, "Komputer": 1, "Server": 0, "Aplikasi": 1,
        "Sub Domain": 0, "Website": 0,
    }  # fmt: skip
    assert data["by_channel"] == {"E-mail": 3, "Surat": 1}
    assert data["by_agency"] == {"Dinas Kesehatan": 3, "Dinas Sosial": 1}
    assert data["by_state"] == {
        "Diterima": 1,
        "Selesai, menunggu konfirmasi pelapor": 1,
        "Tiket ditutup": 2,
    }
    weeks = {w["first_day"]: w["count"] for w in data["by_week"]}
    assert weeks == {
        "2026-12-01": 1, "2026-12-07": 1, "2026-12-14": 0, "2026-12-21": 2, "2026-12-28": 0,
    }  # fmt: skip


def test_each_step_against_its_standard_across_a_holiday_weekend(
    ready: Cli, december: dict[str, str]
) -> None:
    """Working time skips Christmas and the weekend; deadlines met and missed are told
    apart; a pause is not counted; median, 90th percentile and the worst cases."""
    a, b, c = december["A"], december["B"], december["C"]
    steps = {s["step"]: s for s in report_json(ready, "--month", "2026-12")["steps"]}

    one = steps[1]
    assert (one["done"], one["within_standard"], one["late"]) == (3, 2, 1)
    assert one["median_minutes"] == 50 and one["p90_minutes"] == 90
    assert one["worst"] == [
        {"number": a, "minutes": 90, "within_standard": False},
        {"number": b, "minutes": 50, "within_standard": True},
        {"number": december["C"], "minutes": 0, "within_standard": True},
    ]
    assert one["within_percent"] == 66.7

    two = steps[2]  # B solved in 10 minutes; C in 105, the paused day not counted
    assert (two["done"], two["within_standard"], two["late"]) == (2, 2, 0)
    assert two["median_minutes"] == 57.5 and two["p90_minutes"] == 105
    assert [w["number"] for w in two["worst"]] == [c, b]

    assert (steps[3]["done"], steps[3]["within_standard"], steps[3]["p90_minutes"]) == (1, 1, 30)
    assert (steps[4]["done"], steps[4]["within_standard"], steps[4]["p90_minutes"]) == (1, 1, 30)
    five = steps[5]
    assert (five["done"], five["late"], five["median_minutes"]) == (1, 1, 570)
    assert five["worst"] == [{"number": a, "minutes": 570, "within_standard": False}]
    assert steps[6]["done"] == 0 and steps[6]["median_minutes"] is None
    assert (steps[7]["done"], steps[7]["within_standard"]) == (2, 2)
    assert steps[3]["standard"] == "1 jam" and five["standard"] == "1 hari kerja"


def test_open_and_overdue_at_the_end_of_the_period(ready: Cli, december: dict[str, str]) -> None:
    """What is still open when the month ends, older complaints included, overdue first."""
    data = report_json(ready, "--month", "2026-12")
    rows = {o["number"]: o for o in data["open_at_end"]}
    assert set(rows) == {december["C"], december["D"], december["E"]}
    assert all(o["overdue"] and not o["paused"] for o in rows.values())
    assert rows[december["C"]]["state"] == "Selesai, menunggu konfirmasi pelapor"
    assert rows[december["D"]]["state"] == "Layanan tingkat pertama"
    assert data["overdue_at_end"] == 3
    # the longest overdue comes first: D has waited since November
    assert data["open_at_end"][0]["number"] == december["D"]
    assert data["period"]["as_of"] == "2027-01-01T00:00:00+07:00"


def test_a_past_month_reads_the_same_later(ready: Cli, december: dict[str, str]) -> None:
    """The figures come from the record: closing C in January changes nothing in December."""
    before = report_json(ready, "--month", "2026-12")
    ok(ready("ticket", "close", december["C"], "--by", "sari", "--confirmation", "ok",
             now="2027-01-04T08:00:00+07:00"))  # fmt: skip
    after = report_json(ready, "--month", "2026-12", now="2027-01-05T09:00:00+07:00")
    assert after == before
    january = report_json(ready, "--month", "2027-01", now="2027-01-05T09:00:00+07:00")
    assert january["closed"] == 1 and january["received"] == 0
    assert january["steps"][6]["done"] == 1  # C's step 7, ended in January


def test_a_running_period_stands_at_now(ready: Cli, december: dict[str, str]) -> None:
    """Asked on 28 December at 08:15, the report shows the month so far."""
    data = report_json(ready, "--month", "2026-12", now=at("12-28", "08:15"))
    assert data["period"]["as_of"] == "2026-12-28T08:15:00+07:00"
    assert data["closed"] == 0  # B is closed at 08:30
    assert {s["step"]: s["done"] for s in data["steps"]}[2] == 2


def test_a_range_of_days(ready: Cli, december: dict[str, str]) -> None:
    data = report_json(ready, "--from", "2026-12-21", "--to", "2026-12-31")
    assert data["received"] == 2 and data["period"]["label"] == "2026-12-21..2026-12-31"
    assert {s["step"]: s["done"] for s in data["steps"]}[2] == 1  # B only; C was on the 8th


def test_csv_one_file_per_table(ready: Cli, december: dict[str, str], tmp_path: Path) -> None:
    """Each table is a CSV a spreadsheet opens: UTF-8 with BOM, minutes as numbers."""
    folder = tmp_path / "csv"
    result = ready("report", "--month", "2026-12", "-f", "csv", "-o", str(folder), now=AFTER)
    ok(result)
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(
        f"{n}.csv" for n in ("summary", "by-type", "by-agency", "by-channel", "by-state",
                             "by-week", "steps", "worst-cases", "open-at-end", "ikm",
                             "ikm-elements", "ikm-groups", "ikm-profile", "ikm-saran")
    )  # fmt: skip
    with (folder / "steps.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows[0]["Langkah"] == "1" and rows[0]["Median (menit)"] == "50"
    assert rows[4]["Terlambat"] == "1" and rows[4]["Persentil ke-90 (menit)"] == "570"
    with (folder / "summary.csv").open(encoding="utf-8-sig", newline="") as f:
        summary = {row[0]: row[1] for row in csv.reader(f)}
    assert summary["Pengaduan diterima"] == "4"
    with (folder / "by-channel.csv").open(encoding="utf-8-sig", newline="") as f:
        assert next(csv.reader(f))[0] == "Saluran Pengaduan"


def test_csv_cells_never_run_as_formulas(ready: Cli, site_dir: Path, tmp_path: Path) -> None:
    """An agency named like a formula comes out quoted, so a spreadsheet shows it as text."""
    names = ('=HYPERLINK("http://x","y")', "+62 Dinas", "@SUM(A1)", "-1+2")
    config = site_dir / "config.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + "".join(f"\n[[agencies]]\nname = {json.dumps(name)}\n" for name in names),
        encoding="utf-8",
    )
    for i, name in enumerate(names):
        ok(ready("phone", *form_args(agency=name, phone=f"0812-3456-780{i}"), "--by", "sari",
                 now=at("12-01", "09:00")))  # fmt: skip
    folder = tmp_path / "csv"
    ok(ready("report", "--month", "2026-12", "-f", "csv", "-o", str(folder), now=AFTER))
    with (folder / "by-agency.csv").open(encoding="utf-8-sig", newline="") as f:
        agencies = [row[0] for row in csv.reader(f)][1:]
    assert sorted(agencies) == sorted("'" + name for name in names)


def test_html_page_with_charts(ready: Cli, december: dict[str, str], tmp_path: Path) -> None:
    """One self-contained page: three charts drawn from the figures, nothing fetched."""
    target = tmp_path / "r.html"
    ok(ready("report", "--month", "2026-12", "-f", "html", "-o", str(target), now=AFTER))
    page = target.read_text(encoding="utf-8")
    assert page.count('<svg class="chart"') == 3
    assert "<script" not in page and "http://" not in page.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )
    bars = dict(re.findall(r'class="bar count"[^>]*data-label="([^"]+)" data-value="(\d+)"', page))
    assert bars["Jaringan"] == "2" and bars["Komputer"] == "1" and bars["Server"] == "0"
    late = re.findall(r'class="bar late"[^>]*data-label="([^"]+)" data-value="(\d+)"', page)
    assert late == [
        ("1. Penerimaan pengaduan: Terlambat", "1"),
        ("5. Penyelesaian oleh petugas teknis: Terlambat", "1"),
    ]
    assert "Periode: 1 Desember 2026 – 31 Desember 2026" in page
    assert december["A"] in page  # among the worst cases


def test_terminal_table(ready: Cli, december: dict[str, str]) -> None:
    result = ready("report", "--month", "2026-12", now=AFTER)
    ok(result)
    assert "Kepatuhan mutu baku per langkah SOP" in result.stdout
    assert "9 jam 30 menit" in result.stdout  # A's 570 minutes at step 5
    assert "66,7%" in result.stdout


def test_english_office(ready: Cli, december: dict[str, str], site_dir: Path) -> None:
    config = site_dir / "config.toml"
    config.write_text(config.read_text().replace('language = "id"', 'language = "en"', 1))
    data = report_json(ready, "--month", "2026-12")
    assert data["by_channel"] == {"E-mail": 3, "Letter": 1}
    assert data["steps"][4]["standard"] == "1 working day"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "2026-13"], "--month: expected a month as YYYY-MM, got '2026-13'"),
        (["--month", "2026-12", "--from", "2026-12-01"], "give --month or --from/--to, not both"),
        (["--from", "2026-12-01"], "--from and --to go together"),
        (["--from", "2026-12-09", "--to", "2026-12-01"], "--to 2026-12-01 is before --from"),
        (["--from", "1/12/2026", "--to", "2026-12-01"], "--from: expected a date as YYYY-MM-DD"),
        ([], "say which period"),
        (["--month", "2026-12", "--out", "x"], "--out is for csv, json and html"),
    ],
)
def test_bad_options_one_line(ready: Cli, args: list[str], message: str) -> None:
    result = ready("report", *args)
    assert result.exit_code == 1
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_unknown_format_is_refused(ready: Cli) -> None:
    result = ready("report", "--month", "2026-12", "--format", "xlsx")
    assert result.exit_code == 2 and "xlsx" in result.stderr


MEASURE = """<script>
(() => {
  const charts = [...document.querySelectorAll("svg.chart")].map((svg) => {
    const box = svg.getBoundingClientRect();
    const bars = [...svg.querySelectorAll("rect.bar")].map((bar) => {
      const r = bar.getBoundingClientRect();
      return {label: bar.dataset.label, value: Number(bar.dataset.value),
              width: r.width, height: r.height};
    });
    return {width: box.width, height: box.height, bars};
  });
  const out = document.createElement("pre");
  out.id = "measured";
  out.textContent = JSON.stringify(charts);
  document.body.appendChild(out);
})();
</script>"""


def test_charts_render_in_a_real_browser(
    ready: Cli, december: dict[str, str], tmp_path: Path
) -> None:
    """Headless Chromium lays out the three charts with bars in proportion to the figures."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("no chromium on this machine (./run-tests installs it where it can)")
    target = tmp_path / "r.html"
    ok(ready("report", "--month", "2026-12", "-f", "html", "-o", str(target), now=AFTER))
    probe = tmp_path / "probe.html"
    page = target.read_text(encoding="utf-8")
    probe.write_text(page.replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    dom = subprocess.run(
        [
            browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1000,3000", "--dump-dom", probe.as_uri(),
        ],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout  # fmt: skip
    measured = re.search(r'<pre id="measured">(.*?)</pre>', dom, re.S)
    assert measured, dom[-2000:]
    types, weeks, steps = json.loads(html.unescape(measured[1]))
    for chart in (types, weeks, steps):
        assert chart["width"] > 300 and chart["height"] > 100

    def bar(chart: dict, label: str) -> dict:
        return next(b for b in chart["bars"] if b["label"] == label)

    assert bar(types, "Jaringan")["width"] == pytest.approx(
        2 * bar(types, "Komputer")["width"], abs=1
    )
    assert bar(types, "Server")["width"] == 0
    week_21, week_07 = bar(weeks, "21–27/12"), bar(weeks, "7–13/12")
    assert (
        week_21["height"] == pytest.approx(2 * week_07["height"], abs=1) and week_07["height"] > 20
    )
    within = bar(steps, "1. Penerimaan pengaduan: Tepat waktu")
    late = bar(steps, "1. Penerimaan pengaduan: Terlambat")
    assert within["width"] == pytest.approx(2 * late["width"], abs=1) and late["width"] > 20
