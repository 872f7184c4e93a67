"""Normalizers: raw text as people type it → canonical values, or a reason in two languages."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, reject, settings
from hypothesis import strategies as st

from ticketing import normalize
from ticketing.normalize import (
    CATEGORIES,
    CATEGORY_LABELS_EN,
    SEX_LABELS,
    Agency,
    AgencyMatch,
    InvalidValue,
    format_phone_national,
    match_agency,
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

AGENCIES = (
    Agency(
        "Dinas Komunikasi, Informatika, Statistik dan Persandian",
        ("Diskominfo", "Diskominfotik", "Kominfo"),
    ),
    Agency("Dinas Kesehatan", ("Dinkes",)),
    Agency("Dinas Pendidikan dan Kebudayaan", ("Dindikbud", "Disdikbud")),
    Agency("Badan Kepegawaian Daerah", ("BKD",)),
    Agency("Badan Pendapatan Daerah", ("Bapenda",)),
)


def rejection(normalize: Callable[[str], str], raw: str) -> InvalidValue:
    """The InvalidValue that `normalize` raises for `raw` (the test fails if none)."""
    with pytest.raises(InvalidValue) as caught:
        normalize(raw)
    return caught.value


# --- InvalidValue ---------------------------------------------------------------------------


def test_invalid_value_carries_both_languages() -> None:
    """InvalidValue keeps the Indonesian and the English message as attributes."""
    error = InvalidValue("tidak dikenali.", "not recognised.")
    assert (error.message_id, error.message_en) == ("tidak dikenali.", "not recognised.")


def test_invalid_value_is_a_value_error() -> None:
    """InvalidValue is a ValueError, so generic callers can catch it as one."""
    assert issubclass(InvalidValue, ValueError)


# --- Jenis Kelamin --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "L",
        "l",
        "L.",
        " laki-laki ",
        "Laki Laki",
        "LAKILAKI",
        "laki",
        "Pria",
        "cowok",
        "Bapak",
        "male",
        "M",
        "laki-laki.",
    ],
)
def test_sex_male_spellings_give_l(raw: str) -> None:
    """Every usual way of writing male normalizes to "L"."""
    assert normalize_sex(raw) == "L"


@pytest.mark.parametrize(
    "raw",
    ["P", "p.", "Perempuan", " PEREMPUAN ", "wanita", "Cewek", "Ibu", "female", "F", "w"],
)
def test_sex_female_spellings_give_p(raw: str) -> None:
    """Every usual way of writing female normalizes to "P"."""
    assert normalize_sex(raw) == "P"


@pytest.mark.parametrize("raw", ["", "x", "L/P", "laki-laki / perempuan", "lainnya"])
def test_sex_unknown_is_rejected_in_both_languages(raw: str) -> None:
    """An unrecognised sex is refused with the choices named in both languages."""
    error = rejection(normalize_sex, raw)
    assert "L (Laki-laki)" in error.message_id and "P (Perempuan)" in error.message_id
    assert "L (male)" in error.message_en and "P (female)" in error.message_en


def test_sex_labels_name_both_choices() -> None:
    """SEX_LABELS gives the form's display label of each code."""
    assert SEX_LABELS == {"L": "Laki-laki", "P": "Perempuan"}


# --- Status Kepegawaian ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "PNS",
        "pns",
        "P.N.S.",
        "ASN PNS",
        "pegawai negeri",
        "Pegawai Negeri Sipil",
        "civil servant",
        "CPNS",
    ],
)
def test_employment_pns_spellings_give_pns(raw: str) -> None:
    """Civil servants (and CPNS, who hold an NIP) normalize to "PNS"."""
    assert normalize_employment_status(raw) == "PNS"


@pytest.mark.parametrize(
    "raw",
    [
        "Non PNS",
        "non pns",
        "non-PNS",
        "nonpns",
        "non_pns",
        "bukan PNS",
        "honorer",
        "Tenaga Honorer",
        "kontrak",
        "PPPK",
        "P3K",
        "ASN PPPK",
        "THL",
        "outsourcing",
    ],
)
def test_employment_non_pns_spellings_give_non_pns(raw: str) -> None:
    """Honorary, contract, PPPK, THL and outsourced staff normalize to "Non PNS"."""
    assert normalize_employment_status(raw) == "Non PNS"


def test_employment_bare_asn_is_rejected_as_ambiguous() -> None:
    """ "ASN" alone is refused, because it covers both PNS and PPPK."""
    error = rejection(normalize_employment_status, "ASN")
    assert "PPPK" in error.message_id and "PPPK" in error.message_en


def test_employment_unknown_is_rejected_in_both_languages() -> None:
    """An unrecognised status is refused, naming the two choices in both languages."""
    error = rejection(normalize_employment_status, "pensiunan")
    assert "PNS atau Non PNS" in error.message_id
    assert "PNS or Non PNS" in error.message_en


# --- Jenis Aduan ----------------------------------------------------------------------------


@pytest.mark.parametrize("category", CATEGORIES)
def test_category_labels_normalize_to_themselves(category: str) -> None:
    """Each SOP complaint type, in any case, is its own canonical value."""
    assert normalize_category(f"  {category.upper()}  ") == category


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("internet", "Jaringan"),
        ("Network", "Jaringan"),
        ("WiFi", "Jaringan"),
        ("wi-fi", "Jaringan"),
        ("LAN", "Jaringan"),
        ("koneksi", "Jaringan"),
        ("Jaringan Internet", "Jaringan"),
        ("e-mail", "E Mail"),
        ("Email", "E Mail"),
        ("surel", "E Mail"),
        ("mail", "E Mail"),
        ("akun email", "E Mail"),
        ("PC", "Komputer"),
        ("laptop", "Komputer"),
        ("computer", "Komputer"),
        ("printer", "Komputer"),
        ("hosting", "Server"),
        ("VPS", "Server"),
        ("app", "Aplikasi"),
        ("Application", "Aplikasi"),
        ("sistem informasi", "Aplikasi"),
        ("software", "Aplikasi"),
        ("subdomain", "Sub Domain"),
        ("sub-domain", "Sub Domain"),
        ("domain", "Sub Domain"),
        ("DNS", "Sub Domain"),
        ("web", "Website"),
        ("situs", "Website"),
        ("laman", "Website"),
        ("situs web", "Website"),
        ("web site", "Website"),
    ],
)
def test_category_usual_words_map_to_sop_type(raw: str, expected: str) -> None:
    """The usual words for each kind of problem map to the SOP's complaint type."""
    assert normalize_category(raw) == expected


@pytest.mark.parametrize(("position", "category"), list(enumerate(CATEGORIES, start=1)))
def test_category_number_is_position_in_list(position: int, category: str) -> None:
    """A number 1–7 picks the complaint type at that position of the numbered prompt."""
    assert normalize_category(str(position)) == category


def test_category_line_copied_from_numbered_prompt_is_accepted() -> None:
    """A line copied from the numbered prompt ("3. Komputer") gives that type."""
    assert normalize_category("3. Komputer") == "Komputer"


@pytest.mark.parametrize("raw", ["0", "8", "10", "2. Komputer", "kursi rusak", ""])
def test_category_unknown_is_rejected_with_the_list(raw: str) -> None:
    """Out-of-range numbers, contradictions and unknown words are refused with the list."""
    error = rejection(normalize_category, raw)
    assert "1. Jaringan" in error.message_id and "7. Website" in error.message_id
    assert "1. Jaringan" in error.message_en


def test_category_english_labels_cover_every_category() -> None:
    """CATEGORY_LABELS_EN has an English label for each SOP complaint type, in order."""
    assert tuple(CATEGORY_LABELS_EN) == CATEGORIES


@pytest.mark.parametrize("category", CATEGORIES)
def test_category_english_label_is_accepted(category: str) -> None:
    """The English label of a complaint type normalizes to the SOP type."""
    assert normalize_category(CATEGORY_LABELS_EN[category]) == category


# --- Nomor Telepon / HandPhone --------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "0812-3456-7890",
        "0812 3456 7890",
        "081234567890",
        "0812.3456.7890",
        "+62 812 3456 7890",
        "+62-812-3456-7890",
        "+6281234567890",
        "6281234567890",
        "62 812 3456 7890",
        "(+62) 812-3456-7890",
        "+62 (0)812 3456 7890",
        "0062 812 3456 7890",
        " 0812-3456-7890. ",
        "0812-3456-7890 (WA)",
        "tel:+6281234567890",
        "０８１２３４５６７８９０",
    ],
)
def test_phone_mobile_forms_give_e164(raw: str) -> None:
    """The usual ways of writing an Indonesian mobile number give the same E.164."""
    assert normalize_phone(raw) == "+6281234567890"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("(0254) 123456", "+62254123456"),
        ("0254-123456", "+62254123456"),
        ("021-5551234", "+62215551234"),
        ("(021) 555 1234", "+62215551234"),
        ("62254123456", "+62254123456"),
    ],
)
def test_phone_landline_forms_give_e164(raw: str, expected: str) -> None:
    """Landline numbers with an area code give E.164 with the area code."""
    assert normalize_phone(raw) == expected


def test_phone_leading_62_without_plus_is_the_country_code() -> None:
    """A leading 62 without "+" is read as the country code, not as area code 0622."""
    assert normalize_phone("62 254 123456") == "+62254123456"


def test_phone_too_short_is_rejected_not_formatted() -> None:
    """A too-short number such as 08123 is refused instead of becoming "+6208123"."""
    error = rejection(normalize_phone, "08123")
    assert "0812-3456-7890" in error.message_id and "0812-3456-7890" in error.message_en


def test_phone_foreign_number_is_accepted() -> None:
    """A valid number of another country, written with "+", is accepted."""
    assert normalize_phone("+65 6123 4567") == "+6561234567"


@pytest.mark.parametrize("raw", ["", "   ", "tidak ada", "-", "0800-FLOWERS"])
def test_phone_without_typed_digits_is_rejected(raw: str) -> None:
    """Text without a typed number (letters are never turned into digits) is refused."""
    error = rejection(normalize_phone, raw)
    assert error.message_id and error.message_en


@pytest.mark.parametrize(
    "raw",
    [
        "0812-3456-7890 / 0813-1111-2222",
        "0812 3456 7890 atau 0813 1111 2222",
        "Telp. (0254) 123456 / HP 0812-3456-7890",
    ],
)
def test_phone_two_numbers_are_rejected_asking_for_one(raw: str) -> None:
    """Two numbers in one field are refused with a request to write one only."""
    error = rejection(normalize_phone, raw)
    assert "satu nomor" in error.message_id
    assert "one phone number" in error.message_en


def test_phone_extension_is_dropped() -> None:
    """An extension is not part of E.164 and is dropped."""
    assert normalize_phone("021-5551234 ext. 12") == "+62215551234"


@pytest.mark.parametrize(
    ("e164", "expected"),
    [
        ("+6281234567890", "0812-3456-7890"),
        ("+62254123456", "(0254) 123456"),
        ("+62215551234", "(021) 5551234"),
        ("+6561234567", "+65 6123 4567"),
    ],
)
def test_phone_national_display(e164: str, expected: str) -> None:
    """Indonesian numbers display in national form, others with their country code."""
    assert format_phone_national(e164) == expected


def test_phone_national_display_rejects_garbage() -> None:
    """Displaying something that is not a phone number is refused."""
    rejection(format_phone_national, "bukan nomor")


_MOBILE_PREFIXES = ("811", "812", "813", "821", "822", "852", "857", "878", "896")


@st.composite
def written_mobile_numbers(draw: st.DrawFn) -> tuple[str, str]:
    """(a valid mobile number as someone might write it, its E.164)."""
    national = draw(st.sampled_from(_MOBILE_PREFIXES)) + draw(
        st.text(alphabet="0123456789", min_size=7, max_size=8)
    )
    prefix = draw(st.sampled_from(["0", "+62", "62", "+62 ", "+62-", "(+62) ", "+62 (0)"]))
    separators = draw(
        st.lists(
            st.sampled_from(["", "", " ", "-", "."]), min_size=len(national), max_size=len(national)
        )
    )
    body = "".join(sep + digit for sep, digit in zip(separators, national, strict=True))
    body = body.lstrip(" -.")
    padding = draw(st.sampled_from(["", " ", "  ", "\t"]))
    return f"{padding}{prefix}{body}{padding}", f"+62{national}"


@given(written_mobile_numbers())
def test_phone_any_formatting_of_a_mobile_gives_the_same_e164(case: tuple[str, str]) -> None:
    """Spaces, dashes, dots, and a 0, 62 or +62 prefix never change the E.164 result."""
    written, e164 = case
    assert normalize_phone(written) == e164


@given(written_mobile_numbers())
def test_phone_normalizing_is_idempotent(case: tuple[str, str]) -> None:
    """An E.164 result normalizes to itself."""
    once = normalize_phone(case[0])
    assert normalize_phone(once) == once


@given(written_mobile_numbers())
def test_phone_national_display_normalizes_back(case: tuple[str, str]) -> None:
    """The national display form of a number normalizes back to the same E.164."""
    e164 = case[1]
    assert normalize_phone(format_phone_national(e164)) == e164


@given(st.integers(min_value=1, max_value=10**18))
def test_an_indonesian_number_is_shown_as_phonenumbers_shows_it(national: int) -> None:
    """An Indonesian E.164 number, valid or not, is shown (or refused) as phonenumbers
    shows it once it has parsed it: the display skips only the parsing."""
    import phonenumbers

    e164 = f"+62{national}"
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        rejection(format_phone_national, e164)
        return
    shown = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    assert format_phone_national(e164) == shown


@given(written_mobile_numbers())
def test_a_mobile_number_is_shown_as_phonenumbers_shows_it(case: tuple[str, str]) -> None:
    """A mobile number is shown as phonenumbers formats it (the national formats applied
    without its look-ups)."""
    import phonenumbers

    number = phonenumbers.parse(case[1], None)
    shown = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    assert format_phone_national(case[1]) == shown


@given(st.text(max_size=40))
def test_phone_arbitrary_text_only_ever_raises_invalid_value(raw: str) -> None:
    """Any text either normalizes to E.164 or is refused with InvalidValue."""
    try:
        result = normalize_phone(raw)
    except InvalidValue:
        return
    assert result.startswith("+") and result[1:].isdigit()


def _outcome(normalize: Callable[[str], str], raw: str) -> tuple[str, ...]:
    """What a normalizer gives: ("ok", value) or ("refused", Indonesian, English)."""
    try:
        return ("ok", normalize(raw))
    except InvalidValue as error:
        return ("refused", error.message_id, error.message_en)


def _phone_by_library(raw: str) -> str:
    return normalize._phone_by_library(raw, normalize._phone_text(raw))


@st.composite
def phone_shapes(draw: st.DrawFn) -> str:
    """Numbers in and near the shapes the fast path reads: every prefix, too few or too many
    digits, wrong leading digits, separators it takes and some it does not."""
    prefix = draw(
        st.sampled_from(
            ["0", "62", "+62", "0062", "+62 ", "+62-", "00", "+620", "620", "+6", "+1", "+65",
             "", "(0", "0 ", "6", "+", "062", "+0062"]
        )
    )  # fmt: skip
    first = draw(st.sampled_from(["8", "2", "21", "254", "1", "0", "5", "9", "7", "3", "6"]))
    digits = first + draw(st.text(alphabet="0123456789", min_size=0, max_size=14))
    separators = draw(
        st.lists(
            st.sampled_from(["", "", "", " ", "-", "  ", ".", "--", " - "]),
            min_size=len(digits), max_size=len(digits),
        )
    )  # fmt: skip
    body = "".join(sep + digit for sep, digit in zip(separators, digits, strict=True))
    tail = draw(st.sampled_from(["", "", " ", "-", ".", " ext 12", "x"]))
    return prefix + body + tail


@given(st.one_of(phone_shapes(), written_mobile_numbers().map(lambda case: case[0])))
def test_phone_fast_path_gives_what_phonenumbers_gives(raw: str) -> None:
    """The usual Indonesian shapes, read without parsing, give exactly what parsing with
    phonenumbers gives: the same number, or the same refusal."""
    assert _outcome(normalize_phone, raw) == _outcome(_phone_by_library, raw)


@given(st.text(alphabet="0123456789 -+()", max_size=30))
def test_phone_fast_path_gives_what_phonenumbers_gives_for_any_digits(raw: str) -> None:
    """Any string of digits and separators gives what phonenumbers gives."""
    assert _outcome(normalize_phone, raw) == _outcome(_phone_by_library, raw)


@st.composite
def indonesian_nationals(draw: st.DrawFn) -> str:
    """National significant numbers near every kind of the region's numbers: each kind's
    leading digits, any digits after them, any length the kinds allow and more."""
    leading = draw(
        st.sampled_from(
            ["8", "81", "812", "813", "814", "819", "85", "86", "87", "88", "89", "2", "21",
             "22", "24", "254", "2150", "2114", "61", "619", "800", "177", "1770", "809",
             "804", "1500", "8071", "1", "3", "4", "5", "6", "7", "9"]
        )
    )  # fmt: skip
    return leading + draw(st.text(alphabet="0123456789", min_size=0, max_size=15))


@given(st.one_of(indonesian_nationals(), st.integers(1, 10**17).map(str)))
def test_an_indonesian_number_is_valid_as_phonenumbers_says(national: str) -> None:
    """The fast path's validity of an Indonesian number is phonenumbers' own."""
    import phonenumbers

    number = phonenumbers.PhoneNumber(country_code=62, national_number=int(national))
    assert normalize._valid_indonesian(national) == phonenumbers.is_valid_number(number)


def test_indonesian_numbers_of_every_kind_are_checked() -> None:
    """Valid numbers of several kinds and invalid ones, so that the test above compares
    both answers."""
    valid = ["81234567890", "2112345678", "254123456", "8001234567", "8091234567", "8071123456"]
    assert all(normalize._valid_indonesian(n) for n in valid)
    assert not any(normalize._valid_indonesian(n) for n in ["8123", "41234567", "9123456789"])


@pytest.mark.parametrize(
    "raw",
    ["0812-3456-7890", "+62 812 3456 7890", "62812345678", "0062 8123456789", "0254-123456"],
)
def test_phone_usual_shapes_are_read_without_parsing(raw: str) -> None:
    """The shapes a phone log is written in take the fast path (so that the test above
    compares something), and give the number phonenumbers gives."""
    fast = normalize._plain_indonesian(normalize._phone_text(raw))
    assert fast is not None
    assert fast == _phone_by_library(raw)


# --- Alamat e-Mail --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("budi@dinkes.bantenprov.go.id", "budi@dinkes.bantenprov.go.id"),
        ("  Budi.Santoso@Dinkes.BantenProv.GO.ID ", "Budi.Santoso@dinkes.bantenprov.go.id"),
        ("mailto:budi@example.org", "budi@example.org"),
        ("MAILTO:budi@example.org", "budi@example.org"),
        ("<budi@example.org>", "budi@example.org"),
        ("<mailto:budi@example.org>", "budi@example.org"),
        ("budi@example.org.", "budi@example.org"),
    ],
)
def test_email_accepted_forms_normalize(raw: str, expected: str) -> None:
    """Addresses with spaces, mailto:, angle brackets or a final dot normalize; the domain is
    lower-cased."""
    assert normalize_email(raw) == expected


def test_email_display_name_form_is_rejected() -> None:
    """ "Name <address>" is refused with a request to write the address only."""
    error = rejection(normalize_email, "Budi <budi@example.org>")
    assert "tanpa nama" in error.message_id and "without a name" in error.message_en


@pytest.mark.parametrize(
    "raw", ["budi", "budi@", "@example.org", "budi@example", "budi..s@example.org", "a b@x.id"]
)
def test_email_malformed_is_rejected_in_both_languages(raw: str) -> None:
    """Malformed addresses are refused with an example of the right form."""
    error = rejection(normalize_email, raw)
    assert "nama@bantenprov.go.id" in error.message_id
    assert error.message_en


def test_email_check_makes_no_network_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    """The e-mail check is syntax only: it works with DNS resolution broken."""
    import socket

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("network used")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    assert normalize_email("pelapor@nonexistent-domain-xyz.go.id") == (
        "pelapor@nonexistent-domain-xyz.go.id"
    )


@given(st.emails())
def test_email_normalizing_is_idempotent(raw: str) -> None:
    """A normalized address normalizes to itself."""
    try:
        once = normalize_email(raw)
    except InvalidValue:
        reject()
    assert normalize_email(once) == once


def _email_by_library(raw: str) -> str:
    return normalize._email_by_library(raw, normalize._email_text(raw))


_LOCAL_CHARS = "abcXYZ09._-+!#$%&'*/=?^`{|}~\"(),:;<>@[] é"
_DOMAIN_LABELS = [
    "example", "go", "id", "bantenprov", "GO", "ID", "co", "com", "org", "a", "xn--bcher-kva",
    "xn--", "-bad", "bad-", "123", "localhost", "local", "test", "invalid", "onion", "arpa",
    "a" * 63, "b" * 64, "bücher", "münchen", "1x", "x_y", "", "LOCAL", "example2",
]  # fmt: skip


@st.composite
def address_shapes(draw: st.DrawFn) -> str:
    """Addresses in and near the plain shape: dots at the ends and doubled, characters a
    dot-atom does not allow, quoted local parts, case-insensitive mailbox names, IDN and
    punycode domains, special-use names, labels and addresses too long."""
    local = draw(
        st.one_of(
            st.text(alphabet=_LOCAL_CHARS, min_size=0, max_size=12),
            st.sampled_from(["postmaster", "Abuse", "budi.santoso", '"budi santoso"', "a" * 70,
                             "x" * 200, ".budi", "budi.", "bu..di", "BUDI"]),
        )
    )  # fmt: skip
    labels = draw(st.lists(st.sampled_from(_DOMAIN_LABELS), min_size=1, max_size=5))
    return local + draw(st.sampled_from(["@", "@@", "@", "@"])) + ".".join(labels)


@given(st.one_of(address_shapes(), st.emails()))
def test_email_fast_path_gives_what_email_validator_gives(raw: str) -> None:
    """Plain addresses, checked without email-validator but for their domain, give exactly
    what email-validator gives: the same address, or the same refusal."""
    assert _outcome(normalize_email, raw) == _outcome(_email_by_library, raw)


@pytest.mark.parametrize(
    "raw", ["budi.santoso12@example.go.id", "Budi@Dinkes.BantenProv.GO.ID", "Postmaster@x.id"]
)
def test_email_plain_addresses_are_checked_without_email_validator(raw: str) -> None:
    """A plain address takes the fast path (so that the test above compares something)."""
    fast = normalize._plain_address(normalize._email_text(raw))
    assert fast is not None
    assert fast == _email_by_library(raw)


# --- Free text, lines and names -------------------------------------------------------------


@given(st.one_of(st.text(max_size=80), st.text(alphabet=" ab.,\t\r\n\x00", max_size=30)))
def test_text_of_one_plain_line_normalizes_as_by_the_rules(raw: str) -> None:
    """A single plain line is taken as it is (stripped) only where the rules give that."""
    assert normalize_text(raw) == normalize._text_by_rules(raw)


def test_text_collapses_spaces_and_keeps_line_breaks() -> None:
    """Runs of spaces and tabs collapse within lines; line breaks stay."""
    assert normalize_text("  Printer  \t rusak.  \r\n  Sudah  dicoba. ") == (
        "Printer rusak.\nSudah dicoba."
    )


def test_text_drops_control_characters() -> None:
    """Control and zero-width characters are removed."""
    assert normalize_text("Wi\x00Fi\u200b mati\x07") == "WiFi mati"


def test_text_keeps_at_most_one_blank_line() -> None:
    """Several blank lines in a row shrink to one."""
    assert normalize_text("a\n\n\n\n b") == "a\n\nb"


@given(st.text(max_size=200))
def test_text_normalizing_is_idempotent(raw: str) -> None:
    """Normalizing free text twice gives the same result as once."""
    once = normalize_text(raw)
    assert normalize_text(once) == once


def test_line_collapses_to_one_line() -> None:
    """A short single-line field loses line breaks and repeated spaces."""
    assert normalize_line("  Bidang \n Aplikasi   Informatika ") == "Bidang Aplikasi Informatika"


@pytest.mark.parametrize("raw", ["-", "1", "x.", "  "])
def test_line_needs_two_letters(raw: str) -> None:
    """A single-line field with fewer than 2 letters is refused."""
    error = rejection(normalize_line, raw)
    assert "2 huruf" in error.message_id and "2 letters" in error.message_en


def test_name_collapses_whitespace() -> None:
    """A name is one line with single spaces."""
    assert normalize_name("  Budi \t Santoso\n ") == "Budi Santoso"


def test_name_keeps_academic_title_dot() -> None:
    """A final dot of an academic title stays; a trailing comma goes."""
    assert normalize_name("Budi Santoso, S.Kom.") == "Budi Santoso, S.Kom."
    assert normalize_name("Budi Santoso,") == "Budi Santoso"


def test_name_that_is_an_email_is_rejected() -> None:
    """An e-mail address in the name field is refused."""
    error = rejection(normalize_name, "budi@example.org")
    assert "e-mail" in error.message_id and "e-mail" in error.message_en


def test_name_that_is_a_phone_number_is_rejected() -> None:
    """A phone number in the name field is refused."""
    error = rejection(normalize_name, "0812-3456-7890")
    assert "nomor telepon" in error.message_id and "phone number" in error.message_en


@pytest.mark.parametrize("raw", ["B", "1234", "."])
def test_name_needs_two_letters(raw: str) -> None:
    """A name with fewer than 2 letters is refused."""
    rejection(normalize_name, raw)


@given(st.text(max_size=60))
def test_name_normalizing_is_idempotent(raw: str) -> None:
    """A normalized name normalizes to itself."""
    try:
        once = normalize_name(raw)
    except InvalidValue:
        reject()
    assert normalize_name(once) == once


def test_description_keeps_lines() -> None:
    """A multi-line complaint keeps its lines."""
    raw = "Internet mati sejak pagi.\n  Sudah restart router.  "
    assert normalize_description(raw) == "Internet mati sejak pagi.\nSudah restart router."


@pytest.mark.parametrize("raw", ["", "rusak", "r u s a k  p c"])
def test_description_too_short_is_rejected(raw: str) -> None:
    """A complaint with fewer than 10 non-space characters is refused as too short."""
    error = rejection(normalize_description, raw)
    assert "terlalu singkat" in error.message_id and "too short" in error.message_en


def test_description_with_ten_characters_is_accepted() -> None:
    """Exactly 10 non-space characters are enough."""
    assert normalize_description(" abcde  fghij ") == "abcde fghij"


# --- Nama OPD -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Dinas Kesehatan", "Dinas Kesehatan"),
        ("  dinas   KESEHATAN. ", "Dinas Kesehatan"),
        ("DINKES", "Dinas Kesehatan"),
        ("diskominfo", "Dinas Komunikasi, Informatika, Statistik dan Persandian"),
        (
            "Dinas Komunikasi Informatika Statistik dan Persandian",
            "Dinas Komunikasi, Informatika, Statistik dan Persandian",
        ),
        ("B.K.D.", "Badan Kepegawaian Daerah"),
    ],
)
def test_agency_matches_name_or_alias(raw: str, expected: str) -> None:
    """Names and aliases match ignoring case, punctuation and spacing; the name is returned."""
    assert normalize_agency(raw, AGENCIES) == expected


@pytest.mark.parametrize("agency", AGENCIES)
def test_agency_name_normalizes_to_itself(agency: Agency) -> None:
    """Each canonical agency name is accepted as it is."""
    assert normalize_agency(agency.name, AGENCIES) == agency.name


def test_agency_unknown_is_kept_as_written_with_close_names() -> None:
    """An unknown agency is never refused: kept as written, flagged, close names suggested."""
    found = match_agency(" Dinas  Kesehatan Hewan ", AGENCIES)
    assert found == AgencyMatch(
        "Dinas Kesehatan Hewan", registered=False, suggestions=found.suggestions
    )
    assert "Dinas Kesehatan" in found.suggestions
    assert normalize_agency("Dinas Kesehatan Hewan", AGENCIES) == "Dinas Kesehatan Hewan"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Dinas Kesehatn", "Dinas Kesehatan"),  # a letter left out
        ("Dinas Kesehtaan", "Dinas Kesehatan"),  # two letters swapped
        ("Dinas Pendidikan dan Kebudyaan", "Dinas Pendidikan dan Kebudayaan"),
        ("Badan Kepegawaian Dareah Provinsi Banten", "Badan Kepegawaian Daerah"),
    ],
)
def test_agency_slip_of_the_keyboard_in_a_long_name_is_corrected(raw: str, expected: str) -> None:
    """A slip of the keyboard in a long name gives the register's name."""
    assert match_agency(raw, AGENCIES) == AgencyMatch(expected, registered=True)


@pytest.mark.parametrize("raw", ["BKDD", "BPKD", "Dinas Sosial"])
def test_agency_short_names_are_never_guessed(raw: str) -> None:
    """An abbreviation one letter off is another agency, not a slip: it is kept and flagged."""
    found = match_agency(raw, AGENCIES)
    assert (found.name, found.registered) == (raw, False)


def test_agency_is_not_guessed_between_two_close_names() -> None:
    """A slip that is as close to two registered names is flagged, with both suggested."""
    agencies = (Agency("Biro Pemerintahan Umum"), Agency("Biro Pemerintahan Hukum"))
    found = match_agency("Biro Pemerintahan Uhum", agencies)
    assert found.registered is False
    assert set(found.suggestions) >= {"Biro Pemerintahan Umum", "Biro Pemerintahan Hukum"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Dinkes Provinsi Banten", "Dinas Kesehatan"),
        ("BKD Prov. Banten", "Badan Kepegawaian Daerah"),
        ("Biro Umum Setda", "Biro Umum"),
        ("biro umum sekretariat daerah provinsi banten", "Biro Umum"),
        (
            "Pemerintah Provinsi Banten Dinas Kesehatan",
            "Pemerintah Provinsi Banten Dinas Kesehatan",
        ),
    ],
)
def test_agency_written_with_the_province_or_setda(raw: str, expected: str) -> None:
    """ "... Provinsi Banten" after a name and "Setda" after a Biro are understood."""
    agencies = (*AGENCIES, Agency("Biro Umum"))
    assert match_agency(raw, agencies).name == expected


def test_agency_suggests_at_most_three_names() -> None:
    """No more than 3 names are suggested."""
    agencies = tuple(Agency(f"Dinas Sosial {n}") for n in "ABCDE")
    found = match_agency("Dinas Sosial", agencies)
    assert len(found.suggestions) == 3 and found.registered is False


def test_agency_unknown_without_close_names_has_no_suggestion() -> None:
    """An unknown agency with nothing close is kept, flagged, with nothing to suggest."""
    assert match_agency("Zzzz", AGENCIES) == AgencyMatch("Zzzz", registered=False)


def test_agency_alias_shared_by_two_agencies_is_not_guessed() -> None:
    """An alias configured for two agencies is kept as written, naming both, not guessed."""
    agencies = (Agency("Dinas Sosial", ("Dinsos",)), Agency("Dinas Sosial Kota", ("Dinsos",)))
    found = match_agency("dinsos", agencies)
    assert found == AgencyMatch("dinsos", False, ("Dinas Sosial", "Dinas Sosial Kota"))


def test_agency_needs_two_letters_with_a_register() -> None:
    """With a register, a value without 2 letters is still refused: it names nothing."""
    rejection(lambda raw: normalize_agency(raw, AGENCIES), "-")


def test_agency_without_list_accepts_any_line() -> None:
    """With no agencies configured, any line with 2 letters is accepted, whitespace collapsed."""
    assert normalize_agency("  Dinas   Perhubungan \n", ()) == "Dinas Perhubungan"


def test_agency_without_list_needs_two_letters() -> None:
    """With no agencies configured, a value with fewer than 2 letters is refused."""
    rejection(lambda raw: normalize_agency(raw, ()), "-")


# --- Idempotency of the choice fields -------------------------------------------------------

_SAMPLES: list[tuple[Callable[[str], str], str]] = [
    (normalize_sex, "laki-laki"),
    (normalize_sex, "Wanita"),
    (normalize_employment_status, "honorer"),
    (normalize_employment_status, "pegawai negeri sipil"),
    *((normalize_category, str(n)) for n in range(1, 8)),
    (normalize_email, "mailto:Budi@Example.ORG"),
    (normalize_description, "  Printer   macet \n\n\n kertas tersangkut "),
    (lambda raw: normalize_agency(raw, AGENCIES), "kominfo"),
]


@pytest.mark.parametrize(("normalize", "raw"), _SAMPLES)
def test_normalizers_are_idempotent(normalize: Callable[[str], str], raw: str) -> None:
    """A canonical value normalizes to itself (merged replies are checked again)."""
    once = normalize(raw)
    assert normalize(once) == once


def test_a_numbers_format_is_picked_by_its_leading_digits_and_length() -> None:
    """With the installed phonenumbers, every Indonesian format's leading digits are read
    within the first digits the display looks at, so a number's format is found by its
    shape (the tests above hold the display equal to phonenumbers' on that path)."""
    from ticketing.normalize import _formats_by_shape

    assert _formats_by_shape()


def _drop_invisible_by_category(text: str) -> str:
    import unicodedata

    return "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf")
    )


_SEEN = st.sampled_from(["a", "é", "1", " ", ".", "\n", "\t"])  # printable, lines, tabs
_UNSEEN = st.sampled_from(["\r", "\x00", "\u200b", "\ufeff", "\u00a0", "\u2028", "\u202e", "\x85"])


@settings(max_examples=300)
@given(
    st.one_of(
        st.tuples(st.text(_SEEN, max_size=12), _UNSEEN, st.text(_SEEN, max_size=12)).map("".join),
        st.text(st.one_of(_SEEN, _UNSEEN, st.characters()), max_size=30),
    )
)
def test_invisible_characters_are_dropped_as_by_their_category(text: str) -> None:
    """Control and format characters go, line feeds and tabs stay, whichever way the text
    is read (a text of lines and tabs alone is left as it is without a look at each
    character)."""
    assert normalize._drop_invisible(text) == _drop_invisible_by_category(text)


def test_a_text_of_lines_is_kept_as_it_is() -> None:
    """A description on several lines keeps its lines and loses its invisible marks."""
    assert normalize._drop_invisible("a\nb\tc") == "a\nb\tc"
    assert normalize._drop_invisible("a\n\u200bb") == "a\nb"


_HALF_IMPORTED = r"""
import importlib.abc, sys, threading

from ticketing.normalize import normalize_phone  # which imports phonenumbers when it is used

# The package phonenumbers imported by another thread, held after its module phonemetadata
# and before the rest (which registers the regions' data), as a slow first import is.
held, go = threading.Event(), threading.Event()

class Pause(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "phonenumbers.phonenumberutil":
            held.set()
            go.wait(10)
        return None

sys.meta_path.insert(0, Pause())
importer = threading.Thread(target=lambda: __import__("phonenumbers"))
importer.start()
held.wait(10)
threading.Timer(0.5, go.set).start()  # the other import goes on in half a second
print(normalize_phone("0812-3456-7890"))
importer.join()
"""


def test_a_phone_number_is_checked_while_another_thread_is_still_importing_the_library() -> None:
    """The daemon's threads start together: the outbox composes an acknowledgement (and so
    formats a phone number) while the mailbox checks a complaint's. The thread that comes
    second while the library is still being imported waits for it, and the number is
    understood, not refused for want of the region's data (which quarantined the message)."""
    import subprocess
    import sys
    from pathlib import Path

    done = subprocess.run(
        [sys.executable, "-c", _HALF_IMPORTED], capture_output=True, text=True, timeout=60,
        cwd=Path(__file__).parents[2],
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "+6281234567890"
