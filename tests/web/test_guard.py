"""What stands in front of every page: CSRF on every form, error pages in Indonesian."""

from __future__ import annotations

import pytest

from helpdesk.web.app import SESSION_COOKIE
from tests.web.conftest import Desk

POSTS = ["/lapor", "/lacak", "/tiket/TIK-2026-00001", "/petugas/masuk", "/petugas/keluar",
         "/petugas/tiket/TIK-2026-00001"]  # fmt: skip


@pytest.mark.parametrize("path", POSTS)
def test_post_without_csrf_token_is_refused(desk: Desk, path: str) -> None:
    """A POST without the form's token is refused with 403, whether or not the browser has
    a session, and registers nothing."""
    fresh = desk.client.post(path, data={"nomor": "x"})
    assert fresh.status_code == 403
    assert "Permintaan ditolak" in fresh.text
    desk.client.get("/lapor")  # now with a session cookie and its token
    assert desk.client.post(path, data=desk.form_values()).status_code == 403
    with desk.site.reader.transaction() as tx:
        assert tx.tickets() == []


def test_post_with_another_sessions_token_is_refused(desk: Desk) -> None:
    """A token from one browser's page does not work with another browser's session."""
    token = desk.token()
    desk.client.cookies.clear()
    desk.client.get("/lacak")
    page = desk.client.post("/lapor", data={"csrf_token": token, **desk.form_values()})
    assert page.status_code == 403


def test_session_cookie_is_httponly_and_lax(desk: Desk) -> None:
    page = desk.client.get("/lapor")
    cookie = page.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    assert "secure" not in cookie.lower()  # public_url is http here


def test_session_cookie_is_secure_behind_https(make_desk) -> None:  # type: ignore[no-untyped-def]
    desk = make_desk(web='listen = "127.0.0.1:8080"\npublic_url = "https://helpdesk.example.go.id"')
    cookie = desk.client.get("/lapor").headers["set-cookie"].lower()
    assert "; secure" in cookie


def test_unknown_page_is_an_indonesian_404(desk: Desk) -> None:
    page = desk.client.get("/tidak-ada")
    assert page.status_code == 404
    assert "Halaman tidak ditemukan" in page.text and "Traceback" not in page.text


def test_wrong_method_is_an_indonesian_405(desk: Desk) -> None:
    page = desk.client.put("/lapor")
    assert page.status_code in (403, 405)  # refused before or by the router, never served
    assert '<html lang="id">' in page.text


def test_english_office_gets_english_pages(make_desk) -> None:  # type: ignore[no-untyped-def]
    import re

    from tests.conftest import DEFAULT_CONFIG

    office = re.search(r"\[office\]\n(.*?)\n\[", DEFAULT_CONFIG.read_text(), re.S)
    assert office
    body = re.sub(r'language = "id"', 'language = "en"', office.group(1))
    desk = make_desk(office=body)
    page = desk.client.get("/lapor")
    assert "ICT Service Complaint Form" in page.text
    assert '<label for="f-agency">Agency name' in page.text
    assert "Network" in page.text
