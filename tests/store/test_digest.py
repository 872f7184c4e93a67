"""The daily digest."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes
from email.policy import default as default_policy

from helpdesk.jobs.digest import send_digest_if_due
from helpdesk.service import register_complaint
from helpdesk.wiring import Site
from tests.conftest import FORM

WIB = dt.timezone(dt.timedelta(hours=7))


def test_digest_once_a_day_after_its_time(site: Site) -> None:
    """Before 07:30 nothing; after it one digest to the help desk and the head of office,
    naming the overdue ticket; not a second one the same day."""
    monday = dt.datetime(2026, 11, 30, 9, 0, tzinfo=WIB)
    register_complaint(site, FORM, channel="phone", received_at=monday, signature="sari",
                       now=monday, officer="sari")  # fmt: skip
    tuesday = dt.datetime(2026, 12, 1, 7, 0, tzinfo=WIB)
    assert send_digest_if_due(site, now=tuesday) is False
    assert send_digest_if_due(site, now=tuesday.replace(hour=8)) is True
    assert send_digest_if_due(site, now=tuesday.replace(hour=9)) is False
    with site.store.transaction() as tx:
        [digest] = [e for e in tx.outbox() if e.kind == "help_desk.digest"]
    assert digest.recipients == [
        "sari.wulandari@example.go.id", "yoga.pratama@example.go.id", "kepala.dinas@example.go.id",
    ]  # fmt: skip
    text = (
        message_from_bytes(digest.raw, policy=default_policy)
        .get_body(preferencelist=("plain",))
        .get_content()
    )
    assert "Pengaduan terbuka: 1" in text and "TIK-2026-00001" in text
    assert send_digest_if_due(site, now=dt.datetime(2026, 12, 2, 7, 45, tzinfo=WIB)) is True
