"""The real `helpdesk web` process: it serves the pages at [web] listen and stops."""

from __future__ import annotations

import urllib.error
import urllib.request

from tests.e2e.web import Served


def test_web_process_serves_the_form_and_404s_in_indonesian(served: Served) -> None:
    with urllib.request.urlopen(f"{served.url}/lapor", timeout=30) as page:
        html = page.read().decode()
    assert "Formulir Pengaduan Layanan TIK" in html
    try:
        urllib.request.urlopen(f"{served.url}/tiket/TIK-2026-00001?k=salah", timeout=30)
    except urllib.error.HTTPError as exc:
        assert exc.code == 404
        assert "Halaman tidak ditemukan" in exc.read().decode()
    else:
        raise AssertionError("a wrong token was served")
