"""Tests read no real clock: a test that compares a fixed "now" with the machine's date
passes the day it is written and fails some later day (two did, on 2026-12-01).

The tests that need a file's time stamp it with tests/clocks.py; servers and processes
that read the real clock do so in the program, which compares like with like. A line that
must read the real clock says why, ending in ``# real clock: <why>``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
ALLOWED = {TESTS / "clocks.py", Path(__file__).resolve()}  # the helpers, and this check
REAL_CLOCK = re.compile(
    r"\btime\.time\(|\bdatetime\.now\(|\bdatetime\.utcnow\(|\bdate\.today\(|\bos\.utime\("
    r"|\btime\.localtime\(|\btime\.gmtime\(\)|\bformatdate\(\)"
)


def _sources() -> list[Path]:
    return sorted(p for p in TESTS.rglob("*.py") if p not in ALLOWED)


def test_the_pattern_finds_each_way_of_reading_the_real_clock() -> None:
    """The check would catch the reads that broke the suite on the first of the month."""
    for line in (
        "    old = time.time() - 60",
        "    now = dt.datetime.now(dt.UTC)",
        "    os.utime(csv, (old, old))",
        "    today = dt.date.today()",
    ):
        assert REAL_CLOCK.search(line), line
    assert not REAL_CLOCK.search("    deadline = time.monotonic() + 30")


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(TESTS)))
def test_no_test_reads_the_real_clock(path: Path) -> None:
    """No test reads the wall clock or stamps a file's time itself (see tests/clocks.py)."""
    found = [
        f"{path.relative_to(TESTS)}:{number}: {line.strip()}"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if REAL_CLOCK.search(line) and "# real clock:" not in line
    ]
    assert not found, "use tests/clocks.py, or say why: " + "; ".join(found)
