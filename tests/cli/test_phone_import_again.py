"""A log imported again: saved later with calls added, read by another process at the same
time, cut short at any chunk. Each call is one ticket with one acknowledgement, whatever
the order and the timing."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

import pytest

from helpdesk.jobs import phone_drop as phone_import
from helpdesk.jobs.phone_drop import import_file, scan_drop_folder
from helpdesk.service import edit_ticket
from helpdesk.wiring import Site
from tests.cli.conftest import Cli
from tests.cli.test_phone_import import (
    GOLDEN_CALLS,
    NOW,
    chunks_of,
    crash_in_chunk,
    crash_in_the_second_chunk,
    outbox,
    phone_log,
    put,
    row,
    tickets,
)
from ticketing.store import Tx

WINDOW = 1.5
"""Seconds a first import holds its chunk open for a second one to look for the same calls
(which it must not do before the first commits)."""


def acks(cli: Cli) -> list[dict]:
    return [e for e in outbox(cli) if e["kind"] == "reporter.acknowledged"]


# --- a log saved again ------------------------------------------------------------------------


def test_resaved_log_read_by_the_drop_folder_after_an_import_with_by(
    ready: Cli, tmp_path: Path, site: Site, drop: Path
) -> None:
    """The morning's log imported at a terminal with --by yoga (a call whose officer is
    written "Sari W." is taken by yoga); the afternoon's log, the same rows and one more
    call, dropped in the folder (no --by): tickets of the new call only. The call is the
    officer as written, not who took its ticket."""
    pagi = tmp_path / "pagi.csv"
    pagi.write_bytes(phone_log(row(1, petugas="Sari W."), row(2)))
    assert ready("import", str(pagi), "--by", "yoga").exit_code == 0
    assert len(tickets(ready)) == 2

    put(drop, "siang.csv", phone_log(row(1, petugas="Sari W."), row(2), row(3)))
    [report] = scan_drop_folder(site, now=NOW, files_now=NOW)
    assert report.summary() == "rows 3, tickets 1, incomplete 0, already recorded 2", [
        p.line("en") for p in report.problems
    ]
    assert len(tickets(ready)) == 3
    assert len(acks(ready)) == 3


@pytest.mark.parametrize(
    "written_later",
    ["Dispusipda", "Dinas Perpustakaan dan Kearsipan"],
    ids=["as-before", "corrected"],
)
def test_resaved_log_after_the_help_desk_corrected_the_agency_the_import_flagged(
    written_later: str, ready: Cli, tmp_path: Path, site: Site
) -> None:
    """The import flags "Nama OPD ... is not in the register; Perhaps: Dinas Perpustakaan
    dan Kearsipan"; the help desk corrects the ticket as told (`helpdesk ticket edit`); the
    log saved again with one call added is imported, the row as it was or corrected in the
    log too: the corrected call is not a new call (it is the ticket as registered, or as it
    is now)."""
    pagi = tmp_path / "pagi.csv"
    pagi.write_bytes(phone_log(row(1, agency="Dispusipda"), row(2)))
    first = import_file(site, pagi, now=NOW)
    assert first.summary() == "rows 2, tickets 2, incomplete 0, to check 1"
    number = first.tickets[0][1]
    moved = edit_ticket(
        site, number, "sari", {"agency": "Dinas Perpustakaan dan Kearsipan"},
        now=NOW + dt.timedelta(minutes=30),
    )  # fmt: skip
    assert type(moved).__name__ == "Moved", moved

    siang = tmp_path / "siang.csv"
    siang.write_bytes(phone_log(row(1, agency=written_later), row(2), row(3)))
    again = import_file(site, siang, now=NOW + dt.timedelta(hours=1))
    assert [r for r, _ in again.tickets] == [4], [p.line("en") for p in again.problems]
    assert len(tickets(ready)) == 3


def test_resaved_golden_log_makes_tickets_of_the_new_call_only(
    ready: Cli, tmp_path: Path, site: Site
) -> None:
    """The golden log's rows (phone numbers, addresses, agencies written every way, a call
    without its time) imported, then saved again with one call added: one new ticket, and
    every earlier row already recorded."""
    calls = GOLDEN_CALLS
    pagi = tmp_path / "pagi.csv"
    pagi.write_bytes(phone_log(*calls))
    first = import_file(site, pagi, now=NOW)
    siang = tmp_path / "siang.csv"
    siang.write_bytes(phone_log(*calls, row(99)))
    again = import_file(site, siang, now=NOW + dt.timedelta(hours=1))
    assert [r for r, _ in again.tickets] == [len(calls) + 2], [p.line("en") for p in again.problems]
    assert len(tickets(ready)) == len(first.tickets) + 1


def test_resaved_log_with_a_call_without_its_time(ready: Cli, tmp_path: Path, site: Site) -> None:
    """A call whose time was left blank is logged at the moment of the morning's import;
    the log saved again with one call added, imported in the afternoon, makes a ticket of
    the new call only, and says of the blank one that it is recorded already, and to write
    its time if it is another call."""
    pagi = tmp_path / "pagi.csv"
    pagi.write_bytes(phone_log(row(1, waktu=""), row(2)))
    assert import_file(site, pagi, now=NOW).summary() == "rows 2, tickets 2, incomplete 0"
    siang = tmp_path / "siang.csv"
    siang.write_bytes(phone_log(row(1, waktu=""), row(2), row(3)))
    again = import_file(site, siang, now=NOW + dt.timedelta(hours=3))
    assert again.tickets == [(4, "TIK-2026-00003")]
    assert [p.line("en") for p in again.problems] == [
        "row 2: already recorded as TIK-2026-00001 (an earlier import); no call time: write it"
        " if this is another call",
        "row 3: already recorded as TIK-2026-00002 (an earlier import)",
    ]
    assert [p.line("id") for p in again.problems][0] == (
        "baris 2: sudah tercatat sebagai TIK-2026-00001 (impor sebelumnya); tanpa waktu"
        " telepon: isi waktunya bila ini panggilan lain"
    )
    assert len(acks(ready)) == 3


# --- two processes at once --------------------------------------------------------------------


def _imported_at_once(site_dir: Path, first: Path, second: Path, *, past: str) -> dict[str, str]:
    """``first`` and ``second`` imported by two processes at once (two sites, two
    threads): the first holds its first chunk open, its tickets registered, until the
    second has got past ``past`` (a method of `Tx`, which it must not get past before the
    first commits) or for `WINDOW` seconds. Each one's status, or the error it raised."""
    config = str(site_dir / "config.toml")
    sites = {"one": Site.load(config), "two": Site.load(config)}
    real_past, real_register = getattr(Tx, past), phone_import.register_many_in
    reached, started = threading.Event(), threading.Event()
    names = threading.local()
    outcomes: dict[str, str] = {}

    def passed(self: Tx, *args: Any, **kwargs: Any) -> Any:
        found = real_past(self, *args, **kwargs)
        if getattr(names, "name", "") == "two":
            reached.set()
        return found

    def register(*args: Any, **kwargs: Any) -> Any:
        registered = real_register(*args, **kwargs)
        if getattr(names, "name", "") == "one":
            started.set()
            reached.wait(WINDOW)
        return registered

    def run(name: str, path: Path) -> None:
        names.name = name
        try:
            outcomes[name] = import_file(sites[name], path, now=NOW).status
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            outcomes[name] = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"

    setattr(Tx, past, passed)
    phone_import.register_many_in = register  # type: ignore[assignment]
    try:
        one = threading.Thread(target=run, args=("one", first))
        one.start()
        assert started.wait(10)
        two = threading.Thread(target=run, args=("two", second))
        two.start()
        one.join(30)
        two.join(30)
    finally:
        setattr(Tx, past, real_past)
        phone_import.register_many_in = real_register  # type: ignore[assignment]
    return outcomes


def test_the_log_and_its_resaved_copy_imported_at_once(
    ready: Cli, tmp_path: Path, site_dir: Path
) -> None:
    """The daemon reads pagi.csv while an officer imports siang.csv (the same calls and one
    more) at a terminal: two processes, two files. The second does not look for the
    tickets of its calls before the first has committed its chunk (SQLite's write lock;
    on PostgreSQL, the phone imports' advisory lock), so it makes a ticket of the new call
    only."""
    pagi, siang = tmp_path / "pagi.csv", tmp_path / "siang.csv"
    pagi.write_bytes(phone_log(row(1), row(2)))
    siang.write_bytes(phone_log(row(1), row(2), row(3)))
    outcomes = _imported_at_once(site_dir, pagi, siang, past="phone_tickets_received_at")
    assert outcomes == {"one": "imported", "two": "imported"}
    made = tickets(ready)
    assert len(made) == 3, [(t["number"], t["email"]) for t in made]
    assert len(acks(ready)) == 3


def test_one_file_imported_twice_at_once_before_its_record_exists(
    ready: Cli, tmp_path: Path, site_dir: Path
) -> None:
    """The same file imported by two processes at once, both in their first chunk (no
    record yet to lock): one makes the tickets, the other finds them made ("duplicate"),
    and neither fails."""
    path = tmp_path / "log.csv"
    path.write_bytes(phone_log(row(1), row(2)))
    outcomes = _imported_at_once(site_dir, path, path, past="phone_import_progress")
    assert outcomes == {"one": "imported", "two": "duplicate"}
    assert len(tickets(ready)) == 2


# --- one run, or cut short at any chunk: the same outcome -------------------------------------

MIXED = [
    row(1),
    row(2, email=""),  # incomplete
    row(3, petugas="zorro"),  # unknown officer: a ticket to check
    row(4, waktu=""),  # no call time
    row(5, waktu="tadi"),  # a call time not understood
    row(2, email=""),  # copy of the incomplete row
    row(3, petugas="zorro"),  # copy of the unknown officer's row
    row(4, waktu=""),  # copy of the row without call time: the same call
    row(1),  # copy of row 2
    row(5, waktu="tadi"),  # copy of the row whose time is not understood
    row(70),  # a call an earlier import made
    row(70),  # and its copy
    row(6, waktu="01/12/2026 08.00"),  # in the future
    row(6, waktu="01/12/2026 08.00"),
    row(8, petugas="rudi"),  # not on the help desk
    row(8, petugas="rudi"),
]


def _outcome(site: Site, path: Path, crash_at: int | None, monkeypatch: pytest.MonkeyPatch):
    if crash_at is None:
        chunks_of(monkeypatch, 2)
    else:
        crash_in_chunk(monkeypatch, crash_at, 2)
        with pytest.raises(RuntimeError):
            import_file(site, path, now=NOW)
    report = import_file(site, path, now=NOW)
    lines = [p.line("en") for p in report.problems]
    with site.store.transaction() as tx:
        made = sorted((t.number, t.email, t.signature) for t in tx.tickets())
    return lines, made


ONE_RUN = [
    "row 3: Alamat e-Mail (E-mail address) is missing",
    'row 4: recorded as TIK-2026-00003; Petugas (officer) "zorro" is unknown (help-desk officers:'
    " sari, yoga); recorded as written, waiting for a help-desk officer to take it",
    'row 6: Call time (Waktu) is not valid: "tadi" (e.g. 30/11/2026 09.15)',
    "row 7: Alamat e-Mail (E-mail address) is missing",
    "row 8: the same call as row 4; not recorded twice",
    "row 9: the same call as row 5; not recorded twice; no call time: write it if this is"
    " another call",
    "row 10: the same call as row 2; not recorded twice",
    'row 11: Call time (Waktu) is not valid: "tadi" (e.g. 30/11/2026 09.15)',
    "row 12: already recorded as TIK-2026-00001 (an earlier import)",
    "row 13: already recorded as TIK-2026-00001 (an earlier import)",
    'row 14: Call time (Waktu) "01/12/2026 08.00" is in the future',
    'row 15: Call time (Waktu) "01/12/2026 08.00" is in the future',
    'row 16: recorded as TIK-2026-00005; Petugas (officer) "rudi" is not a help-desk officer'
    " (unit head); recorded as written, waiting for a help-desk officer to take it",
    "row 17: the same call as row 16; not recorded twice",
]


@pytest.mark.parametrize("crash_at", [None, 2, 3, 4, 5, 6, 7, 8])
def test_a_run_cut_short_at_any_chunk_ends_as_one_run(
    crash_at: int | None, ready: Cli, tmp_path: Path, site: Site,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """Chunks of 2 rows, the import killed as chunk ``crash_at`` is registered, then read
    again: the same lines and tickets as one run, copies of rows that failed included
    (they fail with the same reasons)."""
    earlier = tmp_path / "earlier.csv"
    earlier.write_bytes(phone_log(row(70)))
    assert len(import_file(site, earlier, now=NOW).tickets) == 1
    path = tmp_path / "log.csv"
    path.write_bytes(phone_log(*MIXED))
    lines, made = _outcome(site, path, crash_at, monkeypatch)
    assert lines == ONE_RUN
    assert [(n, e.split("@")[0], s) for n, e, s in made] == [
        ("TIK-2026-00001", "pelapor70", "sari"), ("TIK-2026-00002", "pelapor1", "sari"),
        ("TIK-2026-00003", "pelapor3", "zorro"), ("TIK-2026-00004", "pelapor4", "sari"),
        ("TIK-2026-00005", "pelapor8", "rudi"),
    ]  # fmt: skip


# --- a ticket another import made between two chunks ------------------------------------------


def test_a_call_another_import_made_between_two_chunks_is_not_made_again(
    ready: Cli, tmp_path: Path, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks of 2 rows; before this import's second chunk another file (the call in this
    file's fifth row) is imported: its ticket's id falls between this import's. The fifth
    row, in the third chunk, is that call already recorded: the ids left out of the
    look-up for earlier calls are this import's own, not every id between its first and
    its last."""
    chunks_of(monkeypatch, 2)
    other = tmp_path / "other.csv"
    other.write_bytes(phone_log(row(50)))
    path = tmp_path / "log.csv"
    path.write_bytes(phone_log(row(1), row(2), row(3), row(4), row(50), row(5)))
    real_progress = Tx.phone_import_progress
    calls = 0

    def between_two_chunks(self: Tx, *args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == 2:
            assert len(import_file(site, other, now=NOW).tickets) == 1
        return real_progress(self, *args, **kwargs)

    monkeypatch.setattr(Tx, "phone_import_progress", between_two_chunks)
    report = import_file(site, path, now=NOW)
    assert [r for r, _ in report.tickets] == [2, 3, 4, 5, 7]
    assert [p.line("en") for p in report.problems] == [
        "row 6: already recorded as TIK-2026-00003 (an earlier import)"
    ]
    assert len(tickets(ready)) == 6


# --- chunk boundaries: an empty file, a file of bad rows, exactly a chunk, one more ------------


@pytest.mark.parametrize(
    ("count", "crash"),
    [(0, False), (1, False), (3, False), *((n, c) for n in (4, 6, 7) for c in (False, True))],
    ids=lambda v: {False: "whole", True: "cut-short"}.get(v, v) if isinstance(v, bool) else v,
)
def test_chunk_boundaries(
    count: int, crash: bool, ready: Cli, tmp_path: Path, site: Site,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """Chunks of 3: every call one ticket with one acknowledgement, numbered in the file's
    order, cut short or not; a file of only bad rows, none."""
    if crash:  # a file of more than one chunk
        crash_in_the_second_chunk(monkeypatch)
    else:
        chunks_of(monkeypatch, 3)
    path = tmp_path / "log.csv"
    path.write_bytes(phone_log(*(row(n) for n in range(count))))
    bad = tmp_path / "bad.csv"
    bad.write_bytes(phone_log(*(row(n, email="") for n in range(count))))
    if crash:
        with pytest.raises(RuntimeError):
            import_file(site, path, now=NOW)
    report = import_file(site, path, now=NOW)
    assert report.status == "imported"
    made = tickets(ready)
    assert [t["number"] for t in made] == [f"TIK-2026-{n:05d}" for n in range(1, count + 1)]
    assert [t["email"] for t in made] == [f"pelapor{n}@dinkes.example.go.id" for n in range(count)]
    assert sorted(a["ticket"] for a in acks(ready)) == [t["number"] for t in made]
    assert import_file(site, path, now=NOW).status == "duplicate"
    assert (
        import_file(site, bad, now=NOW).summary() == f"rows {count}, tickets 0, incomplete {count}"
    )
    assert len(tickets(ready)) == count
