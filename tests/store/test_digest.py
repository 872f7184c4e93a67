"""The daily digest."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes
from email.policy import default as default_policy

from helpdesk.jobs.digest import send_digest_if_due
from helpdesk.service import register_complaint
from helpdesk.wiring import Site
from notifier.outbox import email_bytes
from tests.conftest import FORM

WIB = dt.timezone(dt.timedelta(hours=7))


def test_digest_once_a_day_after_its_time(site: Site) -> None:
    """Before 07:30 nothing; after it one digest to the help desk and one, a report, to the
    head of office, naming the overdue ticket; not a second one the same day."""
    monday = dt.datetime(2026, 11, 30, 9, 0, tzinfo=WIB)
    register_complaint(site, FORM, channel="phone", received_at=monday, signature="sari",
                       now=monday, officer="sari")  # fmt: skip
    tuesday = dt.datetime(2026, 12, 1, 7, 0, tzinfo=WIB)
    assert send_digest_if_due(site, now=tuesday) is False
    assert send_digest_if_due(site, now=tuesday.replace(hour=8)) is True
    assert send_digest_if_due(site, now=tuesday.replace(hour=9)) is False
    with site.store.transaction() as tx:
        digest, to_head = [e for e in tx.outbox() if e.kind == "help_desk.digest"]
    assert digest.recipients == ["sari.wulandari@example.go.id", "yoga.pratama@example.go.id"]
    assert to_head.recipients == ["kepala.dinas@example.go.id"]
    text, head_text = (
        message_from_bytes(email_bytes(e, site.office), policy=default_policy)
        .get_body(preferencelist=("plain",))
        .get_content()
        for e in (digest, to_head)
    )  # fmt: skip
    for each in (text, head_text):
        assert "Pengaduan terbuka: 1" in each and "TIK-2026-00001" in each
    assert "pesan yang gagal diproses: 0" in text
    assert "Yth. Tim Help Desk Layanan TIK," in text and "Bapak/Ibu" not in text
    assert "Yth. Ibu Kepala Dinas Komunikasi" in head_text and "Bapak/Ibu" not in head_text
    assert "sebagai laporan kami sampaikan ringkasan" in head_text
    assert "gagal diproses" not in head_text and "gagal terkirim" not in head_text
    assert send_digest_if_due(site, now=dt.datetime(2026, 12, 2, 7, 45, tzinfo=WIB)) is True
