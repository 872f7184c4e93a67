"""The regulation's recapitulation table of the satisfaction survey (PermenPANRB No. 14
Tahun 2017, the *pengolahan data survei kepuasan masyarakat per responden dan per unsur
pelayanan*) for a period, as one A4 page for the official report: per respondent the
nine scores, then per element the sum, the NRR and the weighted NRR (NRR x 1/9), then the
IKM and its mutu, and the respondents' profile (by sex, age band, education, occupation).
Made from the report's IKM section (`records.ikm`), so the two agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from records import TEMPLATES as ROOT
from records.documents import environment
from records.ikm import IkmSection
from records.output import TEXT as REPORT_TEXT
from records.output import heading, shown
from records.report import Report
from ticketing import ikm
from ticketing.directory import Staff

TEMPLATES = ROOT / "report"

TEXT: Mapping[str, Mapping[str, str]] = {
    "id": {
        "title": "Rekapitulasi Hasil Survei Kepuasan Masyarakat",
        "subtitle": "Pengolahan Data Survei Kepuasan Masyarakat per Responden dan per Unsur"
        " Pelayanan",
        "service": "Unit layanan",
        "service_name": "Layanan Pengaduan TIK",
        "period": "Periode",
        "respondent": "No. Responden",
        "date": "Tanggal",
        "elements": "Nilai unsur pelayanan",
        "sum": "Jumlah nilai per unsur",
        "answered": "Jumlah responden yang menjawab",
        "nrr": "NRR per unsur",
        "weighted": "NRR tertimbang per unsur (NRR × 1/9)",
        "weighted_total": "Jumlah NRR tertimbang",
        "ikm": "IKM unit pelayanan (jumlah NRR tertimbang × 25)",
        "mutu": "Mutu pelayanan",
        "kinerja": "Kinerja unit pelayanan",
        "none": "Tidak ada responden dalam periode ini.",
        "legend": "Keterangan",
        "code": "Kode",
        "element": "Unsur pelayanan",
        "grades": "Nilai persepsi, interval IKM dan mutu pelayanan",
        "interval": "Nilai interval konversi (IKM)",
        "average": "Nilai interval (NRR)",
        "note": 'Nilai setiap unsur 1 sampai 4 (4 = sangat baik); "-": tidak dijawab. NRR'
        " adalah jumlah nilai unsur dibagi jumlah responden yang menjawab unsur itu; bobot"
        " setiap unsur 1/9, dihitung tepat.",
        "sign_place": "Serang",
        "head": "Kepala",
        "nip": "NIP.",
        "profile": "Profil responden",
    },
    "en": {
        "title": "Satisfaction Survey Recapitulation",
        "subtitle": "Survey data per respondent and per service element",
        "service": "Service unit",
        "service_name": "ICT complaint service",
        "period": "Period",
        "respondent": "Respondent no.",
        "date": "Date",
        "elements": "Scores per service element",
        "sum": "Sum of scores per element",
        "answered": "Respondents who answered",
        "nrr": "NRR per element",
        "weighted": "Weighted NRR per element (NRR × 1/9)",
        "weighted_total": "Sum of weighted NRR",
        "ikm": "Service unit IKM (sum of weighted NRR × 25)",
        "mutu": "Service grade (mutu)",
        "kinerja": "Unit performance",
        "none": "No respondents in this period.",
        "legend": "Key",
        "code": "Code",
        "element": "Service element",
        "grades": "Perception values, IKM intervals and service grades",
        "interval": "IKM interval",
        "average": "NRR interval",
        "note": 'Each element is scored 1 to 4 (4 = very good); "-": not answered. NRR is the'
        " sum of an element's scores over the respondents who answered it; each element"
        " weighs 1/9, computed exactly.",
        "sign_place": "Serang",
        "head": "Head of",
        "nip": "NIP",
        "profile": "Respondents' profile",
    },
}

# The regulation's table of intervals, best first (ticketing.ikm.GRADES holds the lowest
# IKM of each): the NRR interval and the IKM interval as the regulation prints them.
INTERVALS = (
    ("3,5324 – 4,00", "88,31 – 100,00"),
    ("3,0644 – 3,532", "76,61 – 88,30"),
    ("2,60 – 3,064", "65,00 – 76,60"),
    ("1,00 – 2,5996", "25,00 – 64,99"),
)


def _decimal(value: Any, language: str) -> str:
    if value is None:
        return "-"
    return str(value).replace(".", ",") if language == "id" else str(value)


def context(
    report: Report, section: IkmSection, *, government: str, address: str, city: str,
    head: Staff | None, printed: str,
) -> dict[str, Any]:  # fmt: skip
    """What the page prints, as plain strings (escaped by the template)."""
    language = report.language
    t = dict(TEXT[language])
    t["sign_place"] = city or t["sign_place"]
    zone = ZoneInfo(report.timezone)
    span, _ = heading(report)
    result = section.result
    # The sum of the weighted NRR: the IKM before its x 25, exactly.
    weighted_total = None if result.exact is None else ikm.rounded(result.exact / 25, 3)
    return {
        "t": t,
        "language": language,
        "office": report.office,
        "government": government,
        "address": address,
        "span": span,
        "codes": ikm.CODES,
        "respondents": [
            {
                "number": n,
                "date": r.answered_at.astimezone(zone).strftime("%d/%m/%Y"),
                "scores": ["-" if s is None else str(s) for s in r.scores],
            }
            for n, r in enumerate(section.respondents, 1)
        ],
        "sums": [str(f.total) for f in section.elements],
        "answered": [str(f.answered) for f in section.elements],
        "nrr": [
            _decimal(None if f.nrr is None else ikm.rounded(f.nrr, 3), language)
            for f in section.elements
        ],
        "weighted": [
            _decimal(None if f.nrr is None else ikm.rounded(f.nrr * ikm.WEIGHT, 3), language)
            for f in section.elements
        ],
        "weighted_total": _decimal(weighted_total, language),
        "ikm": _decimal(result.value, language),
        "mutu": result.mutu or "-",
        "kinerja": result.grade.kinerja(language) if result.grade else "-",
        "elements": [{"code": e.code, "name": e.name(language)} for e in ikm.ELEMENTS],
        "grades": [
            {
                "average": average,
                "interval": interval,
                "mutu": g.mutu,
                "kinerja": g.kinerja(language),
            }
            for g, (average, interval) in zip(ikm.GRADES, INTERVALS, strict=True)
        ],
        "profile": [
            {
                "question": REPORT_TEXT[language]["profile"][count.question],
                "rows": [
                    {
                        "label": row.label,
                        "count": row.count,
                        "share": shown(
                            round(100 * row.count / result.respondents, 1)
                            if result.respondents
                            else None,
                            "percent",
                            language,
                        ),
                    }
                    for row in count.rows
                ],
            }
            for count in section.profile
        ],
        "head": {"name": head.name, "nip": head.nip} if head else None,
        "printed": printed,
    }


def as_html(context_: Mapping[str, Any]) -> str:
    return environment(TEMPLATES).get_template("ikm-form.html.j2").render(context_)
