"""Fixtures shared by every layer: a site on the default configuration, in a temp folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from helpdesk.testing.imap import DovecotServer, dovecot_available, dovecot_server

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


def use_smtp(site_dir: Path, port: int, security: str = "none") -> None:
    """Point the site's [smtp] at a loopback server without login."""
    _set_section(
        site_dir, "smtp",
        f'host = "127.0.0.1"\nport = {port}\nsecurity = "{security}"\nusername = ""\n'
        'from_address = "helpdesk@example.go.id"',
    )  # fmt: skip


def use_mailbox(
    site_dir: Path, port: int, user: str = "helpdesk", password: str = "secret"
) -> None:
    """Point the site's [mailbox] at a plain IMAP server on loopback."""
    _set_section(
        site_dir, "mailbox",
        f'host = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
        f'username = "{user}"\npassword = "{password}"\nfolder = "INBOX"',
    )  # fmt: skip


def _set_section(site_dir: Path, name: str, body: str) -> None:
    from helpdesk.config import with_section

    config = site_dir / "config.toml"
    config.write_text(with_section(config.read_text(encoding="utf-8"), name, body), "utf-8")


@pytest.fixture
def dovecot(tmp_path: Path) -> Iterator[DovecotServer]:
    """A private Dovecot on a loopback port with the mailbox user ``helpdesk`` (password
    ``secret``); stopped after the test. Missing Dovecot fails the test, never skips it."""
    if reason := dovecot_available():
        pytest.fail(f"Dovecot is needed: {reason} (apt-get install dovecot-imapd)")
    with dovecot_server(tmp_path / "dovecot", {"helpdesk": "secret"}) as server:
        yield server
