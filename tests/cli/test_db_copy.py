"""`helpdesk db copy`: a SQLite site moved into an empty PostgreSQL database, checked, and
the copy giving the same report and archive, byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpdesk.testing.postgres import PostgresServer
from tests.cli.conftest import Cli, form_args, one_line_error
from tests.cli.test_archive import EXPORTED_AT, November, november  # noqa: F401 - fixture
from tests.conftest import PASSWORD_ENV, SiteDatabase, _set_section

# The original is a SQLite site whichever database the run is on; the copy is PostgreSQL.
pytestmark = pytest.mark.sqlite_only("the site moved is SQLite's; its copy is on PostgreSQL")


@pytest.fixture
def database() -> SiteDatabase:
    return SiteDatabase("sqlite", "sqlite:///var/helpdesk.db")


def _outputs(cli: Cli, folder: Path) -> dict[str, bytes]:
    """The month's report in every format and its archive bundle, as files' bytes."""
    folder.mkdir()
    for fmt, name in (("json", "laporan.json"), ("html", "laporan.html")):
        done = cli("report", "--month", "2026-11", "--format", fmt, "--out", str(folder / name),
                   now=EXPORTED_AT)  # fmt: skip
        assert done.exit_code == 0, done.output
    done = cli("report", "--month", "2026-11", now=EXPORTED_AT)
    assert done.exit_code == 0, done.output
    (folder / "laporan.txt").write_text(done.stdout)
    done = cli("archive", "export", "--month", "2026-11", "--out", str(folder / "arsip.zip"),
               now=EXPORTED_AT)  # fmt: skip
    assert done.exit_code == 0, done.output
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_a_sqlite_site_copied_into_postgresql_gives_the_same_records(
    november: November,  # noqa: F811
    ready: Cli,
    site_dir: Path,
    tmp_path: Path,
    postgres: PostgresServer,
) -> None:
    """Every row is copied and checked; on the copy the report and the archive are the
    original's byte for byte, and new complaints take the next numbers."""
    original = _outputs(ready, tmp_path / "original")
    url = postgres.create_database("copy_target")
    done = ready("db", "copy", "--to", url, "--password-env", PASSWORD_ENV)
    assert done.exit_code == 0, done.output
    assert "counts and checksums match the original" in done.stdout
    assert "  ticket: 5" in done.stdout and "  inbound: 2" in done.stdout

    again = one_line_error(ready("db", "copy", "--to", url, "--password-env", PASSWORD_ENV))
    assert "the target database is not empty" in again

    _set_section(site_dir, "database", f'url = "{url}"\npassword_env = "{PASSWORD_ENV}"')
    assert _outputs(ready, tmp_path / "copy") == original
    added = ready("phone", *form_args(), "--by", "sari", now="2026-12-01T10:00:00+07:00")
    assert "TIK-2026-00006" in added.stdout, added.output


def test_copy_with_a_password_in_the_url_or_an_unset_variable_is_one_line(
    ready: Cli, tmp_path: Path
) -> None:
    line = one_line_error(ready("db", "copy", "--to", "postgresql://u:geheim@127.0.0.1/x"))
    assert "password_env" in line and "geheim" not in line
    line = one_line_error(
        ready("db", "copy", "--to", "postgresql://u@127.0.0.1/x", "--password-env", "NOPE_X")
    )
    assert "NOPE_X is not set" in line
