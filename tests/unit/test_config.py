"""Loading and validating config.toml: where it is found, what it holds, what it refuses.

Each invalid case is the shipped config.toml with one edit, written to tmp_path, so a
problem line comes from exactly that edit.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from helpdesk.config import ENV_VAR, Config, ConfigError, find_config, load_config
from ticketing.directory import Role
from ticketing.normalize import CATEGORIES

SHIPPED = Path(__file__).resolve().parents[2] / "config.toml"
SHIPPED_TEXT = SHIPPED.read_text(encoding="utf-8")


def write_config(
    folder: Path, *edits: tuple[str, str], prepend: str = "", name: str = "config.toml"
) -> Path:
    """The shipped config with each ``(old, new)`` replaced; ``old`` must occur once."""
    text = SHIPPED_TEXT
    for old, new in edits:
        assert text.count(old) == 1, f"edit target not unique: {old!r}"
        text = text.replace(old, new)
    path = folder / name
    path.write_text(prepend + text, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    """The problem lines of loading ``path``, which must fail."""
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.path == path
    return caught.value.problems


def only_problem(path: Path) -> str:
    problems = problems_of(path)
    assert len(problems) == 1, problems
    return problems[0]


@pytest.fixture
def shipped(tmp_path: Path) -> Config:
    """The shipped config.toml, copied into tmp_path and loaded."""
    return load_config(write_config(tmp_path))


# --- the shipped file -------------------------------------------------------------


def test_shipped_config_loads_as_is(shipped: Config) -> None:
    """The documented default config.toml is valid without any edit."""
    assert shipped.office.language == "id"
    assert shipped.calendar.timezone == "Asia/Jakarta"


def test_shipped_config_has_three_units(shipped: Config) -> None:
    """The default defines the units jaringan, komputer and aplikasi."""
    assert [u.key for u in shipped.units] == ["jaringan", "komputer", "aplikasi"]


def test_shipped_units_each_have_a_head_and_technicians(shipped: Config) -> None:
    """Every unit has a head who is a unit_head of it and at least one technician."""
    directory = shipped.directory()
    for key, unit in directory.units.items():
        head = directory.staff[unit.head]
        assert (head.role, head.unit) == (Role.UNIT_HEAD, key)
        assert unit.technicians, key
        assert all(directory.staff[t].unit == key for t in unit.technicians)


def test_shipped_config_has_help_desk_official_and_head_of_office(shipped: Config) -> None:
    """The default names at least one help-desk officer, an official and a head of office."""
    roles = [s.role for s in shipped.staff]
    assert roles.count(Role.HELP_DESK) >= 1
    assert Role.OFFICIAL in roles
    assert Role.HEAD_OF_OFFICE in roles


def test_shipped_routing_covers_all_seven_complaint_types(shipped: Config) -> None:
    """Each of the 7 complaint types is routed to one of the defined units."""
    assert len(CATEGORIES) == 7
    assert set(shipped.routing) == set(CATEGORIES)
    assert set(shipped.routing.values()) <= {u.key for u in shipped.units}


# Perangkat Daerah of Provinsi Banten as their own staff write them, named and abbreviated.
BANTEN_OPD = [
    ("Dinas Perpustakaan dan Kearsipan", "Dinas Perpustakaan dan Kearsipan"),
    ("Biro Umum Setda", "Biro Umum"),
    ("Biro Administrasi Pimpinan", "Biro Administrasi Pimpinan"),
    ("Biro Adpim", "Biro Administrasi Pimpinan"),
    ("Biro PBJ", "Biro Pengadaan Barang dan Jasa"),
    ("Sekretariat DPRD Provinsi Banten", "Sekretariat DPRD"),
    ("Setwan", "Sekretariat DPRD"),
    ("Inspektorat Daerah", "Inspektorat"),
    ("Satpol PP", "Satuan Polisi Pamong Praja"),
    ("RSUD Banten", "Rumah Sakit Umum Daerah Banten"),
    ("RSUD Malingping", "Rumah Sakit Umum Daerah Malingping"),
    ("Disnakertrans", "Dinas Tenaga Kerja dan Transmigrasi"),
    ("DP3AKKB", "Dinas Pemberdayaan Perempuan, Perlindungan Anak, Kependudukan dan "
     "Keluarga Berencana"),
    ("Dispora", "Dinas Kepemudaan dan Olahraga"),
    ("Dinas ESDM", "Dinas Energi dan Sumber Daya Mineral"),
    ("BPSDMD", "Badan Pengembangan Sumber Daya Manusia Daerah"),
    ("Kesbangpol", "Badan Kesatuan Bangsa dan Politik"),
    ("Bapenda", "Badan Pendapatan Daerah"),
    ("Diskominfo SP", "Dinas Komunikasi, Informatika, Statistik dan Persandian"),
]  # fmt: skip


@pytest.mark.parametrize(("written", "registered"), BANTEN_OPD)
def test_shipped_register_knows_banten_agencies(
    shipped: Config, written: str, registered: str
) -> None:
    """The shipped register knows the province's Perangkat Daerah, written out or short."""
    assert shipped.formulir_fields()[0].normalize(written) == registered
    assert shipped.stored_agency(registered).registered


def test_shipped_register_lists_the_province_agencies(shipped: Config) -> None:
    """The register has every kind of Perangkat Daerah, about forty of them in all."""
    names = [a.name for a in shipped.agencies]
    assert len(names) >= 40 and len(set(names)) == len(names)
    for kind in ("Sekretariat", "Biro", "Inspektorat", "Dinas", "Badan", "Rumah Sakit", "Satuan"):
        assert any(name.startswith(kind) for name in names), kind


def test_stored_agency_outside_the_register_is_flagged(shipped: Config) -> None:
    """A Nama OPD kept as written is flagged, with the register's close name suggested."""
    found = shipped.stored_agency("Dinas Perpustakaan Daerah")
    assert found.registered is False
    assert "Dinas Perpustakaan dan Kearsipan" in found.suggestions


def test_sqlite_url_resolves_under_the_config_folder(tmp_path: Path) -> None:
    """A relative SQLite path is made absolute, relative to the config file's folder."""
    config = load_config(write_config(tmp_path))
    expected = tmp_path.resolve() / "var" / "helpdesk.db"
    assert config.database_url == f"sqlite:///{expected}"
    assert config.sqlite_path == expected
    assert config.sqlite_path.is_absolute()


def test_sqlite_url_is_relative_to_the_file_not_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loading from another working directory still resolves the database beside the file."""
    site = tmp_path / "site"
    site.mkdir()
    write_config(site)
    monkeypatch.chdir(tmp_path)
    config = load_config(Path("site") / "config.toml")
    assert config.sqlite_path == site.resolve() / "var" / "helpdesk.db"


def test_relative_paths_are_relative_to_the_config_folder(shipped: Config) -> None:
    """paths.* and phone_drop.dir are resolved against the config file's folder."""
    assert shipped.path(shipped.paths.archive_dir) == shipped.base_dir / "var" / "archive"
    assert shipped.path(shipped.phone_drop.dir) == shipped.base_dir / "var" / "phone-drop"
    assert shipped.base_dir.is_absolute()


# --- finding the file -------------------------------------------------------------


def test_find_prefers_explicit_path_over_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--config PATH wins over HELPDESK_CONFIG and ./config.toml."""
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "from-env.toml"))
    monkeypatch.chdir(tmp_path)
    assert find_config(tmp_path / "explicit.toml") == tmp_path / "explicit.toml"


def test_find_uses_env_when_no_explicit_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --config, HELPDESK_CONFIG wins over ./config.toml."""
    write_config(tmp_path)
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "from-env.toml"))
    monkeypatch.chdir(tmp_path)
    assert find_config(None) == tmp_path / "from-env.toml"


def test_find_falls_back_to_config_toml_in_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With neither --config nor HELPDESK_CONFIG, ./config.toml is used."""
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.chdir(tmp_path)
    assert find_config(None) == Path.cwd() / "config.toml"


# --- files that cannot be read ----------------------------------------------------


def test_missing_file_is_one_clear_line(tmp_path: Path) -> None:
    """A missing file gives one line saying how to point at a configuration."""
    path = tmp_path / "absent.toml"
    line = only_problem(path)
    assert line.startswith("no configuration file")
    assert "--config" in line and ENV_VAR in line


def test_error_message_starts_with_the_file_path(tmp_path: Path) -> None:
    """The exception text prefixes each problem with the file it came from."""
    path = tmp_path / "absent.toml"
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == f"{path}: {caught.value.problems[0]}"


def test_invalid_toml_is_one_line_with_the_position(tmp_path: Path) -> None:
    """Broken TOML gives one line saying so, with the line and column."""
    path = tmp_path / "config.toml"
    path.write_text("[smtp\nport = 25\n", encoding="utf-8")
    line = only_problem(path)
    assert line.startswith("not valid TOML:")
    assert "line 1" in line
    assert "\n" not in line


def test_non_utf8_file_is_one_line(tmp_path: Path) -> None:
    """A file that is not UTF-8 gives exactly the line 'not UTF-8 text'."""
    path = tmp_path / "config.toml"
    path.write_bytes(b'[office]\nname = "Dinas \xff\xfe"\n')
    assert problems_of(path) == ["not UTF-8 text"]


# --- unknown keys -----------------------------------------------------------------


def test_unknown_top_level_key(tmp_path: Path) -> None:
    """A top-level key the program does not know is named as unknown."""
    path = write_config(tmp_path, prepend='colour = "blue"\n')
    assert problems_of(path) == ["colour: unknown key"]


def test_unknown_nested_key(tmp_path: Path) -> None:
    """A misspelt key inside a table is named with its table."""
    path = write_config(tmp_path, ("[smtp]", "[smtp]\nprot = 25"))
    assert problems_of(path) == ["smtp.prot: unknown key"]


def test_internal_field_names_are_unknown_keys_in_the_file(tmp_path: Path) -> None:
    """base_dir written in the file is refused as an unknown key, not silently ignored."""
    path = write_config(tmp_path, prepend='base_dir = "/etc"\n')
    assert problems_of(path) == ["base_dir: unknown key"]


# --- wrong types and values -------------------------------------------------------


def test_port_of_wrong_type(tmp_path: Path) -> None:
    """A non-numeric port names smtp.port, says integer and shows the value."""
    line = only_problem(write_config(tmp_path, ("port = 587", 'port = "abc"')))
    assert line.startswith("smtp.port:")
    assert "integer" in line
    assert line.endswith("got 'abc'")


def test_port_given_as_string_is_refused(tmp_path: Path) -> None:
    """A port written as a TOML string is a wrong type, even when it holds digits."""
    line = only_problem(write_config(tmp_path, ("port = 587", 'port = "587"')))
    assert line.startswith("smtp.port:")
    assert "integer" in line


def test_port_out_of_range(tmp_path: Path) -> None:
    """A port above 65535 names smtp.port and the limit."""
    line = only_problem(write_config(tmp_path, ("port = 587", "port = 70000")))
    assert line.startswith("smtp.port:")
    assert "65535" in line
    assert line.endswith("got 70000")


def test_port_zero_is_out_of_range(tmp_path: Path) -> None:
    """A port of 0 names mailbox.port and the lower limit."""
    line = only_problem(write_config(tmp_path, ("port = 993", "port = 0")))
    assert line.startswith("mailbox.port:")
    assert "greater than or equal to 1" in line


def test_bad_security_value(tmp_path: Path) -> None:
    """An unknown security mode names smtp.security and lists the allowed values."""
    edit = ('security = "starttls"', 'security = "tls"')
    line = only_problem(write_config(tmp_path, edit))
    assert line.startswith("smtp.security:")
    assert all(mode in line for mode in ("'ssl'", "'starttls'", "'none'"))
    assert line.endswith("got 'tls'")


def test_bad_time_zone(tmp_path: Path) -> None:
    """An unknown time zone names calendar.timezone and gives an example."""
    edit = ('timezone = "Asia/Jakarta"', 'timezone = "Mars/Base"')
    line = only_problem(write_config(tmp_path, edit))
    assert line.startswith("calendar.timezone:")
    assert "'Mars/Base'" in line
    assert "Asia/Jakarta" in line


def test_working_hours_ending_before_start(tmp_path: Path) -> None:
    """Hours '16:00-07:30' are refused under calendar.hours: the end must follow the start."""
    edit = ('mon = "07:30-16:00"', 'mon = "16:00-07:30"')
    line = only_problem(write_config(tmp_path, edit))
    assert line.startswith("calendar.hours")
    assert "'16:00-07:30'" in line
    assert "end must be after the start" in line


def test_working_hours_without_minutes(tmp_path: Path) -> None:
    """Hours '7-16' are refused under calendar.hours with the expected HH:MM-HH:MM form."""
    edit = ('mon = "07:30-16:00"', 'mon = "7-16"')
    line = only_problem(write_config(tmp_path, edit))
    assert line.startswith("calendar.hours")
    assert "HH:MM-HH:MM" in line
    assert "'7-16'" in line


def test_bad_working_hours_name_the_day(tmp_path: Path) -> None:
    """A bad hours value is reported under its own key, calendar.hours.mon."""
    edit = ('mon = "07:30-16:00"', 'mon = "7-16"')
    line = only_problem(write_config(tmp_path, edit))
    assert line.startswith("calendar.hours.mon:")


def test_unknown_weekday(tmp_path: Path) -> None:
    """A day name that is not mon..sun is named and the valid days are listed."""
    edit = ("[calendar.hours]\n", '[calendar.hours]\nsen = "07:30-16:00"\n')
    line = only_problem(write_config(tmp_path, edit))
    assert line.startswith("calendar.hours: unknown key 'sen'")
    assert "'mon', 'tue', 'wed', 'thu', 'fri', 'sat' or 'sun'" in line


def test_bad_step_time(tmp_path: Path) -> None:
    """A step time '2x' names sop.<step> and the units that are understood."""
    edit = ('resolution = "1d"', 'resolution = "2x"')
    line = only_problem(write_config(tmp_path, edit))
    assert line.startswith("sop.resolution:")
    assert "'2x'" in line
    assert "unknown unit 'x'" in line


def test_numbering_format_without_seq(tmp_path: Path) -> None:
    """A number format lacking {seq} names numbering.format and what it must contain."""
    edit = ('format = "TIK-{year}-{seq:05d}"', 'format = "TIK-{year}"')
    line = only_problem(write_config(tmp_path, edit))
    assert line.startswith("numbering.format:")
    assert "{seq}" in line


# --- routing, units and staff -----------------------------------------------------


def test_routing_to_unknown_unit(tmp_path: Path) -> None:
    """A complaint type routed to an undefined unit names routing.<type> and the unit."""
    edit = ('"Jaringan" = "jaringan"', '"Jaringan" = "netwerk"')
    line = only_problem(write_config(tmp_path, edit))
    assert line == "routing.Jaringan: unknown unit 'netwerk'"


def test_routing_unknown_complaint_type(tmp_path: Path) -> None:
    """An unknown complaint type in routing is named and the 7 types are listed."""
    edit = ("[routing]\n", '[routing]\n"Kopi" = "komputer"\n')
    line = only_problem(write_config(tmp_path, edit))
    assert line.startswith("routing:")
    assert "unknown complaint type 'Kopi'" in line
    assert all(category in line for category in CATEGORIES)


def test_routing_missing_a_complaint_type(tmp_path: Path) -> None:
    """Leaving a complaint type out of routing names the type without a unit."""
    edit = ('"Website" = "aplikasi"\n', "")
    assert problems_of(write_config(tmp_path, edit)) == ["routing: no unit for Website"]


def test_unit_without_head(tmp_path: Path) -> None:
    """A unit whose head is gone is named with the count of heads found."""
    edit = (
        'email = "rudi.hartono@example.go.id"\nrole = "unit_head"',
        'email = "rudi.hartono@example.go.id"\nrole = "technician"',
    )
    line = only_problem(write_config(tmp_path, edit))
    assert line == "units.jaringan: expected exactly one unit_head, found 0"


def test_unit_with_two_heads(tmp_path: Path) -> None:
    """A unit with two unit_heads is named with the count of heads found."""
    edit = (
        'email = "agus.setiawan@example.go.id"\nrole = "technician"',
        'email = "agus.setiawan@example.go.id"\nrole = "unit_head"',
    )
    line = only_problem(write_config(tmp_path, edit))
    assert line == "units.jaringan: expected exactly one unit_head, found 2"


def test_technician_without_unit(tmp_path: Path) -> None:
    """A technician with no unit names staff.<id>.unit and lists the units."""
    edit = (
        'email = "agus.setiawan@example.go.id"\nrole = "technician"\nunit = "jaringan"\n',
        'email = "agus.setiawan@example.go.id"\nrole = "technician"\n',
    )
    line = only_problem(write_config(tmp_path, edit))
    assert line.startswith("staff.agus.unit:")
    assert "technician needs one of the units (jaringan, komputer, aplikasi)" in line


def test_help_desk_officer_with_unit(tmp_path: Path) -> None:
    """A role outside the units (help_desk) given a unit names staff.<id>.unit."""
    edit = (
        'email = "sari.wulandari@example.go.id"\nrole = "help_desk"\n',
        'email = "sari.wulandari@example.go.id"\nrole = "help_desk"\nunit = "jaringan"\n',
    )
    assert problems_of(write_config(tmp_path, edit)) == ["staff.sari.unit: a help_desk has no unit"]


def test_duplicate_staff_ids(tmp_path: Path) -> None:
    """Two staff with the same id are refused, naming the id."""
    line = only_problem(write_config(tmp_path, ('id = "dewi"', 'id = "agus"')))
    assert line == "staff: id used twice: agus"


def test_invalid_staff_email(tmp_path: Path) -> None:
    """A staff e-mail without '@' names staff.<id>.email and the value."""
    edit = ('email = "sari.wulandari@example.go.id"', 'email = "sari-at-example"')
    line = only_problem(write_config(tmp_path, edit))
    assert line == "staff.sari.email: expected an e-mail address, got 'sari-at-example'"


def test_shipped_staff_each_have_a_sapaan(shipped: Config) -> None:
    """Every shipped staff entry says how colleagues address them; the head of office is Ibu."""
    directory = shipped.directory()
    assert all(s.sapaan in ("Bapak", "Ibu") for s in directory.staff.values())
    assert directory.staff["kadis"].sapaan == "Ibu" and directory.staff["rudi"].sapaan == "Bapak"


def test_invalid_staff_sapaan(tmp_path: Path) -> None:
    """A sapaan other than Bapak or Ibu names staff.<id>.sapaan and the value."""
    edit = (
        'title = "Petugas Help Desk"\nsapaan = "Ibu"',
        'title = "Petugas Help Desk"\nsapaan = "Bu"',
    )
    line = only_problem(write_config(tmp_path, edit))
    assert line == "staff.sari.sapaan: expected Bapak or Ibu, got 'Bu'"


def test_a_staff_entry_without_sapaan_has_none(tmp_path: Path) -> None:
    """The sapaan may be left out: that colleague is addressed by name and title."""
    edit = ('title = "Petugas Help Desk"\nsapaan = "Ibu"\n', 'title = "Petugas Help Desk"\n')
    assert load_config(write_config(tmp_path, edit)).directory().staff["sari"].sapaan is None


def test_invalid_staff_role_names_the_staff_id(tmp_path: Path) -> None:
    """An unknown role names staff.<id>.role and lists the five roles."""
    edit = (
        'email = "sari.wulandari@example.go.id"\nrole = "help_desk"',
        'email = "sari.wulandari@example.go.id"\nrole = "boss"',
    )
    line = only_problem(write_config(tmp_path, edit))
    assert line.startswith("staff.sari.role:")
    assert all(f"'{role.value}'" in line for role in Role)
    assert line.endswith("got 'boss'")


def test_invalid_staff_role_without_id_names_the_index(tmp_path: Path) -> None:
    """When the entry has no id, the role problem is named by its index, staff[0].role."""
    edit = (
        'id = "sari"\nname = "Sari Wulandari"\nemail = "sari.wulandari@example.go.id"\n'
        'role = "help_desk"',
        'name = "Sari Wulandari"\nemail = "sari.wulandari@example.go.id"\nrole = "boss"',
    )
    problems = problems_of(write_config(tmp_path, edit))
    assert "staff[0].id: required key is missing" in problems
    assert any(p.startswith("staff[0].role:") and "got 'boss'" in p for p in problems)
    assert len(problems) == 2


# --- secrets ----------------------------------------------------------------------


def test_password_and_password_env_together_are_refused(tmp_path: Path) -> None:
    """Setting both password and password_env names the section and says not both."""
    edit = (
        'password_env = "HELPDESK_SMTP_PASSWORD"',
        'password_env = "HELPDESK_SMTP_PASSWORD"\npassword = "rahasia"',
    )
    line = only_problem(write_config(tmp_path, edit))
    assert line == "smtp: set password_env or password, not both"


def test_password_alone_is_accepted(tmp_path: Path) -> None:
    """A section with only password (no password_env line) loads and uses that password."""
    edit = ('password_env = "HELPDESK_SMTP_PASSWORD"', 'password = "rahasia"')
    config = load_config(write_config(tmp_path, edit))
    assert config.smtp.resolve_password() == "rahasia"


def test_resolve_password_reads_the_named_env_var(
    shipped: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """resolve_password() returns the value of the variable named by password_env."""
    monkeypatch.setenv("HELPDESK_SMTP_PASSWORD", "s3cret")
    assert shipped.smtp.resolve_password() == "s3cret"


def test_resolve_password_is_none_when_env_var_unset(
    shipped: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the named variable unset, resolve_password() returns None (no secret needed)."""
    monkeypatch.delenv("HELPDESK_MAILBOX_PASSWORD", raising=False)
    assert shipped.mailbox.resolve_password() is None


# --- several problems -------------------------------------------------------------


def test_several_problems_are_all_reported(tmp_path: Path) -> None:
    """Three wrong values give three lines, one naming each key."""
    path = write_config(
        tmp_path,
        ("port = 587", 'port = "abc"'),
        ('security = "ssl"', 'security = "tls"'),
        ('resolution = "1d"', 'resolution = "2x"'),
    )
    problems = problems_of(path)
    assert sorted(p.split(":")[0] for p in problems) == [
        "mailbox.security",
        "smtp.port",
        "sop.resolution",
    ]


def test_several_cross_key_problems_are_all_reported(tmp_path: Path) -> None:
    """A duplicate id and a routing to an unknown unit are both reported."""
    path = write_config(
        tmp_path,
        ('id = "dewi"', 'id = "agus"'),
        ('"Jaringan" = "jaringan"', '"Jaringan" = "netwerk"'),
    )
    assert sorted(problems_of(path)) == [
        "routing.Jaringan: unknown unit 'netwerk'",
        "staff: id used twice: agus",
    ]


def test_type_and_cross_key_problems_are_reported_together(tmp_path: Path) -> None:
    """A wrong port and a routing to an unknown unit are reported in the same run."""
    path = write_config(
        tmp_path,
        ("port = 587", 'port = "abc"'),
        ('"Jaringan" = "jaringan"', '"Jaringan" = "netwerk"'),
    )
    keys = sorted(p.split(":")[0] for p in problems_of(path))
    assert keys == ["routing.Jaringan", "smtp.port"]


# --- frozen -----------------------------------------------------------------------


def test_config_cannot_be_reassigned(shipped: Config) -> None:
    """Assigning a top-level attribute of the loaded config raises."""
    with pytest.raises(ValidationError, match="frozen"):
        shipped.routing = {}


def test_config_sections_cannot_be_reassigned(shipped: Config) -> None:
    """Assigning a field of a section raises."""
    with pytest.raises(ValidationError, match="frozen"):
        shipped.smtp.port = 25


def test_routing_cannot_be_changed_in_place(shipped: Config) -> None:
    """The routing table of the loaded config refuses item assignment."""
    with pytest.raises(TypeError):
        shipped.routing["Jaringan"] = "komputer"  # type: ignore[index]
