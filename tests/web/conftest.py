"""The web application through Starlette's test client, on an initialised site of the
default configuration, at a time each test sets (HELPDESK_NOW)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx
import pytest
from starlette.testclient import TestClient

from helpdesk.web.app import create_app
from helpdesk.wiring import Site
from tests.conftest import FORM, _set_section

MONDAY_9 = "2026-11-30T09:00:00+07:00"
SECRET = "a-signing-key-for-the-tests-only-0123456789"
PASSWORD = "kata-sandi-rahasia-1"

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_FORM_ID = re.compile(r'name="form_id" value="([^"]+)"')


def without_token(page: httpx.Response) -> str:
    """The page's text with its form's CSRF token blanked: a fresh token is signed with the
    second it was made in, so two pages otherwise alike differ in it once a second passes."""
    return _CSRF.sub('name="csrf_token" value=""', page.text)


def csrf_of(page: httpx.Response) -> str:
    found = _CSRF.search(page.text)
    assert found, page.text
    return found.group(1)


@dataclass
class Desk:
    """The site, its application and a browser-like client (cookies kept)."""

    site: Site
    client: TestClient
    monkeypatch: pytest.MonkeyPatch

    def at(self, moment: str) -> None:
        self.monkeypatch.setenv("HELPDESK_NOW", moment)

    def token(self, path: str = "/lapor") -> str:
        return csrf_of(self.client.get(path))

    def form_values(self, **changes: str | None) -> dict[str, str]:
        """The fields of a complete /lapor form (Nama OPD from the register)."""
        values: dict[str, str] = {**FORM, "agency": "Dinas Kesehatan", "category": "Jaringan"}
        for key, value in changes.items():
            if value is None:
                values.pop(key, None)
            else:
                values[key] = value
        return values

    def submit(self, form_id: str | None = None, files: dict | None = None,
               **changes: str | None) -> httpx.Response:  # fmt: skip
        page = self.client.get("/lapor")
        data = {"csrf_token": csrf_of(page), **self.form_values(**changes)}
        found = _FORM_ID.search(page.text)
        assert found
        data["form_id"] = form_id or found.group(1)
        return self.client.post("/lapor", data=data, files=files or {"lampiran": ("", b"")})

    def login(self, staff_id: str, password: str = PASSWORD) -> httpx.Response:
        token = self.token("/petugas/masuk")
        return self.client.post(
            "/petugas/masuk",
            data={"csrf_token": token, "staff_id": staff_id, "password": password},
        )

    def set_password(self, staff_id: str) -> None:
        from helpdesk.passwords import set_password

        with self.site.store.transaction() as tx:
            set_password(tx, staff_id, PASSWORD, self.site.now())


@pytest.fixture
def make_desk(site_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Desk]]:
    """A factory: the desk on the site, with some sections of its config.toml replaced
    first (``intake="max_attachment_mb = 1"``)."""
    with ExitStack() as stack:

        def make(**sections: str) -> Desk:
            for name, body in sections.items():
                _set_section(site_dir, name, body)
            monkeypatch.setenv("HELPDESK_NOW", MONDAY_9)
            here = Site.load(str(site_dir / "config.toml"))
            here.init()
            app = create_app(here, SECRET)
            client = stack.enter_context(
                TestClient(app, base_url="http://127.0.0.1:8080", follow_redirects=False)
            )
            return Desk(here, client, monkeypatch)

        yield make


@pytest.fixture
def desk(make_desk: Callable[..., Desk]) -> Desk:
    return make_desk()


def number_in(page: httpx.Response) -> str:
    found = re.search(r"TIK-\d{4}-\d{5}", page.text)
    assert found, page.text
    return found.group(0)


def status_link_in(page: httpx.Response) -> str:
    found = re.search(r'href="(http://[^"]+/tiket/[^"]+)"', page.text)
    assert found, page.text
    return found.group(1).replace("&amp;", "&")
