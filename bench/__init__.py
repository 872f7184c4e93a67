"""Benchmarks with their targets: not part of the test run (see bench/README.md).

A benchmark is a module ``bench/NAME.py`` with ``main() -> bool``: it sets up what it
needs (servers on loopback, a site in a temporary folder), measures, prints one line per
figure with ``figure()`` and returns whether every target was met. ``python -m bench``
runs them all, or the ones named.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CONFIG = REPO / "config.toml"

# Set by ``python -m bench --profile``: benchmarks wrap their measured part in profiled().
PROFILE_ENV = "HELPDESK_BENCH_PROFILE"


def figure(name: str, text: str, target: str | None = None, passed: bool | None = None) -> bool:
    """Print ``name: text (target: ...) PASS|MISS``; returns ``passed`` (True without one)."""
    line = f"{name}: {text}"
    if target is not None:
        line += f" (target: {target})"
    if passed is not None:
        line += " PASS" if passed else " MISS"
    print(line, flush=True)
    return passed is not False


def info(text: str) -> None:
    """A line about the set-up or a detail, indented under the figures."""
    print(f"  {text}", flush=True)


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def median(values: list[float]) -> float:
    return statistics.median(values)


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (``share`` in 0..1)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


@contextlib.contextmanager
def scratch(prefix: str) -> Iterator[Path]:
    """A temporary folder under the system temp dir, world-traversable (a root Dovecot's
    mail processes run as 'dovecot' and must reach it); removed afterwards."""
    with tempfile.TemporaryDirectory(prefix=f"hd-bench-{prefix}-") as folder:
        path = Path(folder)
        path.chmod(0o755)
        yield path


def make_site(
    root: Path,
    *,
    imap_port: int | None = None,
    smtp_port: int | None = None,
    sections: dict[str, str] | None = None,
    init: bool = True,
):  # type: ignore[no-untyped-def]
    """A site on the default configuration in ``root/site``, pointed at loopback servers,
    with ``sections`` replaced; initialised (database migrated) unless ``init`` is False."""
    from helpdesk.config import with_section
    from helpdesk.wiring import Site

    folder = root / "site"
    folder.mkdir(parents=True, exist_ok=True)
    text = DEFAULT_CONFIG.read_text(encoding="utf-8")
    if imap_port is not None:
        text = with_section(
            text, "mailbox",
            f'host = "127.0.0.1"\nport = {imap_port}\nsecurity = "none"\n'
            'username = "helpdesk"\npassword = "secret"\nfolder = "INBOX"',
        )  # fmt: skip
    if smtp_port is not None:
        text = with_section(
            text, "smtp",
            f'host = "127.0.0.1"\nport = {smtp_port}\nsecurity = "none"\nusername = ""\n'
            'from_address = "helpdesk@example.go.id"',
        )  # fmt: skip
    for name, body in (sections or {}).items():
        text = with_section(text, name, body)
    config = folder / "config.toml"
    config.write_text(text, encoding="utf-8")
    site = Site.load(str(config))
    if init:
        site.init()
    return site


@dataclass(frozen=True)
class Database:
    """Where a bench site keeps its tickets: the ``sections`` of its configuration, and
    the CPU seconds the database's own processes have used so far (none for SQLite, whose
    work is done in the process that measures)."""

    sections: dict[str, str]
    server_cpu: Callable[[], float] = lambda: 0.0


def database_option(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], str]:
    """Give a benchmark's command line ``--postgresql`` (its figures then for information:
    the targets are SQLite's); returns what reads the kind of database from the options."""
    parser.add_argument(
        "--postgresql", action="store_true",
        help="tickets in a private PostgreSQL cluster (figures for information: the "
        "targets are SQLite's)",
    )  # fmt: skip
    return lambda args: "postgresql" if args.postgresql else "sqlite"


@contextlib.contextmanager
def database(kind: str) -> Iterator[Database]:
    """The database of a bench site: ``sqlite`` (the default: no section), or
    ``postgresql``, a database on a private cluster on loopback, started here and stopped
    at the end (its password in the environment, as an office keeps it). The cluster runs
    with the test suite's settings: no fsync, so its commits cost less than an office's."""
    if kind == "sqlite":
        yield Database({})
        return
    from helpdesk.testing.postgres import postgres_server

    with postgres_server() as server:
        os.environ[_PASSWORD_ENV] = server.password
        try:
            url = server.create_database("helpdesk")
            section = f'url = "{url}"\npassword_env = "{_PASSWORD_ENV}"'
            yield Database({"database": section}, lambda: _cluster_cpu(server.data))
        finally:
            os.environ.pop(_PASSWORD_ENV, None)


def _cluster_cpu(data: Path) -> float:
    """CPU seconds (user and system) of a PostgreSQL cluster's processes so far: the
    postmaster's own and its finished children's, and each running child's."""
    ticks = os.sysconf("SC_CLK_TCK")
    postmaster = int((data / "postmaster.pid").read_text().split()[0])
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # a process that ended meanwhile
            continue
        pid, parent = int(entry.name), int(fields[1])
        if pid == postmaster:  # utime, stime, cutime, cstime
            total += sum(int(f) for f in fields[11:15])
        elif parent == postmaster:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


_PASSWORD_ENV = "HELPDESK_BENCH_DB_PASSWORD"


def profiling_requested() -> bool:
    return os.environ.get(PROFILE_ENV) == "1"


@contextlib.contextmanager
def profiled(label: str) -> Iterator[None]:
    """With ``--profile``: a pyinstrument profile of the block, printed to stderr."""
    if not profiling_requested():
        yield
        return
    try:
        from pyinstrument import Profiler
    except ImportError:
        print("  (--profile needs pyinstrument: pip install -e '.[bench]')", file=sys.stderr)
        yield
        return
    profiler = Profiler(interval=0.0005)
    profiler.start()
    try:
        yield
    finally:
        profiler.stop()
        print(f"\n===== profile: {label} =====", file=sys.stderr)
        print(profiler.output_text(unicode=True, color=False, show_all=False), file=sys.stderr)


def wait_until(condition: Callable[[], bool], seconds: float, step: float = 0.005) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()
