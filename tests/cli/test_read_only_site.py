"""A site on a read-only medium (an auditor's copy): what only reads works, what would
write says so in one line.

The medium is really read-only: as root a read-only bind mount, else no write permission
(tests/filesystems.py). Nothing is written to it, not even SQLite's -wal or -shm files.
"""

from __future__ import annotations

import gc
import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.conftest import Cli, form_args, one_line_error, process
from tests.filesystems import read_only

# A PostgreSQL server's storage is its own, not the site's folder: an auditor's copy is a
# SQLite file.
pytestmark = pytest.mark.sqlite_only("a copy of the SQLite file on a read-only medium")

NUMBER = "TIK-2026-00001"
DAY_AFTER = "2026-12-01T10:00:00+07:00"


def _files(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_size for p in sorted(folder.rglob("*"))}


@pytest.fixture
def audited(ready: Cli, site_dir: Path) -> Iterator[Cli]:
    """A site with one phone complaint, its database folder read-only for the test. It was
    closed cleanly before (as a copy of a stopped site is): no -wal or -shm file."""
    assert ready("phone", *form_args(), "--by", "sari").exit_code == 0
    gc.collect()  # the commands' database connections, run in this process, are closed
    var = site_dir / "var"
    assert not (var / "helpdesk.db-wal").exists() and not (var / "helpdesk.db-shm").exists()
    before = _files(var)
    with read_only(var):
        yield ready
    assert _files(var) == before


READS = {
    "ticket list": (["ticket", "list", "--json"], f'"number": "{NUMBER}"'),
    "ticket show": (["ticket", "show", NUMBER, "--json"], '"reporter_name": "Budi Santoso"'),
    "outbox list": (["outbox", "list", "--json"], '"kind": "reporter.acknowledged"'),
    "outbox show": (["outbox", "show", "1"], f"Subject: [{NUMBER}]"),
    "intake list": (["intake", "list"], "no messages"),
    "intake quarantine": (["intake", "quarantine"], "no messages"),
    "intake holds": (["intake", "holds"], "no sender is held"),
    "status": (["status", "--json", "--no-check-mailbox"], '"first_level": 1'),
    "report": (["report", "--month", "2026-11", "--format", "json"], '"received": 1,'),
    "print": (["print", "formulir", NUMBER, "--out", "{out}"], f"{NUMBER}-formulir.html"),
    "archive export": (["archive", "export", "--month", "2026-11", "--out", "{out}/a.zip"],
                       "2026-11: 1 complaint"),
}  # fmt: skip


@pytest.mark.parametrize("what", READS)
def test_read_commands_work_on_a_read_only_site(audited: Cli, tmp_path: Path, what: str) -> None:
    """Listing, showing, reporting, printing and exporting read the read-only database
    (opened read-only and immutable) and show its complaint."""
    args, shown = READS[what]
    out = tmp_path / "out"
    result = audited(*[a.replace("{out}", str(out)) for a in args], now=DAY_AFTER)
    assert result.exit_code == 0, result.output
    assert shown in result.stdout


WRITES = [
    ["phone", *form_args(), "--by", "sari"],
    ["ticket", "solve", NUMBER, "--by", "sari", "--solution", "Restart."],
    ["ticket", "note", NUMBER, "catatan", "--by", "sari"],
    ["outbox", "send"],
    ["outbox", "retry", "1"],
    ["init"],
]


@pytest.mark.parametrize("args", WRITES, ids=lambda args: " ".join(args[:2]))
def test_write_commands_on_a_read_only_site_are_one_line(audited: Cli, args: list[str]) -> None:
    """A command that would change the database says it cannot be written, and why."""
    line = one_line_error(audited(*args, now=DAY_AFTER))
    assert line.startswith("error: the database cannot be written (")
    assert "read-only file system" in line or "no permission to write" in line
    assert "commands that only read" in line


def test_the_daemon_on_a_read_only_site_is_one_line(audited: Cli, site_dir: Path) -> None:
    """`helpdesk run --once` (a real process) refuses the same way before any job runs."""
    done = process(site_dir, "run", "--once", now=DAY_AFTER)
    assert one_line_error(done).startswith("error: the database cannot be written (")


# --- a copy taken while the site was running: its changes still in the -wal file -------


@pytest.fixture
def running_copy(ready: Cli, site_dir: Path, tmp_path: Path) -> Iterator[Path]:
    """An auditor's copy of a running site's folder (config.toml, var/ with helpdesk.db and
    its -wal and -shm files), taken while the daemon held the database open, so that the
    complaint is still only in the -wal file."""
    gc.collect()  # `init`, run in this process, closed: its schema is in helpdesk.db itself
    daemon = sqlite3.connect(site_dir / "var" / "helpdesk.db")  # as `helpdesk run` does
    try:
        daemon.execute("SELECT count(*) FROM ticket").fetchall()
        assert ready("phone", *form_args(), "--by", "sari").exit_code == 0
        copy = tmp_path / "copy"
        shutil.copytree(site_dir, copy)
    finally:
        daemon.close()
    db = copy / "var" / "helpdesk.db"
    alone = sqlite3.connect(f"file:{db}?immutable=1", uri=True)  # the file, without its -wal
    assert alone.execute("SELECT count(*) FROM ticket").fetchone() == (0,)
    alone.close()
    yield copy


def test_copy_with_wal_and_shm_files_reads_the_latest(
    running_copy: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With its -wal and -shm files, a read-only copy shows what only the -wal file holds."""
    monkeypatch.setenv("HELPDESK_CONFIG", str(running_copy / "config.toml"))
    with read_only(running_copy / "var"):
        result = cli("ticket", "list", "--json", now=DAY_AFTER)
    assert result.exit_code == 0, result.output
    assert [t["number"] for t in json.loads(result.stdout)] == [NUMBER]


def test_copy_with_a_wal_file_but_no_shm_file_says_why_not(
    running_copy: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without its -shm file, SQLite cannot read the -wal file on a read-only medium: one
    line says so and how to read it, rather than a listing that silently lacks it."""
    (running_copy / "var" / "helpdesk.db-shm").unlink()
    monkeypatch.setenv("HELPDESK_CONFIG", str(running_copy / "config.toml"))
    with read_only(running_copy / "var"):
        line = one_line_error(cli("ticket", "list", "--json", now=DAY_AFTER))
    assert "helpdesk.db-wal holds changes not yet in helpdesk.db" in line
    assert "copy the folder to a writable place" in line
