"""Pure normalizers for the values a reporter types into the Formulir Pengaduan.

Each normalizer takes the raw text as a person wrote it (in an e-mail, a CSV cell or at
the phone-log prompt) and returns the canonical value, or raises `InvalidValue` with the
reason in Bahasa Indonesia and in English. No normalizer touches the network or the clock.

Every normalizer accepts its own output (``normalize(normalize(x)) == normalize(x)``),
because a reply that completes an incomplete report is merged with the values already
understood and checked again.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

# phonenumbers and email-validator take ~0.25 s to import; they are imported where a phone
# number or an address is first checked, not by everything that reads the form's table
# (the CLI's help among them).
if TYPE_CHECKING:
    import phonenumbers


class InvalidValue(ValueError):
    """A value a person typed that cannot be understood; the reason is given in both languages.

    The reasons are written to follow "<label> tidak valid: " / "<label> is not valid: ",
    so they start in lower case and end with a full stop.
    """

    def __init__(self, message_id: str, message_en: str) -> None:
        super().__init__(message_id, message_en)
        self.message_id = message_id
        self.message_en = message_en

    def __str__(self) -> str:
        return self.message_en


# --- shared helpers -------------------------------------------------------------------------

_QUOTE_MAX = 40


def _quote(raw: str) -> str:
    """The raw value, on one line and shortened, for quoting inside a message."""
    one_line = " ".join(_drop_invisible(raw).split())
    if len(one_line) > _QUOTE_MAX:
        one_line = one_line[: _QUOTE_MAX - 1] + "…"
    return f'"{one_line}"'


def _drop_invisible(text: str) -> str:
    """Remove control and format characters (NUL, BOM, zero-width spaces, bidi marks, ...).

    Line feeds and tabs are kept; the callers decide what whitespace means.
    """
    if text.isprintable():  # no character of category C (nor Z but the space): none to drop
        return text
    if text.replace("\n", "").replace("\t", "").isprintable():  # lines and tabs alone: kept
        return text
    return "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf")
    )


def _compact(raw: str) -> str:
    """A lookup key: NFKC, case-folded, with every character that is not a letter or digit
    removed, so that "Laki-laki", "laki laki" and "LAKILAKI." give the same key."""
    folded = unicodedata.normalize("NFKC", raw).casefold()
    return "".join(filter(str.isalnum, folded))


def _words(raw: str) -> str:
    """A readable key: NFKC, case-folded, punctuation turned into spaces, spaces collapsed."""
    folded = unicodedata.normalize("NFKC", raw).casefold()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in folded).split())


def _lookup_table(groups: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Map the compact key of every spelling to its canonical value."""
    table: dict[str, str] = {}
    for canonical, spellings in groups.items():
        for spelling in (canonical, *spellings):
            key = _compact(spelling)
            if table.get(key, canonical) != canonical:
                # Two canonical values sharing a spelling is a bug in the tables below.
                raise ValueError(f"spelling {spelling!r} maps to two values")
            table[key] = canonical
    return table


def _count_letters(text: str) -> int:
    return sum(map(str.isalpha, text))


# --- Jenis Kelamin --------------------------------------------------------------------------

SEX_LABELS: dict[str, str] = {"L": "Laki-laki", "P": "Perempuan"}

_SEX = _lookup_table(
    {
        "L": (
            "laki-laki",
            "laki laki",
            "lakilaki",
            "laki",
            "laki2",
            "lk",
            "pria",
            "cowok",
            "bapak",
            "bpk",
            "pak",
            "male",
            "man",
            "m",
        ),
        "P": (
            "perempuan",
            "pr",
            "wanita",
            "cewek",
            "ibu",
            "bu",
            "female",
            "woman",
            "f",
            "w",
        ),
    }
)


def normalize_sex(raw: str) -> str:
    """Jenis Kelamin → "L" (Laki-laki) or "P" (Perempuan)."""
    value = _SEX.get(_compact(raw))
    if value is None:
        raise InvalidValue(
            f"{_quote(raw)} tidak dikenali; mohon isi L (Laki-laki) atau P (Perempuan).",
            f"{_quote(raw)} is not recognised; please write L (male) or P (female).",
        )
    return value


# --- Status Kepegawaian ---------------------------------------------------------------------

EMPLOYMENT_STATUSES: tuple[str, ...] = ("PNS", "Non PNS")

# PPPK (P3K) are ASN but not PNS, so they are "Non PNS". A CPNS (candidate civil servant on
# probation) already holds an NIP and the form offers only two choices, so CPNS counts as PNS.
# "ASN" alone covers both PNS and PPPK and is therefore refused as ambiguous (see below).
_EMPLOYMENT = _lookup_table(
    {
        "PNS": (
            "asn pns",
            "pns asn",
            "pegawai negeri",
            "pegawai negeri sipil",
            "civil servant",
            "cpns",
            "calon pns",
        ),
        "Non PNS": (
            "non-pns",
            "nonpns",
            "non_pns",
            "bukan pns",
            "non asn",
            "bukan asn",
            "honorer",
            "tenaga honorer",
            "pegawai honorer",
            "kontrak",
            "pegawai kontrak",
            "tenaga kontrak",
            "tkk",
            "pppk",
            "p3k",
            "asn pppk",
            "asn p3k",
            "thl",
            "tenaga harian lepas",
            "ptt",
            "pegawai tidak tetap",
            "outsourcing",
            "outsource",
            "alih daya",
            "non civil servant",
            "not a civil servant",
            "contract",
            "contractor",
        ),
    }
)
_AMBIGUOUS_ASN = frozenset({"asn", "aparatursipilnegara"})


def normalize_employment_status(raw: str) -> str:
    """Status Kepegawaian → "PNS" or "Non PNS"."""
    key = _compact(raw)
    value = _EMPLOYMENT.get(key)
    if value is not None:
        return value
    if key in _AMBIGUOUS_ASN:
        raise InvalidValue(
            "ASN dapat berarti PNS atau PPPK; mohon isi PNS atau Non PNS (termasuk PPPK).",
            "ASN may mean PNS or PPPK; please write PNS or Non PNS (PPPK counts as Non PNS).",
        )
    raise InvalidValue(
        f"{_quote(raw)} tidak dikenali; mohon isi PNS atau Non PNS.",
        f"{_quote(raw)} is not recognised; please write PNS or Non PNS.",
    )


# --- Jenis Aduan ----------------------------------------------------------------------------

CATEGORIES: tuple[str, ...] = (
    "Jaringan",
    "E Mail",
    "Komputer",
    "Server",
    "Aplikasi",
    "Sub Domain",
    "Website",
)

CATEGORY_LABELS_EN: dict[str, str] = {
    "Jaringan": "Network",
    "E Mail": "E-mail",
    "Komputer": "Computer",
    "Server": "Server",
    "Aplikasi": "Application",
    "Sub Domain": "Sub-domain",
    "Website": "Website",
}

_CATEGORY = _lookup_table(
    {
        "Jaringan": (
            "network",
            "internet",
            "wifi",
            "wi-fi",
            "lan",
            "wlan",
            "koneksi",
            "koneksi internet",
            "jaringan internet",
            "jaringan komputer",
            "hotspot",
        ),
        "E Mail": (
            "e-mail",
            "email",
            "surel",
            "surat elektronik",
            "mail",
            "webmail",
            "akun email",
            "akun e-mail",
            "akun surel",
        ),
        "Komputer": (
            "pc",
            "laptop",
            "notebook",
            "computer",
            "printer",
            "perangkat keras",
            "hardware",
        ),
        "Server": ("hosting", "vps"),
        "Aplikasi": (
            "app",
            "apps",
            "application",
            "sistem informasi",
            "software",
            "perangkat lunak",
        ),
        "Sub Domain": ("subdomain", "sub-domain", "domain", "dns"),
        "Website": ("web", "situs", "situs web", "web site", "laman", "laman web"),
    }
)
_NUMBERED = re.compile(r"^\s*\(?([1-9])\s*[.):\-]?\s*(.*)$", re.DOTALL)


def _category_choices() -> str:
    return ", ".join(f"{n}. {c}" for n, c in enumerate(CATEGORIES, start=1))


def normalize_category(raw: str) -> str:
    """Jenis Aduan → one of `CATEGORIES`, from a label, a usual word or its number 1–7."""
    value = _CATEGORY.get(_compact(raw))
    if value is not None:
        return value
    numbered = _NUMBERED.match(unicodedata.normalize("NFKC", raw))
    if numbered is not None:
        position = int(numbered.group(1))
        rest = numbered.group(2)
        if 1 <= position <= len(CATEGORIES):
            by_number = CATEGORIES[position - 1]
            # "3" alone, or a line copied from the numbered prompt such as "3. Komputer".
            if not _compact(rest) or _CATEGORY.get(_compact(rest)) == by_number:
                return by_number
    raise InvalidValue(
        f"{_quote(raw)} tidak dikenali; mohon pilih salah satu: {_category_choices()}.",
        f"{_quote(raw)} is not recognised; please choose one of: {_category_choices()}.",
    )


# --- Nomor Telepon / HandPhone --------------------------------------------------------------

_PHONE_EXAMPLE = "0812-3456-7890 atau (0254) 123456"
_PHONE_EXAMPLE_EN = "0812-3456-7890 or (0254) 123456"
# A run of at least 6 digits with the usual separators; two of them mean two numbers.
_DIGIT_RUN = re.compile(r"\d[\d\s().\-]{4,}\d")
_TRAILING_PUNCTUATION = ".,;:!?"


def _decimal_digits(text: str) -> str:
    return "".join(str(unicodedata.decimal(ch)) for ch in text if ch.isdecimal())


def _phone_candidates(text: str) -> list[str]:
    """The ways to read what was typed, most likely first.

    Written without "+", a leading "62" is almost always the country code (copied from
    WhatsApp), and "0062" is a common but wrong international prefix for Indonesia.
    phonenumbers reads both as national numbers, e.g. "62254123456" as (0622) 54123456.
    """
    stripped = text.lstrip("( ")
    digits = _decimal_digits(stripped)
    candidates: list[str] = []
    if not stripped.startswith("+"):
        if digits.startswith("0062"):
            candidates.append("+" + digits[2:])
        elif digits.startswith("62"):
            candidates.append("+" + digits)
    candidates.append(text)
    return candidates


def _parse_valid(text: str) -> phonenumbers.PhoneNumber | None:
    import phonenumbers

    try:
        number = phonenumbers.parse(text, "ID")
    except phonenumbers.NumberParseException:
        return None
    # Check validity BEFORE formatting: "08123" would otherwise become a bogus "+6208123".
    if not phonenumbers.is_valid_number(number):
        return None
    # phonenumbers turns letters into digits (0800-FLOWERS); a typed number must consist of
    # the digits that were typed.
    if str(number.national_number) not in _decimal_digits(text):
        return None
    return number


def normalize_phone(raw: str) -> str:
    """Nomor Telepon / HandPhone → E.164 ("+6281234567890").

    Indonesian numbers may be written with 0, 62, +62 or (0254); other countries need
    their "+" prefix. An extension ("ext. 12") is not part of E.164 and is dropped.
    """
    text = _phone_text(raw)
    if (fast := _plain_indonesian(text)) is not None:
        return fast
    return _phone_by_library(raw, text)


def _phone_text(raw: str) -> str:
    text = unicodedata.normalize("NFKC", _drop_invisible(raw)).strip()
    return text.rstrip(_TRAILING_PUNCTUATION + " ")


# The usual shapes of an Indonesian number: 0812-3456-7890, +62 812 3456 7890, 62812...,
# 0062 812..., digits with single spaces or dashes between them.
_PLAIN_PHONE = re.compile(r"(\+?)([0-9](?:[ -]?[0-9]){7,19})")
_SEPARATORS = str.maketrans("", "", " -")


def _plain_indonesian(text: str) -> str | None:
    """What phonenumbers makes of ``text`` when it is a valid Indonesian number in one of
    the usual shapes, without parsing it: its national significant number is the digits
    after 0, 62, +62 or 0062 (not starting with 0), which phonenumbers then checks
    against the region's patterns as it does after parsing. None for anything else
    (another shape, not valid, another country): `_phone_by_library` decides, and gives
    the reason. tests/unit/test_normalize.py holds the two equal."""
    match = _PLAIN_PHONE.fullmatch(text)
    if match is None:
        return None
    digits = match.group(2).translate(_SEPARATORS)
    if match.group(1):
        national = digits[2:] if digits.startswith("62") else ""
    elif digits.startswith("0062"):
        national = digits[4:]
    elif digits.startswith("62"):
        national = digits[2:]
    elif digits.startswith("0"):
        national = digits[1:]
    else:
        return None
    if not national or national[0] == "0" or not _valid_indonesian(national):
        return None
    return "+62" + national


_Desc = tuple[frozenset[int], "re.Pattern[str]"]


def _valid_indonesian(national: str) -> bool:
    """``phonenumbers.is_valid_number`` of the Indonesian number (+62) whose national
    significant number is ``national`` (digits, the first not 0), with the library's own
    patterns but not its calls: a number is valid when it fits the region's general
    pattern and the pattern of any kind of number, each with its lengths (the library
    tries the kinds in turn to name the kind; a phone log's are mostly mobiles, tried
    first here). tests/unit/test_normalize.py holds the two equal."""
    general, kinds = _indonesian_patterns()
    length = len(national)
    if not _fits(general, national, length):
        return False
    return any(_fits(kind, national, length) for kind in kinds)


def _fits(desc: _Desc | None, national: str, length: int) -> bool:
    """The library's ``_is_number_matching_desc``."""
    if desc is None:
        return False
    lengths, pattern = desc
    if lengths and length not in lengths:
        return False
    return pattern.fullmatch(national) is not None


@functools.cache
def _indonesian_patterns() -> tuple[_Desc | None, tuple[_Desc | None, ...]]:
    """The region's general description and those of its kinds of numbers, as lengths
    and compiled patterns, in the order that makes a mobile number's check shortest."""
    # From the package, not its module phonemetadata: a thread that imports the module
    # while another is still importing the package (the outbox composing an e-mail while
    # the mailbox reads one, as the daemon starts) would get it before the package's data
    # has registered any region, and no metadata for Indonesia.
    from phonenumbers import PhoneMetadata

    metadata = PhoneMetadata.metadata_for_region("ID")
    assert metadata is not None

    def desc(number_desc: Any) -> _Desc | None:
        if number_desc is None or not number_desc.national_number_pattern:
            return None
        return frozenset(number_desc.possible_length), re.compile(
            number_desc.national_number_pattern
        )

    kinds = [metadata.fixed_line, metadata.premium_rate, metadata.toll_free,
             metadata.shared_cost, metadata.voip, metadata.personal_number, metadata.pager,
             metadata.uan, metadata.voicemail]  # fmt: skip
    if not metadata.same_mobile_and_fixed_line_pattern:
        # Where the two are the same the library does not try the mobile one on its own.
        kinds.insert(0, metadata.mobile)
    return desc(metadata.general_desc), tuple(desc(kind) for kind in kinds)


def _phone_by_library(raw: str, text: str) -> str:
    """`normalize_phone` by phonenumbers alone (``text`` is ``raw`` cleaned up)."""
    if text.casefold().startswith("tel:"):
        text = text[4:]
    if not _decimal_digits(text):
        raise InvalidValue(
            f"{_quote(raw)} bukan nomor telepon; mohon tuliskan seperti {_PHONE_EXAMPLE}.",
            f"{_quote(raw)} is not a phone number; please write it like {_PHONE_EXAMPLE_EN}.",
        )
    import phonenumbers

    for candidate in _phone_candidates(text):
        number = _parse_valid(candidate)
        if number is not None:
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if len(_DIGIT_RUN.findall(text)) >= 2:
        raise InvalidValue(
            "mohon tuliskan satu nomor telepon saja.",
            "please write one phone number only.",
        )
    raise InvalidValue(
        f"{_quote(raw)} bukan nomor telepon yang valid; mohon periksa jumlah digitnya "
        f"dan tuliskan seperti {_PHONE_EXAMPLE}.",
        f"{_quote(raw)} is not a valid phone number; please check the number of digits "
        f"and write it like {_PHONE_EXAMPLE_EN}.",
    )


_NATIONAL_NUMBER = re.compile(r"[1-9][0-9]{1,16}")


def format_phone_national(e164: str) -> str:
    """Display form of a normalized number: "0812-3456-7890", "(0254) 123456".

    Numbers outside Indonesia keep their country code ("+65 6123 4567").
    """
    national = e164[3:]
    if e164.startswith("+62") and _NATIONAL_NUMBER.fullmatch(national):
        # What parsing an Indonesian E.164 number gives, without its cost (a phone log's
        # acknowledgements show thousands of them): 2 to 17 digits, the first not 0, which
        # are its national significant number; formatted as phonenumbers formats it.
        if _formats_by_shape():
            found = _national_format(national[:_LEADING_WIDTH], len(national))
        else:
            found = _format_for(national)
        if found is None:
            return national  # no format of the region fits: phonenumbers gives the digits
        pattern, rule = found
        return pattern.sub(rule, national)
    import phonenumbers

    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException as exc:
        raise InvalidValue(
            f"{_quote(e164)} bukan nomor telepon dalam format E.164.",
            f"{_quote(e164)} is not a phone number in E.164 format.",
        ) from exc
    if number.country_code == 62:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


# Which national format fits a number depends only on its first digits (those the leading
# digits' patterns can look at) and its length, as its digits are all digits: so it is
# looked for once per such shape (most of a phone log's numbers share a few of them).
_LEADING_WIDTH = 8


@functools.lru_cache(maxsize=4096)
def _national_format(leading_digits: str, length: int) -> tuple[re.Pattern[str], str] | None:
    """The pattern and rule that format a national number of ``length`` digits starting
    with ``leading_digits`` (its first `_LEADING_WIDTH`), as `format_phone_national` finds
    them; None when no format fits."""
    # Any digits stand for those past the leading ones: the patterns ask only for digits.
    return _format_for(leading_digits + "0" * (length - len(leading_digits)))


def _format_for(national: str) -> tuple[re.Pattern[str], str] | None:
    """The first of the region's formats that fits ``national``, as phonenumbers picks it."""
    for leading, pattern, rule in _national_formats():
        if (leading is None or leading.match(national)) and pattern.fullmatch(national):
            return pattern, rule
    return None


@functools.cache
def _formats_by_shape() -> bool:
    """Whether no leading digits' pattern looks past the first `_LEADING_WIDTH` digits, so
    that `_national_format` may pick a number's format by its shape."""
    return all(
        _widest_match(leading) <= _LEADING_WIDTH
        for leading, _, _ in _national_formats()
        if leading is not None
    )


@functools.cache
def _national_formats() -> tuple[tuple[re.Pattern[str] | None, re.Pattern[str], str], ...]:
    """Indonesia's national formats as phonenumbers applies them in ``format_number(...,
    NATIONAL)``, compiled once: in order, the last (most detailed) pattern of the leading
    digits, the number's pattern, and the format with the national prefix put in."""
    from phonenumbers import PhoneMetadata
    from phonenumbers.phonenumberutil import _FIRST_GROUP_PATTERN

    metadata = PhoneMetadata.metadata_for_region("ID")
    assert metadata is not None  # phonenumbers knows Indonesia
    formats = []
    for number_format in metadata.number_format:
        leading = number_format.leading_digits_pattern
        rule = str(number_format.format)
        if number_format.national_prefix_formatting_rule:
            rule = _FIRST_GROUP_PATTERN.sub(
                str(number_format.national_prefix_formatting_rule), rule, count=1
            )
        pattern = re.compile(str(number_format.pattern))
        formats.append((re.compile(leading[-1]) if leading else None, pattern, rule))
    return tuple(formats)


def _widest_match(pattern: re.Pattern[str]) -> int:
    """The most characters ``pattern`` can match."""
    # the width of a pattern, as the re module computes it
    import re._parser as parser  # type: ignore[import-not-found]

    return int(parser.parse(pattern.pattern).getwidth()[1])


# --- Alamat e-Mail --------------------------------------------------------------------------

_EMAIL_EXAMPLE = "nama@bantenprov.go.id"


def normalize_email(raw: str) -> str:
    """Alamat e-Mail → the normalized address (domain in lower case). Syntax only, offline.

    Accepts a "mailto:" prefix and surrounding angle brackets; refuses a display name
    ("Budi <budi@x.go.id>") so that exactly one address is meant.
    """
    text = _email_text(raw)
    if (fast := _plain_address(text)) is not None:
        return fast
    return _email_by_library(raw, text)


def _email_text(raw: str) -> str:
    """``raw`` cleaned up for the check, or the reason it is no address at all."""
    text = unicodedata.normalize("NFC", _drop_invisible(raw)).strip()
    text = text.rstrip(_TRAILING_PUNCTUATION + " ")
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1].strip()
    if text.casefold().startswith("mailto:"):
        text = text[len("mailto:") :].strip()
    if "<" in text or ">" in text:
        raise InvalidValue(
            f"mohon tuliskan alamat e-mail saja tanpa nama, misalnya {_EMAIL_EXAMPLE}.",
            f"please write the address only, without a name, e.g. {_EMAIL_EXAMPLE}.",
        )
    if "@" not in text:
        raise InvalidValue(
            f"{_quote(raw)} bukan alamat e-mail; mohon tuliskan seperti {_EMAIL_EXAMPLE}.",
            f"{_quote(raw)} is not an e-mail address; please write it like {_EMAIL_EXAMPLE}.",
        )
    return text


# An ASCII address whose local part is a dot-atom (RFC 5322 3.2.3), as email-validator's
# own first check reads it, and one @.
_ATEXT = r"a-zA-Z0-9_!#$%&'*+\-/=?^`{|}~"
_PLAIN_ADDRESS = re.compile(rf"([{_ATEXT}]+(?:\.[{_ATEXT}]+)*)@([a-zA-Z0-9.\-]+)")
_EMAIL_MAX_LENGTH = 254  # email_validator.rfc_constants.EMAIL_MAX_LENGTH, in UTF-8 bytes


def _plain_address(text: str) -> str | None:
    """What email-validator makes of a plain address (a dot-atom local part, an ASCII
    domain), with the domain checked by email-validator once per domain (a phone log's
    addresses share a few); None for anything else, or anything it would refuse, which
    `_email_by_library` decides with the reason. tests/unit/test_normalize.py holds the
    two equal."""
    match = _PLAIN_ADDRESS.fullmatch(text)
    if match is None:
        return None
    local, domain = match.groups()
    domains = _valid_domain(domain)
    if domains is None:
        return None
    from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES

    if local.lower() in CASE_INSENSITIVE_MAILBOX_NAMES:
        local = local.lower()
    shown, ascii_domain = domains
    normalized = f"{local}@{shown}"
    # The lengths email-validator checks: as written, normalized, and with the domain in
    # its ASCII form.
    for address in (text, normalized, f"{local}@{ascii_domain}"):
        if len(address.encode()) > _EMAIL_MAX_LENGTH:
            return None
    return normalized


@functools.lru_cache(maxsize=1024)
def _valid_domain(domain: str) -> tuple[str, str] | None:
    """The domain as email-validator normalizes it, and its ASCII form; None when it
    refuses it (the address's local part plays no part in that check)."""
    from email_validator import EmailNotValidError, validate_email

    try:
        result = validate_email(f"a@{domain}", check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        return None
    return result.domain, result.ascii_domain


def _email_by_library(raw: str, text: str) -> str:
    """`normalize_email` by email-validator alone (``text`` is ``raw`` cleaned up)."""
    from email_validator import EmailNotValidError, validate_email

    try:
        # Never a DNS look-up: the check must work offline and must not leak anything.
        # Only addresses every mail server takes: the help desk must be able to answer.
        result = validate_email(text, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise InvalidValue(
            f"penulisan alamat e-mail {_quote(raw)} tidak benar; mohon periksa kembali "
            f"(contoh: {_EMAIL_EXAMPLE}).",
            f"the e-mail address {_quote(raw)} is malformed: {exc}",
        ) from exc
    return result.normalized


# --- Free text and names --------------------------------------------------------------------

_HORIZONTAL_SPACE = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def normalize_text(raw: str) -> str:
    """Free text: strip, collapse runs of spaces and tabs within a line, keep line breaks
    (at most one blank line in a row), drop control characters."""
    if raw.isascii() and raw.isprintable() and "  " not in raw:
        # One line whose only spaces are single: nothing to normalize, collapse or drop.
        return raw.strip()
    return _text_by_rules(raw)


def _text_by_rules(raw: str) -> str:
    text = unicodedata.normalize("NFC", raw).replace("\r\n", "\n").replace("\r", "\n")
    text = _drop_invisible(text)
    lines = [_HORIZONTAL_SPACE.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def _single_line(raw: str) -> str:
    # A name may end in an academic title ("Budi, S.Kom."), so a final dot is kept; other
    # trailing punctuation is dropped.
    return " ".join(normalize_text(raw).split()).rstrip(",;: ")


def normalize_line(raw: str) -> str:
    """Short single-line text (Bidang/UPT/Balai, Jabatan): whitespace collapsed, at least
    2 letters."""
    text = _single_line(raw)
    if _count_letters(text) < 2:
        raise InvalidValue(
            "isian minimal berisi 2 huruf.",
            "the entry must contain at least 2 letters.",
        )
    return text


_PHONE_LIKE = re.compile(r"\d[\d\s().+\-]{5,}\d")


def normalize_name(raw: str) -> str:
    """Nama Pelapor: one line, whitespace collapsed, at least 2 letters, not an e-mail
    address or a phone number (a sign that the values were put in the wrong fields)."""
    text = _single_line(raw)
    if "@" in text:
        raise InvalidValue(
            "isian ini tampaknya alamat e-mail; mohon tuliskan nama lengkap.",
            "this looks like an e-mail address; please write the full name.",
        )
    if _PHONE_LIKE.search(text):
        raise InvalidValue(
            "isian ini tampaknya nomor telepon; mohon tuliskan nama lengkap.",
            "this looks like a phone number; please write the full name.",
        )
    if _count_letters(text) < 2:
        raise InvalidValue(
            "nama minimal berisi 2 huruf.",
            "the name must contain at least 2 letters.",
        )
    return text


DESCRIPTION_MIN_CHARS = 10


def normalize_description(raw: str) -> str:
    """Isi Aduan: multi-line text with at least 10 characters that are not spaces."""
    text = normalize_text(raw)
    if len("".join(text.split())) < DESCRIPTION_MIN_CHARS:  # characters that are not spaces
        raise InvalidValue(
            f"terlalu singkat; mohon jelaskan permasalahannya "
            f"(minimal {DESCRIPTION_MIN_CHARS} karakter).",
            f"too short; please describe the problem "
            f"(at least {DESCRIPTION_MIN_CHARS} characters).",
        )
    return text


# --- Nama OPD -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Agency:
    """A regional agency (OPD) from the configuration, with the other names people use."""

    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class AgencyMatch:
    """What a Nama OPD is, against the register of agencies."""

    name: str
    """What is stored: the register's name, or the name as written when it is not known."""
    registered: bool
    """False for a name the register does not know: kept, and flagged for the help desk."""
    suggestions: tuple[str, ...] = ()
    """Registered names close to an unknown one, for the officer to check."""


_MAX_SUGGESTIONS = 3


@functools.lru_cache(maxsize=8)
def _agency_index(
    agencies: tuple[Agency, ...],
) -> tuple[dict[str, list[str]], dict[str, str]]:
    """The configured names by compact key (several when an alias is shared) and by words;
    built once per list of agencies, not once per value."""
    names_by_key: dict[str, list[str]] = {}
    names_by_words: dict[str, str] = {}
    for agency in agencies:
        for spelling in (agency.name, *agency.aliases):
            found = names_by_key.setdefault(_compact(spelling), [])
            if agency.name not in found:
                found.append(agency.name)
            names_by_words.setdefault(_words(spelling), agency.name)
    return names_by_key, names_by_words


def _typos_allowed(key: str) -> int:
    """How many slips of the keyboard a name of this length may carry and still be known:
    none in a short name or abbreviation ("BKD" and "BPKD" are different agencies)."""
    if len(key) >= 20:
        return 2
    return 1 if len(key) >= 10 else 0


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance with adjacent transpositions, or ``limit + 1`` once it exceeds
    ``limit`` (the rows are cut off early: most names are far apart)."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] | None = None
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost)
            if previous2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], previous2[j - 2] + 1)
        if min(row) > limit:
            return limit + 1
        previous2, previous = previous, row
    return previous[-1]


def _misspelt(key: str, names_by_key: Mapping[str, list[str]]) -> str | None:
    """The one registered agency that ``key`` is a slip away from, if exactly one is."""
    allowed = _typos_allowed(key)
    if not allowed:
        return None
    near: set[str] = set()
    for spelling, names in names_by_key.items():
        if _typos_allowed(spelling) and _edit_distance(key, spelling, allowed + 1) <= allowed + 1:
            near.update(names)
    if len(near) != 1:
        return None  # nothing close, or two agencies close enough to be confused
    [name] = near
    closest = min(
        _edit_distance(key, spelling, allowed + 1)
        for spelling, names in names_by_key.items()
        if name in names
    )
    return name if closest <= allowed else None


# "Dinas Sosial Provinsi Banten", "Biro Umum Setda Prov. Banten": the province and the
# Sekretariat Daerah that a name is written with, which the register leaves out.
_REGION = re.compile(r"\s+(?:pemerintah\s+)?(?:provinsi|prov|pemprov)(?:\s+\w+){1,2}$")
_OF_SETDA = re.compile(r"^(biro\s.+?)\s+(?:setda|sekretariat\s+daerah)$")


def _without_qualifiers(words: str) -> str:
    words = _REGION.sub("", words)
    return _OF_SETDA.sub(r"\1", words)


@functools.lru_cache(maxsize=4096)
def _match_agency(line: str, agencies: tuple[Agency, ...]) -> AgencyMatch:
    names_by_key, names_by_words = _agency_index(agencies)
    key = _compact(line)
    matches = names_by_key.get(key, [])
    if not matches:
        key = _compact(_without_qualifiers(_words(line))) or key
        matches = names_by_key.get(key, [])
    if len(matches) == 1:
        return AgencyMatch(matches[0], registered=True)
    if len(matches) > 1:  # the same alias configured for two agencies: flag, never guess
        return AgencyMatch(line, registered=False, suggestions=tuple(matches))
    if (name := _misspelt(key, names_by_key)) is not None:
        return AgencyMatch(name, registered=True)
    close = difflib.get_close_matches(_words(line), list(names_by_words), n=10, cutoff=0.6)
    suggestions: list[str] = []
    for words in close:
        name = names_by_words[words]
        if name not in suggestions:
            suggestions.append(name)
    return AgencyMatch(line, registered=False, suggestions=tuple(suggestions[:_MAX_SUGGESTIONS]))


def match_agency(raw: str, agencies: Sequence[Agency]) -> AgencyMatch:
    """Nama OPD against the register: the registered name it means (by name, alias, or a
    slip of the keyboard in a long name), or the name as written, flagged, with close
    registered names to suggest. Matching ignores case, punctuation and spacing.

    The SOP refuses an incomplete report, not an agency missing from our list: only a value
    without 2 letters is refused. With no agencies configured every name is taken as
    registered.
    """
    if not agencies:
        return AgencyMatch(normalize_line(raw), registered=True)
    line = _single_line(raw)
    found = _match_agency(line, tuple(agencies))
    if not found.registered:
        normalize_line(line)  # a name the register lacks needs 2 letters to name anything
    return found


def normalize_agency(raw: str, agencies: Sequence[Agency]) -> str:
    """Nama OPD → the registered name it means, or the name as written (`match_agency`)."""
    return match_agency(raw, agencies).name
