"""Times on the clocks the program reads, for tests that must not mix them.

A test that fixes the office's time (``HELPDESK_NOW``) must never compare it with a time
the machine stamps: such a test passes the day it is written and fails on a later date.
So tests read no real clock and stamp no file themselves (tests/unit/test_clocks.py holds
them to it); they stamp files here, on the drop folder's own clock (the one its scan reads)
or at a moment they also hand the scan as its clock.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from helpdesk.jobs.phone_drop import folder_clock


def written_ago(path: Path, seconds: float) -> None:
    """Stamp ``path`` as last written ``seconds`` ago on its folder's clock."""
    stamp = folder_clock(path.parent).timestamp() - seconds
    os.utime(path, (stamp, stamp))


def stamped(path: Path, moment: dt.datetime) -> None:
    """Stamp ``path`` as last written at ``moment``, for a scan given that clock
    (``scan_drop_folder(..., files_now=...)``)."""
    os.utime(path, (moment.timestamp(), moment.timestamp()))
