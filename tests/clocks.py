"""Times on the clocks the program reads, for tests that must not mix them.

A test that fixes the office's time (``HELPDESK_NOW``) must never compare it with a time
the machine stamps. Files are stamped here on the drop folder's own clock, the one its scan
reads, whatever the office's time is and whatever the machine's date.
"""

from __future__ import annotations

import os
from pathlib import Path

from helpdesk.phone_import import folder_clock


def written_ago(path: Path, seconds: float) -> None:
    """Stamp ``path`` as last written ``seconds`` ago on its folder's clock."""
    stamp = folder_clock(path.parent).timestamp() - seconds
    os.utime(path, (stamp, stamp))
