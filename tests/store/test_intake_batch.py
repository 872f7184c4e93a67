"""A fetched batch processed together stores what its messages processed one by one store.

`helpdesk.jobs.mailbox.process_batch` decides the batch's new reports first and stores a
run of them together; each other message waits for the run before it. The same mailbox
read one message at a time (each in its own transaction, as `intake inject` does) must
give the same tickets, numbers, events, incomplete reports, e-mails and stored messages.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import os
import random
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest

from helpdesk.config import load_config, with_section
from helpdesk.jobs.mailbox import Processed, process_batch, process_with_retries
from helpdesk.wiring import Site
from intake.imap import Fetched
from notifier.outbox import email_bytes
from tests.conftest import DEFAULT_CONFIG, PASSWORD_ENV, TEST_DB
from tests.mail import FORM_TEXT, email, without

NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))


def _site(folder: Path, request: pytest.FixtureRequest, name: str) -> Site:
    """An initialised site of its own (a database of its own), drawing its e-mails'
    Message-IDs, tokens and boundaries from a generator seeded alike for both sites."""
    folder.mkdir()
    text = DEFAULT_CONFIG.read_text(encoding="utf-8")
    if TEST_DB == "postgresql":
        server = request.getfixturevalue("postgres")
        database = f"b{os.getpid()}_{name}"
        url = server.create_database(database)
        request.addfinalizer(lambda: server.drop_database(database))
        text = with_section(text, "database", f'url = "{url}"\npassword_env = "{PASSWORD_ENV}"')
    (folder / "config.toml").write_text(text)
    here = Site(load_config(folder / "config.toml"))
    here.init()
    settings = here.office.settings
    sender = dataclasses.replace(settings.sender, rng=random.Random(2026))
    office = dataclasses.replace(here.office, settings=dataclasses.replace(settings, sender=sender))
    here.__dict__["office"] = office  # the cached office, its generator seeded
    return here


def _with_photo(sender: str, message_id: str) -> bytes:
    message = EmailMessage()
    message["From"], message["To"] = sender, "helpdesk@example.go.id"
    message["Subject"], message["Message-ID"] = "Pengaduan komputer", message_id
    message["Date"] = format_datetime(NOW - dt.timedelta(minutes=5))
    message.set_content(FORM_TEXT)
    message.add_attachment(
        b"\xff\xd8\xff\xe0 a photo", maintype="image", subtype="jpeg", filename="layar.jpg"
    )
    return bytes(message)


def _mailbox() -> list[bytes]:
    """A morning's mailbox: new reports complete and not, the same sender twice, an
    automatic reply, the reporter answering their own first e-mail, a message sent twice,
    an attachment, a mailing list."""
    first = email(message_id="<a1@dinkes.example.go.id>")
    twice = email(sender="eko@dishub.example.go.id", message_id="<t1@dishub.example.go.id>")
    return [
        first,
        email(
            without("Jabatan"),
            sender="Siti <siti@bpkad.example.go.id>",
            message_id="<i1@bpkad.example.go.id>",
        ),
        email(sender="dewi@bkd.example.go.id", message_id="<d1@bkd.example.go.id>"),
        email(
            "Tambahan: lampu modem merah.",
            message_id="<a2@dinkes.example.go.id>",
            subject="Re: Pengaduan jaringan internet",
            in_reply_to="<a1@dinkes.example.go.id>",
        ),
        email(sender="agus@dinsos.example.go.id", message_id="<g1@dinsos.example.go.id>"),
        twice,
        email(
            "Saya sedang cuti.",
            sender="x@dinsos.example.go.id",
            headers={"Auto-Submitted": "auto-replied"},
        ),
        twice,
        _with_photo("Rina <rina@bappeda.example.go.id>", "<p1@bappeda.example.go.id>"),
        email("Hanya satu kalimat keluhan.", sender="joko@setda.example.go.id"),
        email(sender="dewi@bkd.example.go.id", message_id="<d2@bkd.example.go.id>"),
        email(
            sender="wati@dindik.example.go.id",
            message_id="<w1@dindik.example.go.id>",
            headers={"List-Id": "<berita.example.go.id>"},
        ),
        email(sender="nur@inspektorat.example.go.id", message_id="<n1@inspektorat.example.go.id>"),
    ]


def _stored(here: Site) -> dict[str, list[Any]]:
    """What a site holds, by what a person reads of it (its rows' ids aside)."""
    with here.reader.transaction() as tx:
        tickets = tx.tickets()
        number = {t.id: t.number for t in tickets}
        ignored = {"id"}
        return {
            "tickets": [t.model_dump(exclude=ignored) for t in tickets],
            "events": [
                (number[e.ticket_id], e.model_dump(exclude={"id", "ticket_id"}))
                for t in tickets
                for e in tx.events(t)
            ],
            "inbound": [
                (m.uid, m.outcome, m.detail, number.get(m.ticket_id), m.submission_id)
                for m in tx.inbound_list()
            ],
            "outbox": [
                (
                    number.get(e.ticket_id),
                    e.submission_id,
                    e.kind,
                    e.recipients,
                    e.subject,
                    e.message_id,
                    e.status,
                    e.last_error,
                    email_bytes(e, here.office),
                )
                for e in tx.outbox()
            ],
            "attachments": [
                (number[t.id], a.filename, a.stored_path, a.sha256)
                for t in tickets
                for a in tx.attachments(t)
            ],
        }


def _fetched(raws: list[bytes]) -> list[Fetched]:
    return [Fetched(uid=n, raw=raw, internal_date=None, flags=()) for n, raw in enumerate(raws, 1)]


# Its two sites' databases are its own (`_site`); ``database`` marks it as a test of the
# database, so that it runs on PostgreSQL too (tests/conftest.py).
@pytest.mark.usefixtures("database")
def test_a_batch_stores_what_its_messages_store_one_by_one(
    tmp_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same mailbox, read as one batch and one message at a time, gives the same
    tickets in the same order of numbers, the same replies and e-mails, byte for byte."""
    import ticketing.desk

    raws = _mailbox()
    clock: Callable[[], dt.datetime] = lambda: NOW  # noqa: E731
    tokens = itertools.count(1)  # the tickets' access tokens (in the status links), alike
    monkeypatch.setattr(ticketing.desk, "new_access_token", lambda: f"token{next(tokens)}")
    together = _site(tmp_path / "together", request, "together")
    batched = process_batch(
        together, _fetched(raws), source="imap:INBOX", now=clock, attempts=3, uidvalidity=1
    )
    alone = _site(tmp_path / "alone", request, "alone")
    tokens = itertools.count(1)
    one_by_one = [
        process_with_retries(
            alone, item.raw, source="imap:INBOX", now=clock, attempts=3, uid=item.uid, uidvalidity=1
        )
        for item in _fetched(raws)
    ]
    assert batched == one_by_one
    made = [p.ticket for p in batched if p.outcome == "ticket" and not p.duplicate]
    assert made == [f"TIK-2026-0000{n}" for n in range(1, 8)]
    assert _stored(together) == _stored(alone)


def test_new_reports_that_cannot_be_stored_together_are_stored_one_by_one(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should storing a run of new reports together fail, none of it is kept and each is
    stored on its own: every one becomes its ticket once, numbered without a gap."""
    from ticketing.store.bulk import Bulk

    real = Bulk.insert_inbound
    calls: list[int] = []

    def fails_together(self: Bulk, rows: list[dict[str, Any]]) -> None:
        calls.append(len(rows))
        if len(rows) > 1:
            raise RuntimeError("the run cannot be stored together")
        real(self, rows)

    monkeypatch.setattr(Bulk, "insert_inbound", fails_together)
    raws = [
        email(sender=f"r{n}@dinkes.example.go.id", message_id=f"<r{n}@dinkes.example.go.id>")
        for n in range(3)
    ]
    results = process_batch(
        site, _fetched(raws), source="imap:INBOX", now=lambda: NOW, attempts=3, uidvalidity=1
    )
    assert results == [Processed("ticket", ticket=f"TIK-2026-0000{n}") for n in (1, 2, 3)]
    assert calls[0] == 3
    with site.reader.transaction() as tx:
        assert [t.number for t in tx.tickets()] == [f"TIK-2026-0000{n}" for n in (1, 2, 3)]
        assert [m.outcome for m in tx.inbound_list()] == ["ticket"] * 3
        assert len(tx.outbox()) == 6  # an acknowledgement and the help desk's copy each


@pytest.mark.usefixtures("database")  # on PostgreSQL too (see above)
def test_a_run_rolled_back_leaves_no_attachment_file_behind(
    tmp_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run of new reports stored together writes its attachments into the tickets'
    folders before its rows; should the run roll back, its files go with it, and the
    report stored on its own then keeps its photo under its own name (not beside the first
    copy, as ``layar-1.jpg``, in a folder another ticket might have taken)."""
    from ticketing.store.bulk import Bulk

    real = Bulk.insert_inbound

    def fails_together(self: Bulk, rows: list[dict[str, Any]]) -> None:
        if len(rows) > 1:
            raise RuntimeError("the run cannot be stored together")
        real(self, rows)

    monkeypatch.setattr(Bulk, "insert_inbound", fails_together)
    here = _site(tmp_path / "site", request, "site")
    raws = [
        _with_photo("Rina <rina@bappeda.example.go.id>", "<p1@bappeda.example.go.id>"),
        email(sender="b@dinkes.example.go.id", message_id="<b@dinkes.example.go.id>"),
    ]
    results = process_batch(
        here, _fetched(raws), source="imap:INBOX", now=lambda: NOW, attempts=3, uidvalidity=1
    )
    assert [r.ticket for r in results] == ["TIK-2026-00001", "TIK-2026-00002"]
    archive = here.config.path(here.config.paths.archive_dir)
    on_disk = sorted(str(p.relative_to(archive)) for p in archive.rglob("*") if p.is_file())
    with here.store.transaction() as tx:
        kept = sorted(a.stored_path for t in tx.tickets() for a in tx.attachments(t))
    assert on_disk == kept == ["TIK-2026-00001/layar.jpg"]
