"""The Formulir Pengaduan rule: the one table of fields that every part of the program reads.

E-mail and CSV parsing find fields by `field_for_label`; the phone log prompts in `FIELDS`
order; templates and exports print `label`; `check_formulir` decides whether a submission
is a complete Formulir (which becomes a ticket) or an incomplete one, which the SOP says
cannot be followed up ("Apabila laporan tidak lengkap, maka tidak bisa ditindaklanjuti").
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from ticketing.normalize import (
    CATEGORIES,
    SEX_LABELS,
    Agency,
    InvalidValue,
    format_phone_national,
    normalize_agency,
    normalize_category,
    normalize_description,
    normalize_email,
    normalize_employment_status,
    normalize_line,
    normalize_name,
    normalize_phone,
    normalize_sex,
    normalize_text,
)


@dataclass(frozen=True)
class FormulirField:
    key: str
    """Canonical key, used in code, storage and CSV exports."""
    label: str
    """Indonesian label exactly as on the printed form."""
    label_en: str
    aliases: tuple[str, ...]
    """Words people write instead of the label (lower case); used by e-mail/CSV parsing."""
    normalize: Callable[[str], str]
    """Raw text → canonical value, or raises `InvalidValue`."""
    choices: tuple[tuple[str, str], ...] = ()
    """(canonical value, display label) for fields with fixed choices."""
    multiline: bool = False

    def shown(self, value: str) -> str:
        """A stored value as the form shows it: the phone formatted, a choice by its label."""
        if self.key == "phone":
            return format_phone_national(value)
        for canonical, label in self.choices:
            if canonical == value:
                return label
        return value


def _agency_normalizer(agencies: tuple[Agency, ...]) -> Callable[[str], str]:
    # A value as written is normalised once: a phone log names a few agencies thousands of
    # times, and matching one costs more than the rest of its row's short fields.
    @functools.lru_cache(maxsize=4096)
    def normalize_configured_agency(raw: str) -> str:
        return normalize_agency(raw, agencies)

    return normalize_configured_agency


def build_fields(agencies: Sequence[Agency] = ()) -> tuple[FormulirField, ...]:
    """The field table, in form order, with Nama OPD checked against `agencies`
    (any agency name is accepted when none are configured)."""
    return (
        FormulirField(
            key="agency",
            label="Nama OPD",
            label_en="Agency name",
            aliases=(
                "opd",
                "nama opd",
                "organisasi perangkat daerah",
                "perangkat daerah",
                "nama perangkat daerah",
                "skpd",
                "nama skpd",
                "instansi",
                "nama instansi",
                "asal instansi",
                "dinas",
                "nama dinas",
                "asal opd",
                "satuan kerja",
                "satker",
                "agency",
                "agency name",
                "regional agency",
                "name of agency",
            ),
            normalize=_agency_normalizer(tuple(agencies)),
        ),
        FormulirField(
            key="division",
            label="Bidang/UPT/Balai",
            label_en="Division / technical unit / office",
            aliases=(
                "bidang",
                "nama bidang",
                "upt",
                "uptd",
                "balai",
                "bidang/upt",
                "bidang/balai",
                "bidang upt balai",
                "bagian",
                "sub bagian",
                "subbagian",
                "seksi",
                "unit kerja",
                "sub unit",
                "cabang dinas",
                "division",
                "unit",
                "division/unit",
                "division / unit / office",
                "department",
            ),
            normalize=normalize_line,
        ),
        FormulirField(
            key="reporter_name",
            label="Nama Pelapor",
            label_en="Reporter's name",
            aliases=(
                "nama",
                "nama lengkap",
                "pelapor",
                "nama pegawai",
                "nama pengadu",
                "nama pemohon",
                "reporter",
                "reporter name",
                "reporter's name",
                "name",
                "full name",
                "your name",
            ),
            normalize=normalize_name,
        ),
        FormulirField(
            key="position",
            label="Jabatan",
            label_en="Position",
            aliases=(
                "jabatan",
                "nama jabatan",
                "jabatan pelapor",
                "posisi",
                "position",
                "job title",
                "title",
                "role",
            ),
            normalize=normalize_line,
        ),
        FormulirField(
            key="phone",
            label="Nomor Telepon / HandPhone",
            label_en="Phone / mobile number",
            aliases=(
                "telepon",
                "nomor telepon",
                "no telepon",
                "no. telepon",
                "no telp",
                "no. telp",
                "nomor telp",
                "telp",
                "tlp",
                "no tlp",
                "telpon",
                "nomor telpon",
                "no telpon",
                "hp",
                "no hp",
                "no. hp",
                "nomor hp",
                "handphone",
                "nomor handphone",
                "no handphone",
                "ponsel",
                "nomor ponsel",
                "no ponsel",
                "telp/hp",
                "no telp/hp",
                "no. telp/hp",
                "nomor telepon/hp",
                "telepon/hp",
                "hp/wa",
                "no hp/wa",
                "whatsapp",
                "nomor whatsapp",
                "wa",
                "no wa",
                "nomor wa",
                "kontak",
                "nomor kontak",
                "no kontak",
                "phone",
                "phone number",
                "telephone",
                "mobile",
                "mobile number",
                "phone / mobile number",
            ),
            normalize=normalize_phone,
        ),
        FormulirField(
            key="email",
            label="Alamat e-Mail",
            label_en="E-mail address",
            aliases=(
                "email",
                "e-mail",
                "alamat email",
                "alamat e-mail",
                "surel",
                "alamat surel",
                "surat elektronik",
                "e-mail address",
                "email address",
                "mail",
            ),
            normalize=normalize_email,
        ),
        FormulirField(
            key="sex",
            label="Jenis Kelamin",
            label_en="Sex",
            aliases=(
                "kelamin",
                "jenis kelamin (l/p)",
                "jenis kelamin l/p",
                "jk",
                "j/k",
                "l/p",
                "gender",
                "sex",
            ),
            normalize=normalize_sex,
            choices=tuple(SEX_LABELS.items()),
        ),
        FormulirField(
            key="employment_status",
            label="Status Kepegawaian",
            label_en="Employment status",
            aliases=(
                "status",
                "status pegawai",
                "kepegawaian",
                "status kepegawaian (pns/non pns)",
                "pns/non pns",
                "status asn",
                "status pns",
                "employment status",
            ),
            normalize=normalize_employment_status,
            choices=(("PNS", "PNS"), ("Non PNS", "Non PNS")),
        ),
        FormulirField(
            key="category",
            label="Jenis Aduan",
            label_en="Complaint type",
            aliases=(
                "jenis pengaduan",
                "kategori",
                "kategori aduan",
                "kategori pengaduan",
                "kategori masalah",
                "jenis masalah",
                "jenis gangguan",
                "jenis keluhan",
                "tipe aduan",
                "complaint type",
                "type of complaint",
                "category",
                "type",
            ),
            normalize=normalize_category,
            choices=tuple((category, category) for category in CATEGORIES),
        ),
        FormulirField(
            key="description",
            label="Isi Aduan",
            label_en="Complaint",
            aliases=(
                "aduan",
                "isi pengaduan",
                "pengaduan",
                "keluhan",
                "isi keluhan",
                "uraian",
                "uraian aduan",
                "uraian masalah",
                "uraian pengaduan",
                "deskripsi",
                "deskripsi masalah",
                "keterangan",
                "permasalahan",
                "masalah",
                "detail aduan",
                "kronologi",
                "complaint",
                "description",
                "details",
                "problem",
                "problem description",
            ),
            normalize=normalize_description,
            multiline=True,
        ),
    )


FIELDS: tuple[FormulirField, ...] = build_fields()
FIELD_BY_KEY: dict[str, FormulirField] = {field.key: field for field in FIELDS}


# --- Finding a field from a label as people write it ----------------------------------------

_ENUMERATION = re.compile(r"^\s*(?:\d{1,2}|[a-j])\s*[.)]\s+", re.IGNORECASE)
_PARENTHETICAL = re.compile(r"\([^()]*\)")


def _label_key(text: str) -> str:
    """Case-folded letters and digits only: "No. HP :" and "no hp" give "nohp"."""
    return _NOT_ALNUM.sub("", text.casefold())


# What str.isalnum() is not: a word character (str.isalnum() or "_") is \w, less "_".
_NOT_ALNUM = re.compile(r"[\W_]+")


@functools.lru_cache(maxsize=8)
def _label_index(fields: tuple[FormulirField, ...]) -> dict[str, FormulirField]:
    index: dict[str, FormulirField] = {}
    for field in fields:
        for spelling in (field.label, field.label_en, field.key, *field.aliases):
            key = _label_key(spelling)
            other = index.setdefault(key, field)
            if other.key != field.key:
                raise ValueError(f"label {spelling!r} belongs to {other.key} and {field.key}")
    return index


# What each label text written was found to name, per index: the same labels come back
# in message after message. Emptied when it grows past this many texts.
_ANSWERS_KEPT = 4096
_last_index: tuple[object, dict[str, FormulirField], dict[str, FormulirField | None]] = (
    (), {}, {}
)  # fmt: skip


def _index_of(
    fields: Sequence[FormulirField],
) -> tuple[dict[str, FormulirField], dict[str, FormulirField | None]]:
    """`_label_index` of ``fields`` and the answers found in it; the last one asked for is
    kept by identity, since a message's dozens of lines are all looked up in the same
    fields (hashing the fields for the cache costs more than the lookup)."""
    global _last_index
    known, index, answers = _last_index  # one read: another thread may replace it meanwhile
    if known is not fields:
        index, answers = _label_index(tuple(fields)), {}
        _last_index = (fields, index, answers)
    return index, answers


def field_for_label(text: str, fields: Sequence[FormulirField] = FIELDS) -> FormulirField | None:
    """The field a label names, as people write it ("Nama OPD", "nama opd :", "No. HP",
    "Jenis  Aduan", "3. Jenis Kelamin (L/P)"), or None."""
    index, answers = _index_of(fields)
    try:
        return answers[text]
    except KeyError:
        pass
    found = _look_up(text, index)
    if len(answers) >= _ANSWERS_KEPT:
        answers.clear()
    answers[text] = found
    return found


def _look_up(text: str, index: dict[str, FormulirField]) -> FormulirField | None:
    text = _ENUMERATION.sub("", text)
    found = index.get(_label_key(text))
    if found is None:
        # A hint after the label, as on printed forms: "Jenis Kelamin (L/P)".
        found = index.get(_label_key(_PARENTHETICAL.sub(" ", text)))
    return found


# --- The completeness rule ------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Why a field keeps a submission from being a complete Formulir, in both languages."""

    key: str
    kind: Literal["missing", "invalid"]
    message_id: str
    message_en: str


@dataclass(frozen=True)
class Complete:
    values: Mapping[str, str]
    """Every field's normalized value, by key, in form order."""


@dataclass(frozen=True)
class Incomplete:
    problems: tuple[Problem, ...]
    """Every missing and every invalid field, in form order."""
    understood: Mapping[str, str]
    """Normalized values of the fields that were fine, so that a reply can quote them."""


# A letter or digit survives `normalize_text`: a value with one is not blank.
_ALNUM = re.compile(r"[^\W_]")


def _is_blank(value: str | None) -> bool:
    if value is None:
        return True
    return _ALNUM.search(value) is None and not normalize_text(value)


def missing_problem(field: FormulirField) -> Problem:
    return Problem(
        key=field.key,
        kind="missing",
        message_id=f"{field.label} belum diisi.",
        message_en=f"{field.label} ({field.label_en}) is missing.",
    )


def invalid_problem(field: FormulirField, reason: InvalidValue) -> Problem:
    return Problem(
        key=field.key,
        kind="invalid",
        message_id=f"{field.label} tidak valid: {reason.message_id}",
        message_en=f"{field.label} ({field.label_en}) is not valid: {reason.message_en}",
    )


def check_formulir(
    raw: Mapping[str, str | None], fields: Sequence[FormulirField] = FIELDS
) -> Complete | Incomplete:
    """Decide whether the values make a complete Formulir. All fields are required.

    Reports every missing and every invalid field at once, in form order; keys that are
    not fields are ignored. Bad input is a rejection, never an exception.
    """
    problems: list[Problem] = []
    understood: dict[str, str] = {}
    for field, decided in zip(fields, _decided_of(fields), strict=True):
        value = raw.get(field.key)
        if value is None:
            problems.append(missing_problem(field))
            continue
        text = type(value) is str
        outcome = decided.get(value) if text else None
        if outcome is None:
            outcome = _decided(field, value)
            if text:
                if len(decided) >= _VALUES_KEPT:
                    decided.clear()
                decided[value] = outcome
        if isinstance(outcome, Problem):
            problems.append(outcome)
        else:
            understood[field.key] = outcome
    if problems:
        return Incomplete(problems=tuple(problems), understood=understood)
    return Complete(values=understood)


def _decided(field: FormulirField, value: str) -> str | Problem:
    """What the form makes of one field's value: its normalized value, or the problem."""
    if _is_blank(value):
        return missing_problem(field)
    try:
        return field.normalize(value)
    except InvalidValue as reason:
        return invalid_problem(field, reason)


# What each value was found to be, per field of the fields last checked (kept by identity,
# as `_index_of` keeps its index): a phone log gives the same agencies, units, positions
# and choices thousands of times, and no normalizer looks at anything but the value.
# A field's values are emptied when they grow past this many.
_VALUES_KEPT = 1024
_last_decided: tuple[object, tuple[dict[str, str | Problem], ...]] = ((), ())


def _decided_of(fields: Sequence[FormulirField]) -> tuple[dict[str, str | Problem], ...]:
    global _last_decided
    known, decided = _last_decided  # one read: another thread may replace it meanwhile
    if known is not fields:
        decided = tuple({} for _ in fields)
        _last_decided = (fields, decided)
    return decided


def merge(previous: Mapping[str, str], update: Mapping[str, str | None]) -> dict[str, str]:
    """The values of a reply laid over those already received: a non-blank value in
    `update` replaces the previous one; a blank one leaves it as it was."""
    merged = dict(previous)
    for key, value in update.items():
        if value is not None and not _is_blank(value):
            merged[key] = value
    return merged
