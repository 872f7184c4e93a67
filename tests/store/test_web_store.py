"""The web application's records in the store: counted requests and registered forms."""

from __future__ import annotations

import datetime as dt

from helpdesk.service import register_complaint
from helpdesk.wiring import Site
from tests.conftest import FORM

NOW = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)


def test_hits_are_counted_per_kind_and_key_within_the_window(site: Site) -> None:
    with site.store.transaction() as tx:
        for minutes in (0, 10, 50):
            tx.add_hit("form", "10.0.0.1", NOW + dt.timedelta(minutes=minutes))
        tx.add_hit("form", "10.0.0.2", NOW)
        tx.add_hit("login_account", "10.0.0.1", NOW)
    with site.store.transaction() as tx:
        assert tx.count_hits("form", "10.0.0.1", NOW) == 3
        assert tx.count_hits("form", "10.0.0.1", NOW + dt.timedelta(minutes=5)) == 2
        tx.clear_hits("form", "10.0.0.1")
        assert tx.count_hits("form", "10.0.0.1", NOW) == 0
        assert tx.count_hits("form", "10.0.0.2", NOW) == 1
        tx.forget_hits_before(NOW + dt.timedelta(minutes=1))
        assert tx.count_hits("login_account", "10.0.0.1", NOW) == 0


def test_a_registered_form_is_found_by_its_id(site: Site) -> None:
    def keep(tx, registered):  # type: ignore[no-untyped-def]
        tx.add_web_submission("form-1", registered.ticket.id, NOW)

    outcome = register_complaint(site, FORM, channel="web", received_at=NOW,
                                 signature=FORM["email"], now=NOW, also=keep)  # fmt: skip
    with site.reader.transaction() as tx:
        found = tx.web_submission("form-1")
        assert found is not None and found.number == outcome.ticket.number  # type: ignore[union-attr]
        assert tx.web_submission("form-2") is None
