"""Phone-log import: a 100,000-row CSV file through `helpdesk import`'s code path.

A site on the default configuration is made in a temporary folder; a phone log of
``--rows`` calls is written as Excel with Indonesian settings saves it (``;``, CRLF,
UTF-8 with a byte-order mark), one row in 50 with a problem (a blank field, an invalid
value, an unknown officer, a call time that cannot be read). The figure is the wall time
of `import_file`: reading, checking every row, numbering the tickets, their events and
acknowledgements, committed in chunks. The run then checks what was stored: one ticket
per complete row with gap-free numbers (a row whose officer is not a help-desk officer
is a ticket too, left for the help desk to take), one acknowledgement per ticket, one
error line per bad row.

    ./bench/run phone_import          (or: python -m bench phone_import)
    python -m bench.phone_import --rows 5000     a smaller file, for trying changes
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
import sys
import time

from bench import database, database_option, figure, info, make_site, profiled, rate, scratch

NAME = "phone-import"
ROWS = 100_000
TARGET_SECONDS = 10.0
NOW = dt.datetime.fromisoformat("2026-11-30T09:00:00+07:00")  # a Monday morning
BAD_EVERY = 50

AGENCIES = ["Dinkes", "Dinas Pendidikan", "Diskominfo", "Bappeda", "BPKAD", "BKD", "Dishub"]
DIVISIONS = ["Bidang Pelayanan Kesehatan", "Sekretariat", "UPT Pelabuhan", "Subbagian Umum"]
FIRST = ["Budi", "Siti", "Agus", "Dewi", "Rudi", "Rina", "Eko", "Sri", "Joko", "Wati"]
LAST = ["Santoso", "Rahayu", "Wijaya", "Lestari", "Hidayat", "Kusuma", "Saputra", "Putri"]
POSITIONS = ["Staf", "Pengelola Data", "Kepala Seksi", "Analis Kebijakan", "Pranata Komputer"]
CATEGORIES = ["internet", "Jaringan", "E Mail", "Komputer", "Server", "Aplikasi", "Website"]
STATUSES = ["PNS", "Non PNS", "pns", "honorer"]
MOBILE = ["0811", "0812", "0813", "0821", "0822", "0852", "0857", "0878", "0896", "0881"]
OFFICERS = ["sari", "yoga", "Sari Wulandari", "YOGA PRATAMA"]
HEADER = [
    "No", "Waktu", "Nama OPD", "Bidang/UPT/Balai", "Nama Pelapor", "Jabatan",
    "Nomor Telepon / HandPhone", "Alamat e-Mail", "Jenis Kelamin", "Status Kepegawaian",
    "Jenis Aduan", "Isi Aduan", "Petugas",
]  # fmt: skip
# Which cell a bad row spoils, and how.
SPOILED = [
    (7, ""),  # no e-mail address
    (8, "x"),  # sex not understood
    (12, "Bambang"),  # not a help-desk officer: a ticket all the same, left to be taken
    (1, "kemarin sore"),  # a call time that cannot be read
    (6, "0812"),  # too short for a phone number
]


OFFICER_COLUMN = 12


def make_log(rows: int, seed: int = 2026) -> tuple[bytes, int, int]:
    """The CSV file, how many of its rows are complete, and how many more make a ticket
    nobody takes (an officer who is not on the help desk)."""
    untaken = 0
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    complete = 0
    for n in range(1, rows + 1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        called = NOW - dt.timedelta(minutes=rng.randrange(10, 60 * 24 * 20))
        cells = [
            str(n),
            called.strftime("%d/%m/%Y %H.%M"),
            rng.choice(AGENCIES),
            rng.choice(DIVISIONS),
            f"{first} {last}",
            rng.choice(POSITIONS),
            f"{rng.choice(MOBILE)}-{rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)}",
            f"{first}.{last}{n}@example.go.id".lower(),
            rng.choice(["L", "P", "Laki-laki", "Perempuan"]),
            rng.choice(STATUSES),
            rng.choice(CATEGORIES),
            f"Keluhan nomor {n}: "
            + rng.choice(
                [
                    "internet mati sejak pagi.",
                    "printer tidak bisa mencetak.",
                    "aplikasi kepegawaian tidak bisa dibuka;\r\nmuncul pesan galat 500.",
                    "lupa kata sandi e-mail dinas.",
                ]
            ),  # fmt: skip
            rng.choice(OFFICERS),
        ]
        if n % BAD_EVERY == 0:
            column, value = SPOILED[(n // BAD_EVERY) % len(SPOILED)]
            cells[column] = value
            if column == OFFICER_COLUMN:
                untaken += 1
        else:
            complete += 1
        writer.writerow(cells)
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8"), complete, untaken


def check(here, report, rows: int, taken: int, untaken: int) -> list[str]:  # type: ignore[no-untyped-def]
    """What is wrong with the stored outcome (nothing, when the import is correct)."""
    from sqlalchemy import text

    complete = taken + untaken
    problems = []
    if report.rows != rows:
        problems.append(f"{report.rows} rows read, {rows} written")
    if len(report.tickets) != complete:
        problems.append(f"{len(report.tickets)} tickets, {complete} complete rows")
    if report.incomplete != rows - complete:
        problems.append(f"{report.incomplete} rows listed as incomplete, {rows - complete} bad")
    with here.store.transaction() as tx:
        count = tx.session.execute
        tickets, low, high = count(text("SELECT count(*), min(seq), max(seq) FROM ticket")).one()
        acks = count(
            text("SELECT count(DISTINCT ticket_id) FROM outbox WHERE kind='reporter.acknowledged'")
        ).scalar_one()
        events = count(text("SELECT count(*) FROM event")).scalar_one()
    if (tickets, low, high) != (complete, 1, complete):
        problems.append(f"tickets stored: {tickets}, numbered {low}..{high}")
    if acks != complete:
        problems.append(f"{acks} tickets with an acknowledgement, {complete} expected")
    if events != 2 * taken + untaken:
        problems.append(f"{events} events, {2 * taken + untaken} expected (create, take)")
    return problems


def main(argv: list[str] | None = None) -> bool:
    """Run the benchmark; True when the target was met (and the outcome is right)."""
    parser = argparse.ArgumentParser(prog="python -m bench.phone_import", description=__doc__)
    parser.add_argument("--rows", type=int, default=ROWS, help=f"rows in the file ({ROWS:,})")
    kind = database_option(parser)
    args = parser.parse_args(argv or [])
    return measure(args.rows, kind(args))


def measure(rows: int, kind: str) -> bool:
    """The figure with the site's tickets in ``kind`` (`bench.database`); on PostgreSQL it
    is printed for information, without PASS or MISS (True when the outcome is right)."""
    from helpdesk.jobs.phone_drop import import_file

    label = NAME if kind == "sqlite" else f"{NAME} ({kind})"
    data, taken, untaken = make_log(rows)
    complete = taken + untaken
    with scratch("phone") as folder, database(kind) as place:
        here = make_site(folder, sections=place.sections)
        path = folder / "phone-log.csv"
        path.write_bytes(data)
        with profiled(f"{label}: import_file, {rows:,} rows"):
            start, cpu, server = time.perf_counter(), time.process_time(), place.server_cpu()
            report = import_file(here, path, now=NOW)
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
            server = place.server_cpu() - server
        wrong = check(here, report, rows, taken, untaken)
    target = TARGET_SECONDS * rows / ROWS
    info(
        f"{rows:,} rows ({rows - complete:,} with a problem), {complete:,} tickets "
        f"and acknowledgements, {rate(rows, seconds):,.0f} rows/s"
    )
    for line in wrong:
        info(f"WRONG: {line}")
    if kind != "sqlite":
        figure(
            label,
            f"{seconds:.1f} s for {rows:,} rows; CPU {cpu:.1f} s here, {server:.1f} s in the "
            "database server",
        )
        return not wrong
    return figure(
        label, f"{seconds:.1f} s for {rows:,} rows", f"under {target:g} s",
        seconds < target and not wrong,
    )  # fmt: skip


if __name__ == "__main__":
    sys.exit(0 if main(sys.argv[1:]) else 1)
