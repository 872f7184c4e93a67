"""The Indeks Kepuasan Masyarakat (IKM) of PermenPANRB No. 14 Tahun 2017: its nine elements
(unsur), the questions asked about a closed ICT complaint, and the arithmetic.

Pure: no database, no clock. NRR_i is the sum of element i's scores over the number of
respondents who answered it; IKM = (sum of NRR_i x 1/9) x 25, computed with fractions so
that a perfect score is exactly 100.00; the mutu and kinerja follow the regulation's table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

SCALE = (1, 2, 3, 4)
WEIGHT = Fraction(1, 9)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Element:
    code: str  # "U1".."U9"
    name_id: str
    name_en: str
    question_id: str  # "{sapaan}" stands for Bapak / Ibu
    question_en: str
    labels_id: tuple[str, str, str, str]  # the answers 1..4
    labels_en: tuple[str, str, str, str]

    def name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_id

    def question(self, language: str, sapaan: str = "Saudara") -> str:
        """The question as asked of a respondent whom the Indonesian calls ``sapaan``
        (the reporter's Bapak / Ibu in our e-mails; the regulation's "Saudara" otherwise),
        never "Anda"."""
        if language == "en":
            return self.question_en
        return self.question_id.format(sapaan=sapaan)

    def labels(self, language: str) -> tuple[str, str, str, str]:
        return self.labels_en if language == "en" else self.labels_id


_SESUAI_ID = ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai")
_SESUAI_EN = ("Not appropriate", "Less appropriate", "Appropriate", "Very appropriate")

ELEMENTS: tuple[Element, ...] = (
    Element(
        "U1",
        "Persyaratan",
        "Requirements",
        "Bagaimana pendapat {sapaan} tentang kesesuaian persyaratan pengaduan (isian formulir "
        "pengaduan) dengan jenis layanannya?",
        "How appropriate were the requirements of the complaint (the complaint form's "
        "fields) to the kind of service?",
        _SESUAI_ID,
        _SESUAI_EN,
    ),
    Element(
        "U2",
        "Sistem, Mekanisme dan Prosedur",
        "System, mechanism and procedure",
        "Bagaimana pemahaman {sapaan} tentang kemudahan prosedur pengaduan di unit ini "
        "(melapor lewat e-mail, telepon atau surat, lalu mengikuti tiketnya)?",
        "How easy was the complaint procedure of this unit (reporting by e-mail, phone or "
        "letter, then following the ticket)?",
        ("Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"),
        ("Not easy", "Less easy", "Easy", "Very easy"),
    ),
    Element(
        "U3",
        "Waktu Penyelesaian",
        "Completion time",
        "Bagaimana pendapat {sapaan} tentang kecepatan waktu penyelesaian pengaduan {sapaan}?",
        "How fast was your complaint resolved?",
        ("Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"),
        ("Not fast", "Less fast", "Fast", "Very fast"),
    ),
    Element(
        "U4",
        "Biaya/Tarif",
        "Cost/tariff",
        "Layanan ini gratis. Apakah ada pihak yang meminta biaya atau imbalan kepada {sapaan} "
        "untuk menangani pengaduan ini?",
        "This service is free. Did anyone ask you for a fee or any reward for handling "
        "this complaint?",
        (
            "Ya, diminta dan saya membayar",
            "Ya, diminta tetapi saya tidak membayar",
            "Ada yang menyinggung biaya, tetapi tidak meminta",
            "Tidak ada yang meminta biaya",
        ),
        (
            "Yes, asked and I paid",
            "Yes, asked but I did not pay",
            "A charge was hinted at, not asked for",
            "Nobody asked for any charge",
        ),
    ),
    Element(
        "U5",
        "Produk Spesifikasi Jenis Pelayanan",
        "Service product specification",
        "Bagaimana pendapat {sapaan} tentang kesesuaian hasil penanganan (solusi yang diberikan) "
        "dengan masalah yang {sapaan} laporkan?",
        "How well did the outcome (the solution given) match the problem you reported?",
        _SESUAI_ID,
        _SESUAI_EN,
    ),
    Element(
        "U6",
        "Kompetensi Pelaksana",
        "Staff competence",
        "Bagaimana pendapat {sapaan} tentang kompetensi/kemampuan petugas dalam menangani "
        "pengaduan {sapaan}?",
        "How competent were the staff who handled your complaint?",
        ("Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten"),
        ("Not competent", "Less competent", "Competent", "Very competent"),
    ),
    Element(
        "U7",
        "Perilaku Pelaksana",
        "Staff conduct",
        "Bagaimana pendapat {sapaan} tentang perilaku petugas (kesopanan dan keramahan) dalam "
        "menangani pengaduan {sapaan}?",
        "How courteous and friendly were the staff who handled your complaint?",
        (
            "Tidak sopan dan ramah",
            "Kurang sopan dan ramah",
            "Sopan dan ramah",
            "Sangat sopan dan ramah",
        ),
        ("Not courteous", "Less courteous", "Courteous", "Very courteous"),
    ),
    Element(
        "U8",
        "Sarana dan Prasarana",
        "Facilities",
        "Bagaimana pendapat {sapaan} tentang kualitas sarana pengaduan (alamat e-mail, telepon, "
        "pemberitahuan dan halaman status tiket)?",
        "How good were the complaint facilities (the e-mail address, phone line, notices "
        "and the ticket's status page)?",
        ("Buruk", "Cukup", "Baik", "Sangat baik"),
        ("Poor", "Fair", "Good", "Very good"),
    ),
    Element(
        "U9",
        "Penanganan Pengaduan, Saran dan Masukan",
        "Handling of complaints, suggestions and feedback",
        "Bagaimana pendapat {sapaan} tentang penanganan pengaduan, saran dan masukan di unit ini?",
        "How well does this unit handle complaints, suggestions and feedback?",
        (
            "Tidak ada",
            "Ada tetapi tidak berfungsi",
            "Berfungsi kurang maksimal",
            "Dikelola dengan baik",
        ),
        ("None", "Exists but does not work", "Works, not fully", "Well managed"),
    ),
)
CODES: tuple[str, ...] = tuple(element.code for element in ELEMENTS)


@dataclass(frozen=True)
class Grade:
    mutu: str  # A..D
    kinerja_id: str
    kinerja_en: str
    lowest: Decimal  # the lowest IKM (two decimals) of this grade

    def kinerja(self, language: str) -> str:
        return self.kinerja_en if language == "en" else self.kinerja_id


# The regulation's table, best first: IKM 88.31-100.00 A, 76.61-88.30 B, 65.00-76.60 C,
# 25.00-64.99 D.
GRADES: tuple[Grade, ...] = (
    Grade("A", "Sangat Baik", "Very good", Decimal("88.31")),
    Grade("B", "Baik", "Good", Decimal("76.61")),
    Grade("C", "Kurang Baik", "Poor", Decimal("65.00")),
    Grade("D", "Tidak Baik", "Very poor", Decimal("25.00")),
)


def check_score(score: int | None) -> int | None:
    """A score as stored: 1..4 or None (unanswered); anything else is refused."""
    if score is None:
        return None
    if isinstance(score, bool) or score not in SCALE:
        raise ValueError(f"a score is 1, 2, 3 or 4, not {score!r}")
    return score


def nrr(scores: Iterable[int | None]) -> Fraction | None:
    """One element's NRR: the sum of its scores over the number who answered it; None if
    nobody answered it."""
    answered = [s for s in (check_score(score) for score in scores) if s is not None]
    if not answered:
        return None
    return Fraction(sum(answered), len(answered))


def nrr_by_element(responses: Iterable[Sequence[int | None]]) -> dict[str, Fraction | None]:
    """Each element's NRR over these responses (each nine scores, U1..U9, None unanswered)."""
    columns: list[list[int | None]] = [[] for _ in ELEMENTS]
    for scores in responses:
        if len(scores) != len(ELEMENTS):
            raise ValueError(f"a response has {len(ELEMENTS)} scores, not {len(scores)}")
        for column, score in zip(columns, scores, strict=True):
            column.append(score)
    return {code: nrr(column) for code, column in zip(CODES, columns, strict=True)}


def ikm_exact(nrrs: Mapping[str, Fraction | None]) -> Fraction | None:
    """IKM = (sum of NRR_i x 1/9) x 25, exactly; None unless every element has an NRR."""
    values = [nrrs.get(code) for code in CODES]
    if any(value is None for value in values):
        return None
    return sum((value * WEIGHT for value in values if value is not None), Fraction(0)) * 25


def rounded(value: Fraction, places: int = 2) -> Decimal:
    """A fraction as a decimal with ``places`` decimals, halves rounded up."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def grade(ikm: Decimal | Fraction) -> Grade:
    """The mutu and kinerja of an IKM, read at two decimals as the table prints it."""
    value = ikm if isinstance(ikm, Decimal) else rounded(ikm)
    value = value.quantize(CENT, rounding=ROUND_HALF_UP)
    if not Decimal(25) <= value <= Decimal(100):
        raise ValueError(f"an IKM is from 25.00 to 100.00, not {value}")
    for candidate in GRADES:
        if value >= candidate.lowest:
            return candidate
    raise AssertionError("unreachable: the lowest grade starts at 25.00")


@dataclass(frozen=True)
class Result:
    """The IKM of a set of responses."""

    respondents: int
    nrr: dict[str, Fraction | None]
    exact: Fraction | None  # None when an element has no answer at all
    value: Decimal | None  # two decimals
    grade: Grade | None

    @property
    def mutu(self) -> str | None:
        return self.grade.mutu if self.grade else None

    def nrr_rounded(self, places: int = 2) -> dict[str, Decimal | None]:
        return {code: None if v is None else rounded(v, places) for code, v in self.nrr.items()}

    def weighted(self, places: int = 3) -> dict[str, Decimal | None]:
        """NRR x 1/9 per element, as the recapitulation table shows it."""
        return {
            code: None if v is None else rounded(v * WEIGHT, places) for code, v in self.nrr.items()
        }

    def lowest(self) -> str | None:
        """The element with the lowest NRR (the first of equals): what to improve."""
        answered = [(v, i) for i, v in enumerate(self.nrr.values()) if v is not None]
        if not answered:
            return None
        return CODES[min(answered)[1]]


def compute(responses: Iterable[Sequence[int | None]]) -> Result:
    """The IKM of these responses (each nine scores U1..U9, None where unanswered)."""
    listed = [tuple(scores) for scores in responses]
    nrrs = nrr_by_element(listed)
    exact = ikm_exact(nrrs)
    value = None if exact is None else rounded(exact)
    return Result(
        respondents=len(listed),
        nrr=nrrs,
        exact=exact,
        value=value,
        grade=None if value is None else grade(value),
    )
