"""What went wrong is one line and exit 1, never a traceback, and nothing is half done:
periods outside the calendar, a full disk, a read-only archive folder, a missing password.

The full disk is a real one: a small tmpfs filled to its last block (tests/filesystems.py).
"""

from __future__ import annotations

import gc
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpdesk.testing.smtp import Sink, smtp_server
from tests.cli.conftest import Cli, form_args, one_line_error, process
from tests.conftest import use_smtp
from tests.filesystems import fill, read_only, small_disk

OUTSIDE = "outside the dates this program can count (1900-01-01 to 9998-12-31)"


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["report", "--month", "9999-12"], "--month 9999-12"),
        (["report", "--month", "0001-01"], "--month 0001-01"),
        (["report", "--from", "9999-12-01", "--to", "9999-12-31"], "--from 9999-12-01"),
        (["report", "--from", "2026-12-01", "--to", "9999-12-31"], "--to 9999-12-31"),
        (["report", "--from", "0001-01-01", "--to", "0001-01-31"], "--from 0001-01-01"),
        (["report", "--month", "9999-12", "--format", "html"], "--month 9999-12"),
        (["archive", "export", "--month", "9999-12"], "--month 9999-12"),
        (["archive", "export", "--month", "0001-01"], "--month 0001-01"),
        (["archive", "export", "--from", "0001-01-01", "--to", "0001-01-02"], "--from 0001-01-01"),
        (["print", "laporan", "--closed-in", "9999-12"], "--closed-in 9999-12"),
        (["print", "laporan", "--closed-in", "0001-01"], "--closed-in 0001-01"),
    ],
)
def test_period_outside_the_calendar_is_one_line(
    ready: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], option: str
) -> None:
    """A month or day at the ends of the calendar (where the period's bounds cannot be
    computed) is refused by name, writing nothing."""
    monkeypatch.chdir(tmp_path)
    before = sorted(tmp_path.iterdir())
    line = one_line_error(ready(*args))
    assert line == f"error: {option}: {OUTSIDE}"
    assert sorted(tmp_path.iterdir()) == before


@pytest.mark.parametrize(
    "args",
    [
        ["report", "--month", "9998-12", "--format", "html", "--out", "r.html"],
        ["report", "--from", "1900-01-01", "--to", "1900-01-07", "--format", "json"],
        ["archive", "export", "--from", "9998-12-25", "--to", "9998-12-31"],
        ["print", "laporan", "--closed-in", "9998-12"],
    ],
)
def test_the_first_and_last_days_that_can_be_counted_work(
    ready: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    """The limits are where the program can count, not narrower: their last and first
    weeks are reported."""
    monkeypatch.chdir(tmp_path)
    assert ready("phone", *form_args(), "--by", "sari").exit_code == 0
    result = ready(*args)
    assert result.exit_code == 0, result.output


@pytest.fixture
def sink() -> Iterator[int]:
    with smtp_server(Sink()) as server:
        yield server.port


def test_run_once_without_the_mailbox_password_is_one_line(
    ready: Cli, site_dir: Path, sink: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the password variable unset, the mailbox job fails with the line `intake poll`
    gives, naming the variable, and no traceback; the other jobs run; exit 1."""
    monkeypatch.delenv("HELPDESK_MAILBOX_PASSWORD", raising=False)
    use_smtp(site_dir, sink)
    poll = one_line_error(ready("intake", "poll"))
    done = process(site_dir, "run", "--once", unset=("HELPDESK_MAILBOX_PASSWORD",))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    [failed] = [line for line in done.stderr.splitlines() if " ERROR " in line]
    reason = "127.0.0.1:993: no password set for helpdesk@example.go.id (the environment" \
             " variable HELPDESK_MAILBOX_PASSWORD is not set)"  # fmt: skip
    assert failed.endswith(f"job mailbox failed: {reason}")
    assert poll == f"error: mailbox: {reason}"
    jobs = {j["name"]: j for j in json.loads(ready("status", "--json").stdout)["jobs"]}
    assert jobs["mailbox"]["failing_since"] and jobs["outbox"]["failing_since"] is None


# --- a full disk ----------------------------------------------------------------------


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    """A real 4 MB file system, not yet full."""
    with small_disk(tmp_path / "disk") as where:
        yield where


@pytest.fixture
def site_on_disk(disk: Path, cli: Cli, site_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An initialised site whose configuration and database live on ``disk``."""
    moved = disk / "site"
    moved.mkdir()
    (moved / "config.toml").write_text((site_dir / "config.toml").read_text("utf-8"), "utf-8")
    monkeypatch.setenv("HELPDESK_CONFIG", str(moved / "config.toml"))
    assert cli("init").exit_code == 0
    return moved


@pytest.mark.sqlite_only("the database file's own disk; a PostgreSQL server keeps its disk")
def test_phone_on_a_full_disk_is_one_line_and_saves_nothing(cli: Cli, site_on_disk: Path) -> None:
    """A phone complaint while the daemon holds the database open and the disk is full:
    one line saying so, and no ticket, no number used, no e-mail queued."""
    daemon = sqlite3.connect(site_on_disk / "var" / "helpdesk.db")  # as `helpdesk run` does
    try:
        daemon.execute("SELECT count(*) FROM ticket").fetchall()
        filler = fill(site_on_disk)
        line = one_line_error(cli("phone", *form_args(), "--by", "sari"))
        assert "the disk holding the database is full" in line and "nothing was saved" in line
        filler.unlink()
    finally:
        daemon.close()
    assert json.loads(cli("ticket", "list", "--json").stdout) == []
    assert json.loads(cli("outbox", "list", "--json").stdout) == []
    result = cli("phone", *form_args(), "--by", "sari")
    assert "TIK-2026-00001" in result.stdout


@pytest.mark.sqlite_only("SQLite's -shm file beside the database; PostgreSQL has none")
def test_any_command_on_a_full_disk_is_one_line(site_on_disk: Path) -> None:
    """With nothing holding the database open, even opening it needs disk space (SQLite's
    -shm file): one line that names the disk, exit 1."""
    gc.collect()  # the connections left by `init`, run in this process, are closed
    assert not (site_on_disk / "var" / "helpdesk.db-shm").exists()
    fill(site_on_disk)
    line = one_line_error(process(site_on_disk, "ticket", "list"))
    assert line.startswith("error: cannot open the database: the disk could not be read")


def test_letter_scan_into_a_read_only_archive_is_one_line(ready: Cli, site_dir: Path) -> None:
    """A scan that cannot be archived (the archive folder is read-only) stops the letter
    with one line; the complaint is not recorded without its scan."""
    scan = site_dir / "surat.pdf"
    scan.write_bytes(b"%PDF-1.4 scanned letter\n")
    with read_only(site_dir / "var" / "archive"):
        result = ready("letter", *form_args(), "--by", "yoga", "--scan", str(scan))
        line = one_line_error(result)
    assert line.startswith("kesalahan: --scan: surat.pdf tidak dapat diarsipkan di ")
    assert line.endswith("pengaduan tidak dicatat.")
    assert json.loads(ready("ticket", "list", "--json").stdout) == []
    assert list((site_dir / "var" / "archive").iterdir()) == []


# --- output files on a full disk ---------------------------------------------------------


OUTPUTS = {
    "report html": (["report", "--month", "2026-11", "-f", "html", "-o", "{out}/r.html"], "r.html"),
    "report json": (["report", "--month", "2026-11", "-f", "json", "-o", "{out}/r.json"], "r.json"),
    "report csv": (["report", "--month", "2026-11", "-f", "csv", "-o", "{out}/csv"], "csv"),
    "print": (["print", "formulir", "TIK-2026-00001", "--out", "{out}"],
              "TIK-2026-00001-formulir.html"),
    "archive": (["archive", "export", "--month", "2026-11", "--out", "{out}/a.zip", "--force"],
                "a.zip"),
}  # fmt: skip


@pytest.mark.parametrize("what", OUTPUTS)
@pytest.mark.parametrize("existing", [False, True], ids=["new", "replacing"])
def test_output_on_a_full_disk_leaves_no_truncated_file(
    ready: Cli, disk: Path, what: str, existing: bool
) -> None:
    """Written to a full disk, an output file fails with one line and is not there half
    written: a new one is absent, an old one keeps its content, no temporary file stays."""
    assert ready("phone", *form_args(), "--by", "sari").exit_code == 0
    args, name = OUTPUTS[what]
    args = [a.replace("{out}", str(disk)) for a in args]
    target = disk / name
    if existing and what != "report csv":
        target.write_bytes(b"the report of last time\n")
    elif existing:
        target.mkdir()
        (target / "summary.csv").write_bytes(b"the report of last time\n")
    before = {p: p.read_bytes() for p in disk.rglob("*") if p.is_file()}
    filler = fill(disk)
    line = one_line_error(ready(*args))
    assert "No space left on device" in line
    filler.unlink()
    after = {p: p.read_bytes() for p in disk.rglob("*") if p.is_file()}
    assert after == before
