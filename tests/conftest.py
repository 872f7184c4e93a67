"""Fixtures shared by every layer: a site on the default configuration, in a temp folder."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CONFIG = REPO / "config.toml"

# A complete Formulir, as a phone officer would type it.
FORM = {
    "agency": "Dinkes",
    "division": "Bidang Pelayanan Kesehatan",
    "reporter_name": "Budi Santoso",
    "position": "Pengelola Data",
    "phone": "0812-3456-7890",
    "email": "budi.santoso@dinkes.example.go.id",
    "sex": "L",
    "employment_status": "PNS",
    "category": "internet",
    "description": "Koneksi internet di ruang pelayanan terputus sejak pagi.",
}


@pytest.fixture
def site_dir(tmp_path: Path) -> Path:
    """A folder holding a copy of the default config.toml (not yet initialised)."""
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "config.toml").write_text(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    return folder
