"""Reading the Formulir's fields from the text of an e-mail."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from intake.extract import Extracted, extract_fields, looks_like_form
from ticketing.formulir import FIELD_BY_KEY, FIELDS

SOP_FORM = """\
Nama OPD: Dinas Kesehatan
Bidang/UPT/Balai: Bidang Pelayanan Kesehatan
Nama Pelapor: Siti Aminah
Jabatan: Pranata Komputer
Nomor Telepon / HandPhone: 0812-3456-7890
Alamat e-Mail: siti.aminah@dinkes.bantenprov.go.id
Jenis Kelamin: Perempuan
Status Kepegawaian: PNS
Jenis Aduan: Jaringan
Isi Aduan: Wi-Fi di ruang rapat lantai 2 tidak tersambung sejak pagi.
"""

SOP_VALUES = {
    "agency": "Dinas Kesehatan",
    "division": "Bidang Pelayanan Kesehatan",
    "reporter_name": "Siti Aminah",
    "position": "Pranata Komputer",
    "phone": "0812-3456-7890",
    "email": "siti.aminah@dinkes.bantenprov.go.id",
    "sex": "Perempuan",
    "employment_status": "PNS",
    "category": "Jaringan",
    "description": "Wi-Fi di ruang rapat lantai 2 tidak tersambung sejak pagi.",
}


def values(text: str) -> dict[str, str]:
    return extract_fields(text).values


# --- The SOP's labels and the ways people write them -----------------------------------------


def test_complete_form_in_sop_labels():
    """Every field of a form written in the SOP's exact labels is read."""
    assert extract_fields(SOP_FORM) == Extracted(
        values=SOP_VALUES, lines_used=10, unknown_labels=()
    )


def test_labels_in_any_case_and_spacing():
    """Labels in upper or lower case, with odd spaces around them and the colon, are read."""
    text = """\
NAMA OPD:Dinas Kesehatan
   bidang/upt/balai   :   Bidang Pelayanan Kesehatan
Nama  Pelapor : Siti Aminah
JABATAN :Pranata Komputer
nomor telepon/handphone: 0812-3456-7890
ALAMAT E-MAIL : siti.aminah@dinkes.bantenprov.go.id
jenis kelamin: Perempuan
Status   Kepegawaian: PNS
JENIS ADUAN : Jaringan
isi aduan : Wi-Fi di ruang rapat lantai 2 tidak tersambung sejak pagi.
"""
    assert values(text) == SOP_VALUES


def test_equals_sign_separates_label_and_value():
    """``Label = value`` is read like ``Label: value``."""
    assert values("Nama Pelapor = Budi\nJabatan=Staf") == {
        "reporter_name": "Budi",
        "position": "Staf",
    }


def test_indonesian_aliases():
    """The aliases people write instead of the SOP's labels are read."""
    text = """\
Instansi: Dinas Kesehatan
Bidang: Pelayanan Kesehatan
Nama: Budi
Posisi: Staf IT
No HP: 0812-1111-2222
Email: budi@dinkes.go.id
L/P: L
Status: Non PNS
Kategori: Komputer
Keluhan: Komputer tidak bisa menyala sejak kemarin.
"""
    assert values(text) == {
        "agency": "Dinas Kesehatan",
        "division": "Pelayanan Kesehatan",
        "reporter_name": "Budi",
        "position": "Staf IT",
        "phone": "0812-1111-2222",
        "email": "budi@dinkes.go.id",
        "sex": "L",
        "employment_status": "Non PNS",
        "category": "Komputer",
        "description": "Komputer tidak bisa menyala sejak kemarin.",
    }


def test_short_aliases_for_phone_and_agency():
    """``OPD``, ``Telp`` and ``WA`` are labels."""
    assert values("OPD: Bappeda\nTelp: (0254) 123456\nWA: 0813 9999 8888") == {
        "agency": "Bappeda",
        "phone": "(0254) 123456",
    }


def test_english_labels():
    """The English labels of the form are read."""
    text = """\
Agency: Dinas Kesehatan
Division: Health Services
Reporter name: Siti Aminah
Position: Programmer
Phone: +62 812 3456 7890
E-mail address: siti@dinkes.go.id
Sex: Female
Employment status: Non PNS
Complaint type: Website
Complaint: The website shows an error on every page.
"""
    assert values(text) == {
        "agency": "Dinas Kesehatan",
        "division": "Health Services",
        "reporter_name": "Siti Aminah",
        "position": "Programmer",
        "phone": "+62 812 3456 7890",
        "email": "siti@dinkes.go.id",
        "sex": "Female",
        "employment_status": "Non PNS",
        "category": "Website",
        "description": "The website shows an error on every page.",
    }


def test_label_with_hint_in_brackets():
    """A hint in brackets after the label, as on printed forms, is part of the label."""
    assert values("Jenis Kelamin (L/P): L\nStatus Kepegawaian (PNS/Non PNS): PNS") == {
        "sex": "L",
        "employment_status": "PNS",
    }


def test_blank_form_of_the_incomplete_report_reply_filled_in():
    """The form our incomplete-report reply asks for, with its choices, is read."""
    text = """\
Nama OPD: Dinas Kesehatan
Jenis Kelamin (Laki-laki / Perempuan): L
Status Kepegawaian (PNS / Non PNS): PNS
Jenis Aduan (Jaringan / E Mail / Komputer / Server / Aplikasi / Sub Domain / Website): internet
Isi Aduan:
    Internet di ruang rapat mati.
    Sudah dicoba restart router.
"""
    assert values(text) == {
        "agency": "Dinas Kesehatan",
        "sex": "L",
        "employment_status": "PNS",
        "category": "internet",
        "description": "Internet di ruang rapat mati.\nSudah dicoba restart router.",
    }


def test_hint_with_equals_signs_inside_brackets():
    """An ``=`` inside the bracketed hint does not split the label."""
    assert values("Jenis Kelamin (L = Laki-laki, P = Perempuan): P") == {"sex": "P"}


# --- Tables, lists and layout -------------------------------------------------------------


def test_tab_between_label_and_value():
    """A tab separates a label from its value."""
    assert values("Nama Pelapor\tBudi\nJabatan\t\tStaf") == {
        "reporter_name": "Budi",
        "position": "Staf",
    }


def test_tab_and_colon_between_label_and_value():
    """``Label<TAB>:<TAB>value``, as Word forms are typed, is read."""
    assert values("Nama Pelapor\t:\tBudi") == {"reporter_name": "Budi"}


def test_pasted_two_column_table_with_bars():
    """A two-column table pasted as ``| label | value |`` rows is read; its rule is not."""
    text = """\
| Isian | Keterangan |
|---|---|
| Nama OPD | Dinas Pendidikan |
| Nama Pelapor | Rina |
| Jenis Aduan | E Mail |
"""
    assert values(text) == {
        "agency": "Dinas Pendidikan",
        "reporter_name": "Rina",
        "category": "E Mail",
    }


def test_pasted_table_with_tabs_and_numbers():
    """Rows of a numbered table pasted with tabs (``1<TAB>Label<TAB>value``) are read."""
    assert values("1\tNama OPD\tDinas Pendidikan\n2\tNama Pelapor\tRina") == {
        "agency": "Dinas Pendidikan",
        "reporter_name": "Rina",
    }


def test_two_spaces_between_label_and_value():
    """Two or more spaces separate a label from its value; the longest label wins."""
    assert values("Nama  Pelapor   Budi  Santoso") == {"reporter_name": "Budi  Santoso"}


def test_numbered_and_bulleted_lines():
    """Numbers, bullets and bold marks before and around a label are not part of it."""
    text = """\
1. Nama OPD : Dinkes
2) Bidang: Umum
(3) Nama Pelapor: Budi
4.Jabatan: Staf
- No. HP: 0812-3456-7890
* Email: budi@dinkes.go.id
• Jenis Kelamin (L/P): L
*Jenis Aduan*: Jaringan
**Status Kepegawaian:** PNS
"""
    assert values(text) == {
        "agency": "Dinkes",
        "division": "Umum",
        "reporter_name": "Budi",
        "position": "Staf",
        "phone": "0812-3456-7890",
        "email": "budi@dinkes.go.id",
        "sex": "L",
        "category": "Jaringan",
        "employment_status": "PNS",
    }


def test_dot_leaders_after_label():
    """Dots that lead from a label to its colon, as on typed forms, are not part of it."""
    assert values("Nama OPD ............ : Dinkes\nNama Pelapor .....: Budi") == {
        "agency": "Dinkes",
        "reporter_name": "Budi",
    }


def test_value_on_the_next_line():
    """A label alone on its line takes its value from the next line."""
    assert values("Nama Pelapor\nBudi Santoso\nJabatan:\nStaf") == {
        "reporter_name": "Budi Santoso",
        "position": "Staf",
    }


def test_single_line_field_takes_one_line():
    """A single-line field takes its own line only; the lines after it are ignored."""
    assert values("Nama Pelapor: Budi\nSantoso\nJabatan: Staf") == {
        "reporter_name": "Budi",
        "position": "Staf",
    }


# --- Isi Aduan ------------------------------------------------------------------------------


def test_description_runs_until_the_next_label():
    """Isi Aduan takes the lines after it, blank ones included, up to the next label."""
    text = """\
Isi Aduan: Internet mati sejak pagi.
Sudah dicoba restart router.

Lampu indikator berwarna merah.
Nama Pelapor: Budi
"""
    assert values(text) == {
        "description": (
            "Internet mati sejak pagi.\nSudah dicoba restart router.\n\n"
            "Lampu indikator berwarna merah."
        ),
        "reporter_name": "Budi",
    }


def test_description_keeps_prose_with_colons():
    """Lines with colons that name no field, such as times and URLs, stay in Isi Aduan."""
    text = """\
Isi Aduan:
Situs http://dinkes.bantenprov.go.id tidak bisa dibuka sejak pukul 09:30.
Pesan galat: 502 Bad Gateway
"""
    assert values(text) == {
        "description": (
            "Situs http://dinkes.bantenprov.go.id tidak bisa dibuka sejak pukul 09:30.\n"
            "Pesan galat: 502 Bad Gateway"
        )
    }


def test_description_keeps_a_second_complaint_label():
    """A line naming the complaint field again (``Keterangan:``) stays in Isi Aduan."""
    assert values("Isi Aduan: Printer macet.\nKeterangan: sudah dua hari.") == {
        "description": "Printer macet.\nKeterangan: sudah dua hari."
    }


def test_description_loses_the_indentation_of_its_lines():
    """The common indentation under the label, as our e-mails write it, is removed."""
    assert values("Isi Aduan:\n    Baris satu.\n      Baris dua.\n\n    Baris tiga.") == {
        "description": "Baris satu.\n  Baris dua.\n\nBaris tiga."
    }


def test_description_stops_at_the_closing():
    """As the last field, Isi Aduan runs to the closing; the closing and name stay out."""
    text = SOP_FORM + "\nMohon segera dibantu.\n\nTerima kasih,\nSiti Aminah\nDinkes\n"
    expected = SOP_VALUES["description"] + "\n\nMohon segera dibantu."
    assert values(text) == {**SOP_VALUES, "description": expected}


def test_description_stops_at_other_closings():
    """``Hormat saya,``, ``Salam,`` and ``Regards,`` end the complaint text as well."""
    for closing in ("Hormat saya,", "Salam,", "Salam hormat,", "Best regards,"):
        text = f"Isi Aduan: Server lambat sekali.\n{closing}\nBudi"
        assert values(text) == {"description": "Server lambat sekali."}, closing


def test_description_stops_at_signature_delimiter():
    """A ``--`` line or a client's footer ends the complaint text."""
    assert values("Isi Aduan: Email tidak terkirim.\n-- \nBudi\n08123") == {
        "description": "Email tidak terkirim."
    }
    assert values("Isi Aduan: Email tidak terkirim.\nDikirim dari iPhone saya") == {
        "description": "Email tidak terkirim."
    }


def test_description_may_open_with_a_greeting():
    """A greeting right under an empty Isi Aduan label is part of the text, not its end."""
    assert values("Isi Aduan:\nSalam,\nAplikasi SIMPEG tidak bisa login.") == {
        "description": "Salam,\nAplikasi SIMPEG tidak bisa login."
    }


# --- Empty, repeated and not-a-label -----------------------------------------------------------


def test_empty_value_is_not_given():
    """``Label:`` with nothing after it, before another label, is not given."""
    text = "Nama OPD: Dinkes\nBidang/UPT/Balai:\nNama Pelapor: \nJabatan: Staf"
    assert values(text) == {"agency": "Dinkes", "position": "Staf"}


def test_empty_last_field_does_not_take_the_closing():
    """An empty last label does not take a blank line or the closing as its value."""
    assert values("Jenis Aduan:\n\nTerima kasih,\nBudi") == {}
    assert values("Jenis Aduan:\nTerima kasih") == {}


def test_empty_description_before_closing_is_not_given():
    """An empty Isi Aduan followed by a blank line and a signature delimiter is not given."""
    assert values("Isi Aduan:\n\n--\nBudi") == {}


def test_first_value_of_a_repeated_label_wins():
    """When a field is written twice, the first value is kept."""
    assert values("Nama Pelapor: Budi\nNama: Andi") == {"reporter_name": "Budi"}


def test_later_value_fills_an_empty_repeated_label():
    """An empty first occurrence is replaced by a later filled one."""
    assert values("Nama Pelapor:\n\nNama Pelapor: Andi") == {"reporter_name": "Andi"}


def test_prose_with_colons_is_not_a_field():
    """Greetings, prose with a colon, times and URLs are not read as fields."""
    text = """\
Selamat pagi,
Mohon bantuan: internet mati
Rapat dimulai pukul 09:30
Lihat http://dinkes.bantenprov.go.id
Nama saya Budi
"""
    assert extract_fields(text) == Extracted(
        values={}, lines_used=0, unknown_labels=("Mohon bantuan",)
    )


def test_colon_after_unknown_words_blocks_two_space_split():
    """A line whose colon follows no label is prose, even when a label starts it."""
    assert values("Nama  file: laporan.docx") == {}


def test_greetings_and_signature_around_the_form_are_ignored():
    """Text before and after the form does not change its fields."""
    text = "Selamat pagi Bapak/Ibu,\n\n" + SOP_FORM + "\nHormat saya,\nSiti Aminah\n"
    assert values(text) == SOP_VALUES


def test_unknown_labels_are_reported():
    """``Label:`` lines whose label is no field are listed once each, as written."""
    text = "Lokasi: Lantai 2\nHari, Tanggal: Senin\nlokasi: Gedung B\nNama: Budi"
    result = extract_fields(text)
    assert result.unknown_labels == ("Lokasi", "Hari, Tanggal")
    assert result.values == {"reporter_name": "Budi"}


def test_lines_used_counts_labels_and_values():
    """``lines_used`` counts the label lines and the value lines, not blanks or prose."""
    text = "Halo,\nNama Pelapor\nBudi\nIsi Aduan: Satu.\n\nDua.\nTerima kasih"
    assert extract_fields(text).lines_used == 4


def test_custom_field_table():
    """The fields passed in are the ones read."""
    only_name = tuple(field for field in FIELDS if field.key == "reporter_name")
    result = extract_fields("Nama: Budi\nJabatan: Staf", only_name)
    assert result.values == {"reporter_name": "Budi"}


# --- looks_like_form ----------------------------------------------------------------------


def test_form_with_three_labels_looks_like_a_form():
    """Three different field labels, filled or empty, make a form."""
    assert looks_like_form("Nama OPD:\nNama Pelapor:\nIsi Aduan:")


def test_free_letter_does_not_look_like_a_form():
    """A letter with prose and one label is not a form."""
    letter = "Selamat pagi,\nMohon bantuan: internet mati.\nNama: Budi\nTerima kasih."
    assert not looks_like_form(letter)


def test_repeated_label_counts_once():
    """The same field named three times counts as one label."""
    assert not looks_like_form("Nama: Budi\nNama Pelapor: Budi\nName: Budi")


# --- Properties ---------------------------------------------------------------------------


@given(st.text(max_size=400))
def test_never_raises_and_returns_only_field_keys(text: str):
    """Any text gives an Extracted whose keys are field keys and whose values are filled."""
    result = extract_fields(text)
    assert set(result.values) <= set(FIELD_BY_KEY)
    assert all(value.strip() for value in result.values.values())
    assert looks_like_form(text) in (True, False)


_VALUE_CHARS = st.one_of(
    st.characters(categories=("L", "N")),
    st.sampled_from(" .,-@/+()'&"),
)
_VALUE = st.text(_VALUE_CHARS, min_size=1, max_size=30).map(str.strip).filter(bool)


@st.composite
def written_forms(draw: st.DrawFn) -> tuple[str, dict[str, str]]:
    chosen = draw(st.lists(st.sampled_from(FIELDS), min_size=1, unique_by=lambda f: f.key))
    lines = []
    expected = {}
    for field in chosen:
        label = draw(st.sampled_from((field.label, field.label_en, *field.aliases)))
        value = draw(_VALUE)
        lines.append(f"{label}: {value}")
        expected[field.key] = value
    return "\n".join(lines), expected


@given(written_forms())
def test_generated_form_is_read_back(form: tuple[str, dict[str, str]]):
    """A form of ``Label: value`` lines in any order and spelling gives back its values."""
    text, expected = form
    assert extract_fields(text).values == expected


def test_a_line_read_before_is_read_again_in_other_fields() -> None:
    """The lines read lately are kept for the fields they were read in: the same text
    read with other fields is read in those."""
    text = "Nama OPD: Dinas Kesehatan\nNama Pelapor: Budi\nJenis Aduan: Jaringan\n"
    assert extract_fields(text).values["agency"] == "Dinas Kesehatan"
    fewer = [f for f in FIELDS if f.key != "agency"]
    assert "agency" not in extract_fields(text, fewer).values
    assert extract_fields(text, fewer).values["reporter_name"] == "Budi"
    assert extract_fields(text).values["agency"] == "Dinas Kesehatan"
    assert extract_fields(text) == extract_fields(text)
