from __future__ import annotations

from pathlib import Path

import pytest

from helpdesk.config import load_config
from helpdesk.wiring import Site


@pytest.fixture
def site(site_dir: Path) -> Site:
    """An initialised site on a fresh SQLite file."""
    here = Site(load_config(site_dir / "config.toml"))
    here.init()
    return here
