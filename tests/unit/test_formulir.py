"""The Formulir rule: the field table, label look-up, the completeness check and merging."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ticketing.formulir import (
    FIELD_BY_KEY,
    FIELDS,
    Complete,
    FormulirField,
    Incomplete,
    Problem,
    build_fields,
    check_formulir,
    field_for_label,
    merge,
)
from ticketing.normalize import CATEGORIES, Agency

KEYS = (
    "agency",
    "division",
    "reporter_name",
    "position",
    "phone",
    "email",
    "sex",
    "employment_status",
    "category",
    "description",
)

RAW_COMPLETE: dict[str, str | None] = {
    "agency": "  Dinas Kesehatan ",
    "division": "Bidang   Pelayanan Kesehatan",
    "reporter_name": "Siti  Aminah",
    "position": "Pranata Komputer",
    "phone": "0812-3456-7890",
    "email": "Siti.Aminah@Dinkes.BantenProv.go.id",
    "sex": "wanita",
    "employment_status": "PPPK",
    "category": "wifi",
    "description": "Wi-Fi di ruang rapat lantai 2  tidak tersambung\nsejak pagi.",
}

NORMALIZED_COMPLETE = {
    "agency": "Dinas Kesehatan",
    "division": "Bidang Pelayanan Kesehatan",
    "reporter_name": "Siti Aminah",
    "position": "Pranata Komputer",
    "phone": "+6281234567890",
    "email": "Siti.Aminah@dinkes.bantenprov.go.id",
    "sex": "P",
    "employment_status": "Non PNS",
    "category": "Jaringan",
    "description": "Wi-Fi di ruang rapat lantai 2 tidak tersambung\nsejak pagi.",
}

AGENCIES = (
    Agency("Dinas Kesehatan", ("Dinkes",)),
    Agency("Dinas Komunikasi, Informatika, Statistik dan Persandian", ("Diskominfo",)),
)


def incomplete(
    raw: dict[str, str | None], fields: tuple[FormulirField, ...] = FIELDS
) -> Incomplete:
    """Check `raw`, which the test expects to be incomplete."""
    result = check_formulir(raw, fields)
    assert isinstance(result, Incomplete)
    return result


# --- The table ------------------------------------------------------------------------------


def test_fields_are_in_form_order_with_the_sop_keys() -> None:
    """FIELDS lists the ten reporter fields in the order of the printed form."""
    assert tuple(field.key for field in FIELDS) == KEYS


def test_fields_carry_the_labels_of_the_printed_form() -> None:
    """Each field's Indonesian label is exactly as on the Formulir Pengaduan."""
    assert [field.label for field in FIELDS] == [
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
    ]


def test_field_by_key_indexes_every_field() -> None:
    """FIELD_BY_KEY finds each field of FIELDS by its key."""
    assert {key: field.key for key, field in FIELD_BY_KEY.items()} == {k: k for k in KEYS}


def test_every_field_has_english_label_and_lowercase_aliases() -> None:
    """Every field has an English label and aliases written in lower case."""
    for field in FIELDS:
        assert field.label_en
        assert field.aliases
        assert all(alias == alias.lower() for alias in field.aliases)


def test_choice_fields_list_their_choices() -> None:
    """Sex, employment status and complaint type carry their fixed choices."""
    assert FIELD_BY_KEY["sex"].choices == (("L", "Laki-laki"), ("P", "Perempuan"))
    assert FIELD_BY_KEY["employment_status"].choices == (("PNS", "PNS"), ("Non PNS", "Non PNS"))
    assert tuple(value for value, _ in FIELD_BY_KEY["category"].choices) == CATEGORIES


def test_only_the_complaint_itself_is_multiline() -> None:
    """Isi Aduan is the only multi-line field."""
    assert [field.key for field in FIELDS if field.multiline] == ["description"]


def test_choice_values_normalize_to_themselves() -> None:
    """Each fixed choice's canonical value is accepted by its own field."""
    for field in FIELDS:
        for value, _label in field.choices:
            assert field.normalize(value) == value


def test_build_fields_binds_the_agency_list() -> None:
    """build_fields checks Nama OPD against the configured agencies."""
    agency = build_fields(AGENCIES)[0]
    assert agency.normalize("diskominfo") == (
        "Dinas Komunikasi, Informatika, Statistik dan Persandian"
    )


def test_default_fields_accept_any_agency_name() -> None:
    """Without configured agencies, any agency name is accepted as written (tidied)."""
    assert FIELD_BY_KEY["agency"].normalize("  Dinas  Perhubungan ") == "Dinas Perhubungan"


# --- Finding a field by its label -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Nama OPD", "agency"),
        ("nama opd :", "agency"),
        ("NAMA OPD:", "agency"),
        ("Instansi", "agency"),
        ("Bidang/UPT/Balai", "division"),
        ("bidang / upt / balai", "division"),
        ("UPT", "division"),
        ("Nama Pelapor", "reporter_name"),
        ("Nama", "reporter_name"),
        ("Jabatan", "position"),
        ("Nomor Telepon / HandPhone", "phone"),
        ("No. HP", "phone"),
        ("no.hp", "phone"),
        ("No Telp", "phone"),
        ("WA", "phone"),
        ("WhatsApp", "phone"),
        ("Alamat e-Mail", "email"),
        ("E-mail", "email"),
        ("email", "email"),
        ("Surel", "email"),
        ("Jenis Kelamin", "sex"),
        ("Jenis Kelamin (L/P)", "sex"),
        ("Status Kepegawaian", "employment_status"),
        ("Status Kepegawaian (PNS / Non PNS)", "employment_status"),
        ("Jenis  Aduan", "category"),
        ("Kategori", "category"),
        ("Isi Aduan", "description"),
        ("Keluhan", "description"),
    ],
)
def test_field_for_label_finds_labels_and_aliases(text: str, key: str) -> None:
    """Labels and aliases are found ignoring case, end punctuation, spacing and hints."""
    field = field_for_label(text)
    assert field is not None and field.key == key


@pytest.mark.parametrize("field", FIELDS, ids=lambda field: field.key)
def test_field_for_label_finds_english_labels_and_keys(field: FormulirField) -> None:
    """The English label and the canonical key name their field too."""
    assert field_for_label(field.label_en) == field
    assert field_for_label(field.key) == field


def test_field_for_label_ignores_enumeration() -> None:
    """A numbered line of a copied form ("3. Nama Pelapor") still names its field."""
    field = field_for_label("3. Nama Pelapor :")
    assert field is not None and field.key == "reporter_name"


@pytest.mark.parametrize("text", ["", "Hari, Tanggal", "Tanda Tangan", "Nomor Pengaduan", "x"])
def test_field_for_label_unknown_is_none(text: str) -> None:
    """Text that names no reporter field gives None."""
    assert field_for_label(text) is None


def test_labels_and_aliases_are_unambiguous() -> None:
    """No label or alias, compared the way field_for_label compares, names two fields."""
    seen: dict[str, str] = {}
    for field in FIELDS:
        for spelling in (field.label, field.label_en, field.key, *field.aliases):
            key = "".join(ch for ch in spelling.casefold() if ch.isalnum())
            assert seen.setdefault(key, field.key) == field.key, spelling


def test_field_for_label_uses_the_given_table() -> None:
    """The field returned comes from the table passed in (with its agency list)."""
    fields = build_fields(AGENCIES)
    field = field_for_label("OPD", fields)
    assert field is fields[0]


# --- The completeness rule ------------------------------------------------------------------


def test_complete_formulir_returns_every_value_normalized() -> None:
    """A fully and validly filled form is Complete with every value normalized."""
    assert check_formulir(RAW_COMPLETE) == Complete(values=NORMALIZED_COMPLETE)


def test_complete_values_are_in_form_order() -> None:
    """Complete.values lists the keys in form order."""
    result = check_formulir(RAW_COMPLETE)
    assert isinstance(result, Complete)
    assert tuple(result.values) == KEYS


def test_empty_formulir_lists_every_field_as_missing() -> None:
    """An empty submission names all ten fields as missing, in form order."""
    result = incomplete({})
    assert [(p.key, p.kind) for p in result.problems] == [(key, "missing") for key in KEYS]
    assert result.understood == {}


@pytest.mark.parametrize("blank", [None, "", "   ", "\t\n ", "\u200b"])
def test_blank_value_counts_as_missing(blank: str | None) -> None:
    """None, empty, whitespace-only and invisible-only values count as missing."""
    result = incomplete({**RAW_COMPLETE, "position": blank})
    assert result.problems == (
        Problem(
            key="position",
            kind="missing",
            message_id="Jabatan belum diisi.",
            message_en="Jabatan (Position) is missing.",
        ),
    )


def test_missing_message_names_the_label_in_both_languages() -> None:
    """A missing field's messages name the form's label, with the English label in English."""
    result = incomplete({**RAW_COMPLETE, "phone": None})
    (problem,) = result.problems
    assert problem.message_id == "Nomor Telepon / HandPhone belum diisi."
    assert problem.message_en == "Nomor Telepon / HandPhone (Phone / mobile number) is missing."


def test_invalid_message_names_the_label_and_the_reason() -> None:
    """An invalid field's messages name the label and say why, in both languages."""
    result = incomplete({**RAW_COMPLETE, "phone": "08123"})
    (problem,) = result.problems
    assert problem.kind == "invalid"
    assert problem.message_id.startswith("Nomor Telepon / HandPhone tidak valid: ")
    assert "0812-3456-7890" in problem.message_id
    assert problem.message_en.startswith(
        "Nomor Telepon / HandPhone (Phone / mobile number) is not valid: "
    )


def test_every_missing_and_invalid_field_is_reported_at_once() -> None:
    """Missing and invalid fields are all reported together, in form order."""
    raw = {**RAW_COMPLETE, "division": "", "phone": "08123", "sex": "?", "description": "rusak"}
    result = incomplete(raw)
    assert [(p.key, p.kind) for p in result.problems] == [
        ("division", "missing"),
        ("phone", "invalid"),
        ("sex", "invalid"),
        ("description", "invalid"),
    ]


def test_incomplete_keeps_the_understood_values() -> None:
    """Fields that were fine are returned normalized, so a reply can quote them."""
    result = incomplete({**RAW_COMPLETE, "email": "siti@", "category": None})
    expected = {k: v for k, v in NORMALIZED_COMPLETE.items() if k not in ("email", "category")}
    assert result.understood == expected


def test_unknown_keys_are_ignored() -> None:
    """Keys that are not fields neither count nor appear in the values."""
    result = check_formulir({**RAW_COMPLETE, "signature": "ttd", "nomor_pengaduan": "1"})
    assert result == Complete(values=NORMALIZED_COMPLETE)


def test_configured_agencies_keep_an_unknown_agency_as_written() -> None:
    """An agency the register does not know makes no form incomplete: it is kept as written."""
    result = check_formulir(
        {**RAW_COMPLETE, "agency": "  Badan  Pusat Statistik "}, build_fields(AGENCIES)
    )
    assert isinstance(result, Complete)
    assert result.values["agency"] == "Badan Pusat Statistik"


def test_configured_agencies_correct_a_slip_in_a_long_name() -> None:
    """A long agency name with one slip of the keyboard is stored as the register's name."""
    result = check_formulir({**RAW_COMPLETE, "agency": "Dinas Keshatan"}, build_fields(AGENCIES))
    assert isinstance(result, Complete)
    assert result.values["agency"] == "Dinas Kesehatan"


def test_configured_agencies_turn_alias_into_name() -> None:
    """With configured agencies, an alias becomes the agency's canonical name."""
    result = check_formulir({**RAW_COMPLETE, "agency": "DINKES"}, build_fields(AGENCIES))
    assert isinstance(result, Complete)
    assert result.values["agency"] == "Dinas Kesehatan"


def test_complete_values_check_again_as_complete() -> None:
    """Normalized values pass the check unchanged (a merged reply is checked again)."""
    assert check_formulir(NORMALIZED_COMPLETE) == Complete(values=NORMALIZED_COMPLETE)


_VALUES = st.none() | st.text(max_size=30) | st.sampled_from(list(RAW_COMPLETE.values()))


@given(st.dictionaries(st.sampled_from([*KEYS, "other", ""]), _VALUES))
def test_check_never_raises_on_arbitrary_text(raw: dict[str, str | None]) -> None:
    """Any dictionary of text gives Complete or Incomplete, never an exception."""
    result = check_formulir(raw)
    assert isinstance(result, Complete | Incomplete)
    if isinstance(result, Incomplete):
        problem_keys = [problem.key for problem in result.problems]
        assert problem_keys == [key for key in KEYS if key in problem_keys]
        assert set(problem_keys).isdisjoint(result.understood)
        assert set(problem_keys) | set(result.understood) == set(KEYS)


@given(st.sets(st.sampled_from(KEYS)))
def test_problems_cover_exactly_the_missing_keys(missing: set[str]) -> None:
    """With otherwise valid values, the problems are exactly the left-out keys."""
    raw = {key: value for key, value in RAW_COMPLETE.items() if key not in missing}
    result = check_formulir(raw)
    if not missing:
        assert isinstance(result, Complete)
        return
    assert isinstance(result, Incomplete)
    assert {problem.key for problem in result.problems} == missing
    assert all(problem.kind == "missing" for problem in result.problems)
    assert all(problem.message_id and problem.message_en for problem in result.problems)


# --- Merging a reply into an incomplete report ----------------------------------------------


def test_merge_non_blank_update_overrides() -> None:
    """A non-blank value in the reply replaces the earlier one."""
    assert merge({"phone": "08123"}, {"phone": "0812-3456-7890"}) == {"phone": "0812-3456-7890"}


def test_merge_blank_update_keeps_previous() -> None:
    """A blank or None value in the reply leaves the earlier value in place."""
    previous = {"phone": "+6281234567890", "sex": "P", "email": "a@example.org"}
    assert merge(previous, {"phone": "  ", "sex": None, "email": ""}) == previous


def test_merge_adds_new_keys() -> None:
    """A value in the reply for a field not given before is added."""
    assert merge({"sex": "P"}, {"category": "wifi"}) == {"sex": "P", "category": "wifi"}


def test_merge_does_not_change_its_inputs() -> None:
    """merge returns a new dict and leaves both inputs as they were."""
    previous = {"sex": "P"}
    update: dict[str, str | None] = {"sex": "L"}
    merge(previous, update)
    assert previous == {"sex": "P"} and update == {"sex": "L"}


def test_reply_completing_an_incomplete_report_gives_complete() -> None:
    """Understood values merged with a reply that supplies the rest make a Complete form."""
    first = incomplete({**RAW_COMPLETE, "phone": "08123", "category": None})
    reply: dict[str, str | None] = {"phone": "+62 812 3456 7890", "category": "3", "sex": ""}
    result = check_formulir(merge(first.understood, reply))
    assert result == Complete(values={**NORMALIZED_COMPLETE, "category": "Komputer"})


# Values a field may be given again and again, each field's own and the others': blank,
# invisible, invalid, usual and unusual.
_POOL = [
    None, "", "  ", "\u200b", "-", "x", "L", "wanita", "PNS", "pppk", "wifi", "Jaringan",
    "Dinkes", "Dinas Keshatan", "Diskominfo", "0812-3456-7890", "0812", "+65 6123 4567",
    "siti@dinkes.bantenprov.go.id", "siti@", "Siti  Aminah", "Bidang Pelayanan Kesehatan",
    "Wi-Fi mati\r\nsejak pagi.", "123", "Pranata Komputer",
]  # fmt: skip


@given(
    st.lists(
        st.fixed_dictionaries({key: st.sampled_from(_POOL) for key in KEYS}),
        min_size=1,
        max_size=12,
    )
)
def test_values_checked_again_are_found_what_they_were_the_first_time(
    raws: list[dict[str, str | None]],
) -> None:
    """The values a field was given before are found what they were found the first time:
    the same normalized values and the same problems as forms checked afresh (another
    sequence of the fields, with nothing kept)."""
    fields = build_fields(AGENCIES)
    afresh = [check_formulir(raw, list(fields)) for raw in raws]
    assert [check_formulir(raw, fields) for raw in raws * 2] == afresh * 2


def test_values_checked_again_keep_each_field_apart() -> None:
    """A value given to two fields is found what each field makes of it."""
    fields = build_fields(AGENCIES)
    raw = dict.fromkeys(KEYS, "L")
    first = check_formulir(raw, fields)
    again = check_formulir(raw, fields)
    assert isinstance(first, Incomplete) and first == again
    assert again.understood == {"sex": "L"}  # too short for a division, a name, a position
    assert {p.key for p in again.problems} == set(KEYS) - {"sex"}
