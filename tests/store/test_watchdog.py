"""The daemon watching itself: one alert when a job fails too long, one when it recovers."""

from __future__ import annotations

import datetime as dt

from helpdesk.jobs.watchdog import watch_jobs
from helpdesk.wiring import Site

T0 = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)


def _record(site: Site, error: str | None, at: dt.datetime) -> None:
    with site.store.transaction() as tx:
        tx.record_job("outbox", started=at, error=error, now=at)


def _alerts(site: Site) -> list[str]:
    with site.store.transaction() as tx:
        return [e.subject for e in tx.outbox() if e.kind == "help_desk.alert"]


def test_one_alert_after_the_limit_and_one_on_recovery(site: Site) -> None:
    """A job failing for 30 minutes raises one alert; its next success sends one recovery."""
    _record(site, "smtp: 535 login refused", T0)
    assert watch_jobs(site, now=T0 + dt.timedelta(minutes=10)) == []
    _record(site, "smtp: 535 login refused", T0 + dt.timedelta(minutes=31))
    assert watch_jobs(site, now=T0 + dt.timedelta(minutes=31)) == ["job:outbox"]
    assert watch_jobs(site, now=T0 + dt.timedelta(minutes=40)) == []
    _record(site, None, T0 + dt.timedelta(minutes=45))
    assert watch_jobs(site, now=T0 + dt.timedelta(minutes=46)) == ["job:outbox"]
    assert watch_jobs(site, now=T0 + dt.timedelta(minutes=50)) == []
    subjects = _alerts(site)
    assert len(subjects) == 2
    assert subjects == [
        "PERHATIAN: Pengiriman e-mail tidak berjalan",
        "PULIH: Pengiriman e-mail berjalan kembali",
    ]


def test_mailbox_not_read_for_too_long_raises_an_alert(site: Site) -> None:
    """A mailbox whose last good read is older than the limit is an alert even without errors."""
    with site.store.transaction() as tx:
        tx.record_job("mailbox", started=T0, error=None, now=T0)
    assert watch_jobs(site, now=T0 + dt.timedelta(minutes=45)) == ["job:mailbox"]
    assert _alerts(site) == ["PERHATIAN: Kotak surat pengaduan tidak dapat dibaca"]
