"""Bounce tokens and records in the database: the migration that adds them, the lookups,
and the one record per e-mail and recipient."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from helpdesk.jobs.mailbox import process_message
from helpdesk.wiring import Site
from tests.bounces import delivery_report
from tests.mail import email
from ticketing import migrate
from ticketing.db import make_engine
from ticketing.models import BounceRecord

NOW = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)


def test_migration_gives_waiting_e_mails_a_token_and_sent_ones_none(tmp_path: Path) -> None:
    """An outbox from before tokens: e-mails still to be sent get one, so they go out with
    VERP; e-mails already sent keep none (a report about one cannot be verified)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate.upgrade(engine, "0008")
    insert = text(
        "INSERT INTO outbox (kind, recipient, recipients, subject, message_id, auto_submitted,"
        " raw, status, attempts, next_attempt_at, created_at) VALUES ('reporter.acknowledged',"
        " 'a@b.id', '[\"a@b.id\"]', 's', :id, 'auto-replied', x'00', :status, 0,"
        " '2026-11-30 02:00:00+00:00', '2026-11-30 02:00:00+00:00')"
    )
    with engine.begin() as conn:
        for n, status in enumerate(["pending", "sending", "sent", "dead"]):
            conn.execute(insert, {"id": f"<m{n}@x>", "status": status})
    migrate.upgrade(engine)
    with engine.connect() as conn:
        rows = dict(conn.execute(text("SELECT status, bounce_token FROM outbox")).all())
    assert rows["sent"] is None and rows["dead"] is None
    assert len(rows["pending"]) == 16 and len(rows["sending"]) == 16
    assert rows["pending"] != rows["sending"]


def test_queued_e_mails_can_be_found_by_their_tokens(site: Site) -> None:
    """Every e-mail queued has its own token, and the store finds it by that token only."""
    process_message(site, email(), source="inject", now=NOW)
    with site.store.transaction() as tx:
        [ack, copy] = tx.outbox()  # the acknowledgement, and the help desk's copy
        assert ack.bounce_token and len(ack.bounce_token) == 16
        assert copy.bounce_token and copy.bounce_token != ack.bounce_token
        assert [e.id for e in tx.outbox_by_tokens(["zzzzzzzzzzzzzzzz", ack.bounce_token])] == [
            ack.id
        ]
        assert tx.outbox_by_tokens([]) == []


def test_one_record_per_e_mail_and_recipient(site: Site) -> None:
    """The database refuses a second record of the same failure (two processes reading two
    copies of one report at once: one of them retries and finds the first)."""
    process_message(site, email(), source="inject", now=NOW)
    with site.store.transaction() as tx:
        [ack, _copy] = tx.outbox()
        assert ack.id is not None
        tx.add_bounce_record(
            BounceRecord(outbox_id=ack.id, recipient="a@b.id", first_at=NOW, last_at=NOW)
        )
    with pytest.raises(IntegrityError), site.store.transaction() as tx:
        tx.add_bounce_record(
            BounceRecord(outbox_id=ack.id, recipient="a@b.id", first_at=NOW, last_at=NOW)
        )


def test_report_about_an_unsent_e_mail_changes_nothing_in_the_store(site: Site) -> None:
    """A report with the right token and recipient, for an e-mail still in the outbox, is
    stored as unverified and leaves the e-mail and its ticket as they were."""
    process_message(site, email(), source="inject", now=NOW)
    with site.store.transaction() as tx:
        [ack, _copy] = tx.outbox()
    report = delivery_report(
        to=f"helpdesk+b-{ack.bounce_token}@example.go.id", recipient=ack.recipient,
        original_id=ack.message_id,
    )  # fmt: skip
    processed = process_message(site, report, source="inject", now=NOW)
    assert processed.outcome == "bounce" and processed.detail.startswith("unverified: ")
    with site.store.transaction() as tx:
        [same, _copy] = tx.outbox()
        assert same.id == ack.id
        assert (same.status, same.last_error) == ("pending", None)
        assert tx.bounce_records(same.id or 0) == []
