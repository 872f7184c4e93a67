"""The service report in its forms: tables for the terminal, CSV (one file per table),
JSON, and one self-contained HTML page with its charts.

Every form is made from the same ``tables()``, so the figures cannot disagree. Durations
are working time: minutes in CSV and JSON, hours and minutes for people.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from notifier import formatting
from records import TEMPLATES as ROOT
from records import charts
from records.documents import environment
from records.ikm import DIMENSIONS, IkmSection
from records.report import Report
from records.tables import write_csv
from ticketing import ikm

TEMPLATES = ROOT / "report"

Kind = Literal["text", "count", "minutes", "time", "percent", "decimal"]

TEXT: Mapping[str, Mapping[str, Any]] = {
    "id": {
        "title": "Laporan Layanan Pengaduan TIK",
        "period": "Periode",
        "as_of": "Keadaan per",
        "summary": "Ringkasan",
        "what": "Uraian",
        "count": "Jumlah",
        "received": "Pengaduan diterima",
        "closed": "Pengaduan ditutup dalam periode",
        "incomplete_received": "Laporan belum lengkap diterima",
        "incomplete_completed": "… kemudian dilengkapi",
        "incomplete_open": "… belum dilengkapi",
        "open_at_end": "Pengaduan masih terbuka di akhir periode",
        "overdue_at_end": "… melewati batas waktu",
        "by_type": "Pengaduan per jenis aduan",
        "type": "Jenis Aduan",
        "by_agency": "Pengaduan per OPD",
        "agency": "Nama OPD",
        "by_channel": "Pengaduan per saluran",
        "channel": "Saluran Pengaduan",
        "by_state": "Status pengaduan di akhir periode",
        "state": "Status",
        "by_week": "Pengaduan per minggu",
        "week": "Minggu",
        "from": "Dari",
        "to": "Sampai",
        "steps": "Kepatuhan mutu baku per langkah SOP",
        "step": "Langkah",
        "activity": "Kegiatan",
        "standard": "Mutu baku",
        "done": "Selesai",
        "within": "Tepat waktu",
        "late": "Terlambat",
        "unknown": "Tanpa catatan batas waktu",
        "within_percent": "% tepat waktu",
        "median": "Median",
        "p90": "Persentil ke-90",
        "worst": "Kasus terlama per langkah",
        "number": "Nomor Pengaduan",
        "worked": "Waktu kerja",
        "met": "Sesuai mutu baku",
        "open": "Pengaduan terbuka di akhir periode",
        "received_at": "Diterima",
        "due": "Batas waktu",
        "paused": "Ditunda",
        "overdue": "Lewat batas waktu",
        "late_by": "Terlambat (waktu kerja)",
        "yes": "ya",
        "no": "tidak",
        "none": "Tidak ada.",
        "minutes": "menit",
        "chart_type": "Pengaduan per jenis aduan",
        "chart_week": "Pengaduan per minggu",
        "chart_steps": "Tepat waktu dan terlambat per langkah SOP",
        "note_time": (
            "Waktu kerja dihitung menurut hari dan jam kerja kantor, tanpa hari libur dan "
            "tanpa waktu penundaan menunggu pelapor. Persentil ke-90: waktu terpendek yang "
            "tidak dilampaui oleh sekurang-kurangnya 90% langkah."
        ),
        "ikm": "Indeks Kepuasan Masyarakat (IKM)",
        "respondents": "Responden",
        "invited": "Pelapor diundang",
        "answered": "… menjawab",
        "response_rate": "Tingkat tanggapan",
        "ikm_value": "Nilai IKM",
        "mutu": "Mutu pelayanan",
        "kinerja": "Kinerja unit pelayanan",
        "lowest": "Unsur dengan nilai terendah",
        "ikm_elements": "Nilai rata-rata (NRR) per unsur pelayanan",
        "code": "Kode",
        "element": "Unsur pelayanan",
        "element_answered": "Menjawab",
        "element_sum": "Jumlah nilai",
        "nrr": "NRR",
        "weighted": "NRR tertimbang",
        "ikm_groups": "IKM per kelompok",
        "dimension": "Kelompok",
        "group": "Uraian",
        "dimensions": {
            "unit": "Unit TIK",
            "type": "Jenis Aduan",
            "channel": "Saluran Pengaduan",
            "agency": "OPD",
        },
        "ikm_profile": "Profil responden",
        "profile_question": "Profil",
        "profile_share": "Persentase",
        "profile": {
            "sex": "Jenis Kelamin",
            "age_band": "Usia",
            "education": "Pendidikan",
            "occupation": "Pekerjaan",
        },
        "ikm_saran": "Saran dan masukan",
        "date": "Tanggal",
        "saran": "Saran",
        "note_ikm": (
            "IKM dihitung menurut PermenPANRB Nomor 14 Tahun 2017: NRR setiap unsur adalah "
            "jumlah nilai dibagi jumlah responden yang menjawab unsur itu; IKM = (jumlah NRR × "
            "1/9) × 25. Responden: jawaban survei yang diterima dalam periode; tingkat "
            "tanggapan: undangan dalam periode yang telah dijawab. Kelompok ditampilkan bila "
            "respondennya sekurang-kurangnya {min_group}."
        ),
    },
    "en": {
        "title": "ICT Complaint Service Report",
        "period": "Period",
        "as_of": "As of",
        "summary": "Summary",
        "what": "Item",
        "count": "Count",
        "received": "Complaints received",
        "closed": "Complaints closed in the period",
        "incomplete_received": "Incomplete reports received",
        "incomplete_completed": "… later completed",
        "incomplete_open": "… not completed",
        "open_at_end": "Complaints still open at the end of the period",
        "overdue_at_end": "… past their deadline",
        "by_type": "Complaints by type",
        "type": "Complaint type",
        "by_agency": "Complaints by agency",
        "agency": "Agency (OPD)",
        "by_channel": "Complaints by channel",
        "channel": "Channel",
        "by_state": "State of the complaints at the end of the period",
        "state": "State",
        "by_week": "Complaints per week",
        "week": "Week",
        "from": "From",
        "to": "To",
        "steps": "Service standard compliance per SOP step",
        "step": "Step",
        "activity": "Activity",
        "standard": "Standard",
        "done": "Done",
        "within": "Within standard",
        "late": "Late",
        "unknown": "No recorded deadline",
        "within_percent": "% within standard",
        "median": "Median",
        "p90": "90th percentile",
        "worst": "Longest cases per step",
        "number": "Complaint number",
        "worked": "Working time",
        "met": "Within standard",
        "open": "Complaints open at the end of the period",
        "received_at": "Received",
        "due": "Deadline",
        "paused": "Paused",
        "overdue": "Past deadline",
        "late_by": "Late by (working time)",
        "yes": "yes",
        "no": "no",
        "none": "None.",
        "minutes": "minutes",
        "chart_type": "Complaints by type",
        "chart_week": "Complaints per week",
        "chart_steps": "Within standard and late per SOP step",
        "note_time": (
            "Working time counts the office's working days and hours, without holidays and "
            "without time paused waiting on the reporter. 90th percentile: the shortest time "
            "that at least 90% of the steps did not exceed."
        ),
        "ikm": "Satisfaction index (IKM)",
        "respondents": "Respondents",
        "invited": "Reporters invited",
        "answered": "… who answered",
        "response_rate": "Response rate",
        "ikm_value": "IKM",
        "mutu": "Service grade (mutu)",
        "kinerja": "Unit performance",
        "lowest": "Lowest-scoring element",
        "ikm_elements": "Average score (NRR) per service element",
        "code": "Code",
        "element": "Service element",
        "element_answered": "Answered",
        "element_sum": "Sum of scores",
        "nrr": "NRR",
        "weighted": "Weighted NRR",
        "ikm_groups": "IKM per group",
        "dimension": "Group by",
        "group": "Group",
        "dimensions": {
            "unit": "ICT unit",
            "type": "Complaint type",
            "channel": "Channel",
            "agency": "Agency (OPD)",
        },
        "ikm_profile": "Respondents' profile",
        "profile_question": "Profile",
        "profile_share": "Share",
        "profile": {
            "sex": "Sex",
            "age_band": "Age",
            "education": "Education",
            "occupation": "Occupation",
        },
        "ikm_saran": "Suggestions (saran)",
        "date": "Date",
        "saran": "Suggestion",
        "note_ikm": (
            "The IKM follows PermenPANRB No. 14 of 2017: each element's NRR is the sum of its "
            "scores over the respondents who answered it; IKM = (sum of NRR × 1/9) × 25. "
            "Respondents: survey answers received in the period; response rate: the period's "
            "invitations that have been answered. A group is shown from {min_group} "
            "respondents."
        ),
    },
}


@dataclass(frozen=True)
class Column:
    title: str
    kind: Kind = "text"


@dataclass(frozen=True)
class Table:
    name: str  # the CSV file's name, without .csv
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]


def tables(report: Report) -> list[Table]:
    t = TEXT[report.language]
    zone = ZoneInfo(report.timezone)

    def local(moment: dt.datetime | None) -> str:
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else "-"

    def yes_no(value: bool | None) -> str:
        return "-" if value is None else t["yes"] if value else t["no"]

    count = Column(t["count"], "count")
    open_count = len(report.open_at_end)
    summary = (
        (t["received"], report.received),
        (t["closed"], report.closed),
        (t["incomplete_received"], report.incomplete_received),
        (t["incomplete_completed"], report.incomplete_completed),
        (t["incomplete_open"], report.incomplete_received - report.incomplete_completed),
        (t["open_at_end"], open_count),
        (t["overdue_at_end"], report.overdue_at_end),
    )
    return [
        Table("summary", t["summary"], (Column(t["what"]), count), summary),
        Table("by-type", t["by_type"], (Column(t["type"]), count), report.by_type),
        Table("by-agency", t["by_agency"], (Column(t["agency"]), count), report.by_agency),
        Table("by-channel", t["by_channel"], (Column(t["channel"]), count), report.by_channel),
        Table("by-state", t["by_state"], (Column(t["state"]), count), report.by_state),
        Table(
            "by-week",
            t["by_week"],
            (Column(t["week"]), Column(t["from"]), Column(t["to"]), count),
            tuple(
                (i, w.first_day.isoformat(), w.last_day.isoformat(), w.count)
                for i, w in enumerate(report.weeks, 1)
            ),
        ),
        Table(
            "steps",
            t["steps"],
            (
                Column(t["step"], "count"),
                Column(t["activity"]),
                Column(t["standard"]),
                Column(t["done"], "count"),
                Column(t["within"], "count"),
                Column(t["late"], "count"),
                Column(t["unknown"], "count"),
                Column(t["within_percent"], "percent"),
                Column(t["median"], "minutes"),
                Column(t["p90"], "minutes"),
            ),
            tuple(
                (
                    s.step,
                    s.label,
                    s.standard,
                    s.done,
                    s.within,
                    s.late,
                    s.unknown,
                    s.within_percent,
                    s.median_minutes,
                    s.p90_minutes,
                )
                for s in report.steps
            ),
        ),
        Table(
            "worst-cases",
            t["worst"],
            (
                Column(t["step"], "count"),
                Column(t["number"]),
                Column(t["worked"], "minutes"),
                Column(t["met"]),
            ),
            tuple(
                (s.step, w.number, w.minutes, yes_no(w.met)) for s in report.steps for w in s.worst
            ),
        ),
        Table(
            "open-at-end",
            t["open"],
            (
                Column(t["number"]),
                Column(t["state"]),
                Column(t["received_at"]),
                Column(t["due"]),
                Column(t["paused"]),
                Column(t["overdue"]),
                Column(t["late_by"], "minutes"),
            ),
            tuple(
                (
                    o.number,
                    o.state,
                    local(o.received),
                    local(o.due),
                    yes_no(o.paused),
                    yes_no(o.overdue),
                    o.late_minutes if o.overdue else None,
                )
                for o in report.open_at_end
            ),
        ),
        *(ikm_tables(report.ikm, report.language, local) if report.ikm is not None else ()),
    ]


def ikm_tables(
    section: IkmSection, language: str, local: Callable[[dt.datetime | None], str]
) -> list[Table]:
    """The IKM section's tables: the index, NRR per element, the groups, the respondents'
    profile, the saran."""
    t = TEXT[language]
    result = section.result
    lowest = section.lowest
    names = {f.code: f.name for f in section.elements}
    return [
        Table(
            "ikm",
            t["ikm"],
            (
                Column(t["respondents"], "count"),
                Column(t["invited"], "count"),
                Column(t["answered"], "count"),
                Column(t["response_rate"], "percent"),
                Column(t["ikm_value"], "decimal"),
                Column(t["mutu"]),
                Column(t["kinerja"]),
                Column(t["lowest"]),
            ),
            (
                (
                    result.respondents,
                    section.invited,
                    section.answered,
                    section.response_rate,
                    result.value,
                    result.mutu,
                    result.grade.kinerja(language) if result.grade else None,
                    f"{lowest} {names[lowest]}" if lowest else None,
                ),
            ),
        ),
        Table(
            "ikm-elements",
            t["ikm_elements"],
            (
                Column(t["code"]),
                Column(t["element"]),
                Column(t["element_answered"], "count"),
                Column(t["element_sum"], "count"),
                Column(t["nrr"], "decimal"),
                Column(t["weighted"], "decimal"),
            ),
            tuple(
                (
                    f.code,
                    f.name,
                    f.answered,
                    f.total,
                    None if f.nrr is None else ikm.rounded(f.nrr),
                    None if f.nrr is None else ikm.rounded(f.nrr * ikm.WEIGHT, 3),
                )
                for f in section.elements
            ),
        ),
        Table(
            "ikm-groups",
            t["ikm_groups"],
            (
                Column(t["dimension"]),
                Column(t["group"]),
                Column(t["respondents"], "count"),
                Column(t["ikm_value"], "decimal"),
                Column(t["mutu"]),
            ),
            tuple(
                (
                    t["dimensions"][g.dimension],
                    g.label,
                    g.result.respondents,
                    g.result.value,
                    g.result.mutu,
                )
                for g in section.groups
            ),
        ),
        Table(
            "ikm-profile",
            t["ikm_profile"],
            (
                Column(t["profile_question"]),
                Column(t["group"]),
                Column(t["respondents"], "count"),
                Column(t["profile_share"], "percent"),
            ),
            tuple(
                (
                    t["profile"][count.question],
                    row.label,
                    row.count,
                    round(100 * row.count / result.respondents, 1) if result.respondents else None,
                )
                for count in section.profile
                for row in count.rows
            ),
        ),
        Table(
            "ikm-saran",
            t["ikm_saran"],
            (Column(t["date"]), Column(t["saran"])),
            tuple((local(s.answered_at)[:10], s.text) for s in section.saran),
        ),
    ]


def shown(value: Any, kind: Kind, language: str) -> str:
    """A cell for people to read."""
    if value is None:
        return "-"
    if kind == "minutes":
        return formatting.duration(round(value), language)
    if kind == "percent":
        text = f"{value:.1f}".rstrip("0").rstrip(".")
        return f"{text.replace('.', ',') if language == 'id' else text}%"
    if kind == "decimal":  # an IKM or NRR, as rounded: 87,50 in Indonesian
        return str(value).replace(".", ",") if language == "id" else str(value)
    return str(value)


def heading(report: Report) -> tuple[str, str]:
    """The period and the moment the figures stand at, in words."""
    language = report.language
    first = formatting.long_date(report.period.first_day, language=language)
    last = formatting.long_date(report.period.last_day, language=language)
    span = first if first == last else f"{first} – {last}"
    as_of = formatting.long_time(
        report.as_of, timezone=report.timezone, zone_label=report.zone_label, language=language
    )
    return span, as_of


# --- the forms -----------------------------------------------------------------


def write_csv_tables(report: Report, folder: Path) -> list[Path]:
    """One CSV per table; minutes as plain numbers, the header says so."""
    folder.mkdir(parents=True, exist_ok=True)
    minutes = TEXT[report.language]["minutes"]
    written = []
    for table in tables(report):
        header = [
            f"{c.title} ({minutes})" if c.kind == "minutes" else c.title for c in table.columns
        ]
        rows = [
            [_plain(value, column.kind) for value, column in zip(row, table.columns, strict=True)]
            for row in table.rows
        ]
        path = folder / f"{table.name}.csv"
        write_csv(path, header, rows)
        written.append(path)
    return written


def _plain(value: Any, kind: Kind) -> Any:
    if kind == "minutes" and isinstance(value, float):
        return round(value, 1) if value % 1 else int(value)
    return value


def as_json(report: Report) -> str:
    """The report for programs: English keys, minutes as numbers, times in ISO 8601."""
    zone = ZoneInfo(report.timezone)

    def iso(moment: dt.datetime | None) -> str | None:
        return moment.astimezone(zone).isoformat() if moment else None

    document = {
        "office": report.office,
        "period": {
            "label": report.period.label,
            "first_day": report.period.first_day.isoformat(),
            "last_day": report.period.last_day.isoformat(),
            "as_of": iso(report.as_of),
        },
        "received": report.received,
        "closed": report.closed,
        "incomplete_reports": {
            "received": report.incomplete_received,
            "completed": report.incomplete_completed,
        },
        "by_type": dict(report.by_type),
        "by_agency": dict(report.by_agency),
        "unregistered_agencies": dict(report.unregistered_agencies),
        "by_channel": dict(report.by_channel),
        "by_state": dict(report.by_state),
        "by_week": [
            {
                "first_day": w.first_day.isoformat(),
                "last_day": w.last_day.isoformat(),
                "count": w.count,
            }
            for w in report.weeks
        ],  # fmt: skip
        "steps": [
            {
                "step": s.step,
                "activity": s.label,
                "standard": s.standard,
                "done": s.done,
                "within_standard": s.within,
                "late": s.late,
                "no_recorded_deadline": s.unknown,
                "within_percent": s.within_percent,
                "median_minutes": s.median_minutes,
                "p90_minutes": s.p90_minutes,
                "worst": [
                    {"number": w.number, "minutes": w.minutes, "within_standard": w.met}
                    for w in s.worst
                ],
            }
            for s in report.steps
        ],
        "open_at_end": [
            {
                "number": o.number,
                "state": o.state,
                "received": iso(o.received),
                "due": iso(o.due),
                "paused": o.paused,
                "overdue": o.overdue,
                "late_minutes": o.late_minutes,
            }
            for o in report.open_at_end
        ],
        "overdue_at_end": report.overdue_at_end,
    }
    if report.ikm is not None:
        document["ikm"] = ikm_json(report.ikm, report.language)
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def ikm_json(section: IkmSection, language: str) -> dict[str, Any]:
    """The IKM section for a dashboard: ``respondents``, ``nrr`` (U1..U9, two decimals,
    null where nobody answered), ``value`` and ``mutu`` (null without every element), and
    the rest of the section."""
    result = section.result

    def figures(of: ikm.Result) -> dict[str, Any]:
        return {
            "respondents": of.respondents,
            "nrr": {code: _number(v) for code, v in of.nrr_rounded().items()},
            "value": _number(of.value),
            "mutu": of.mutu,
        }

    return {
        **figures(result),
        "kinerja": result.grade.kinerja(language) if result.grade else None,
        "lowest_element": section.lowest,
        "invited": section.invited,
        "answered": section.answered,
        "response_rate_percent": section.response_rate,
        "groups": {
            dimension: {
                g.label: figures(g.result) for g in section.groups if g.dimension == dimension
            }
            for dimension in DIMENSIONS
        },
        "min_group_respondents": section.min_group,
        # The respondents by each question of the profile: every choice's code, and
        # "not_given" for those who left it out.
        "profile": {
            count.question: {
                **{row.code: row.count for row in count.rows if row.code is not None},
                "not_given": count.count(None),
            }
            for count in section.profile
        },
    }


def as_html(report: Report) -> str:
    """One page, styles and charts inline, ready to print on A4."""
    t = TEXT[report.language]
    span, as_of = heading(report)
    segments = [
        (
            f"{s.step}. {s.label}",
            [
                charts.Segment("within", s.within, t["within"]),
                charts.Segment("late", s.late, t["late"]),
                charts.Segment("unknown", s.unknown, t["unknown"]),
            ],
        )
        for s in report.steps
    ]
    return (
        environment(TEMPLATES)
        .get_template("report.html.j2")
        .render(
            t=t,
            language=report.language,
            office=report.office,
            span=span,
            as_of=as_of,
            tables={table.name: table for table in readable_tables(report)},
            chart_type=charts.horizontal_bars(t["chart_type"], report.by_type),
            chart_week=charts.columns(
                t["chart_week"],
                [(_week_label(w.first_day, w.last_day), w.count) for w in report.weeks],
            ),
            chart_steps=charts.stacked_bars(t["chart_steps"], segments),
            note_ikm=t["note_ikm"].format(min_group=report.ikm.min_group) if report.ikm else "",
        )
    )


def _week_label(first: dt.date, last: dt.date) -> str:
    return f"{first.day}–{last.day}/{last.month}" if first != last else f"{first.day}/{first.month}"


def readable_tables(report: Report) -> list[Table]:
    """The tables with their cells as people read them (the terminal, the HTML page)."""
    return [
        Table(
            table.name,
            table.title,
            table.columns,
            tuple(
                tuple(
                    shown(v, c.kind, report.language)
                    for v, c in zip(row, table.columns, strict=True)
                )
                for row in table.rows
            ),
        )
        for table in tables(report)
    ]
