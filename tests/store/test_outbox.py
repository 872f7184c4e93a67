"""The outbox in the store: same-transaction queueing, rate limits, claims, retries."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import pytest

from helpdesk.config import load_config
from helpdesk.service import register_complaint
from helpdesk.wiring import Site
from notifier.outbox import RetryPolicy, email_bytes
from notifier.policy import Office
from tests.conftest import FORM
from ticketing.desk import Registered
from ticketing.models import OutboxEmail
from ticketing.store import Tx
from ticketing.workflow import Rejected

WIB = dt.timezone(dt.timedelta(hours=7))
MONDAY = dt.datetime(2026, 11, 30, 9, 0, tzinfo=WIB)


def _email_complaint(
    site: Site,
    now: dt.datetime = MONDAY,
    address: str = "budi@dinkes.example.go.id",
    message_id: str = "<abc@mail.example.id>",
) -> Registered:
    outcome = register_complaint(
        site, {**FORM, "email": address}, channel="email", received_at=now, signature=address,
        now=now, source_message_id=message_id,
    )  # fmt: skip
    assert isinstance(outcome, Registered)
    return outcome


def _phoned(site: Site) -> Registered:
    """A call registered by a help-desk officer on Monday morning, with its acknowledgement."""
    outcome = register_complaint(
        site, FORM, channel="phone", received_at=MONDAY, signature="sari", now=MONDAY,
        officer="sari",
    )  # fmt: skip
    assert isinstance(outcome, Registered)
    return outcome


def _acknowledgements(tx: Tx) -> list[OutboxEmail]:
    """The reporters' acknowledgements in the outbox (each e-mailed complaint's copy to the
    help desk is there too)."""
    return [e for e in tx.outbox() if e.kind == "reporter.acknowledged"]


def test_event_and_its_e_mail_commit_together(site: Site) -> None:
    """The acknowledgement and the help desk's copy are stored with the event that calls
    for them, and name it."""
    registered = _email_complaint(site)
    with site.store.transaction() as tx:
        [email, copy] = tx.outbox()
        [create] = tx.events(registered.ticket)
    assert (email.kind, copy.kind) == ("reporter.acknowledged", "help_desk.new_ticket")
    assert email.event_id == copy.event_id == create.id
    assert email.ticket_id == copy.ticket_id == registered.ticket.id


def test_failed_transaction_leaves_no_e_mail(site: Site) -> None:
    """When the transaction fails after the event, neither the ticket nor its e-mail exists."""

    def crash(tx: Tx, registered: Registered) -> None:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        register_complaint(
            site, FORM, channel="phone", received_at=MONDAY, signature="sari", now=MONDAY,
            officer="sari", also=crash,
        )  # fmt: skip
    with site.store.transaction() as tx:
        assert tx.outbox() == [] and tx.tickets() == []


def test_reply_to_reporter_threads_to_their_e_mail(site: Site) -> None:
    """The acknowledgement of an e-mailed complaint answers the reporter's own message."""
    _email_complaint(site)
    with site.store.transaction() as tx:
        [email] = _acknowledgements(tx)
    message = message_from_bytes(email_bytes(email, site.office), policy=default_policy)
    assert message["In-Reply-To"] == "<abc@mail.example.id>"
    assert message["References"] == "<abc@mail.example.id>"
    assert message["Auto-Submitted"] == "auto-replied"


def test_auto_replies_to_one_address_are_capped(site: Site) -> None:
    """Past the hourly limit, automatic replies to one address are kept but not sent."""
    for n in range(6):
        _email_complaint(site, now=MONDAY + dt.timedelta(minutes=n), message_id=f"<m{n}@x.id>")
    with site.store.transaction() as tx:
        statuses = [e.status for e in _acknowledgements(tx)]
        suppressed = tx.outbox(["suppressed"])
        copies = [e.status for e in tx.outbox() if e.kind == "help_desk.new_ticket"]
    assert statuses == ["pending"] * 5 + ["suppressed"]
    assert [e.kind for e in suppressed] == ["reporter.acknowledged"]
    assert "auto-reply limit" in (suppressed[0].last_error or "")
    assert copies == ["pending"] * 6  # the help desk's copies are no automatic replies
    _email_complaint(site, now=MONDAY + dt.timedelta(minutes=61), message_id="<later@x.id>")
    with site.store.transaction() as tx:
        assert _acknowledgements(tx)[-1].status == "pending"


def test_limit_is_per_address(site: Site) -> None:
    """Another reporter is not held back by the first one's replies."""
    for n in range(5):
        _email_complaint(site, message_id=f"<m{n}@x.id>")
    _email_complaint(site, address="siti@bpkad.example.go.id", message_id="<s@x.id>")
    with site.store.transaction() as tx:
        last = _acknowledgements(tx)[-1]
    assert (last.recipient, last.status) == ("siti@bpkad.example.go.id", "pending")


def test_claims_never_overlap_and_expired_leases_return(site: Site) -> None:
    """Two claims get different e-mails; an e-mail whose sender died is claimed again later."""
    for n in range(2):  # two acknowledgements and the help desk's two copies
        _email_complaint(site, address=f"p{n}@dinkes.example.go.id", message_id=f"<m{n}@x.id>")
    lease = MONDAY + dt.timedelta(minutes=5)
    with site.store.transaction() as tx:
        first = tx.claim_due(MONDAY, lease, 3)
    with site.store.transaction() as tx:
        second = tx.claim_due(MONDAY, lease, 3)
    assert len(first) == 3 and len(second) == 1 and not set(first) & set(second)
    with site.store.transaction() as tx:
        assert tx.claim_due(MONDAY + dt.timedelta(minutes=1), lease, 10) == []
    with site.store.transaction() as tx:
        again = tx.claim_due(MONDAY + dt.timedelta(minutes=6), lease, 10)
    assert sorted(again) == sorted(first + second)


def test_a_claim_settled_touches_only_what_it_still_holds(site: Site) -> None:
    """What a database fault left unrecorded of a claim is recorded once it is back: the
    e-mail the server took marked sent, the others given back, due at once; an e-mail
    whose claim ran out and that another sender took meanwhile is left to that sender."""
    for n in range(2):  # two acknowledgements and the help desk's two copies
        _email_complaint(site, address=f"p{n}@dinkes.example.go.id", message_id=f"<m{n}@x.id>")
    lease = MONDAY + dt.timedelta(minutes=5)
    with site.store.transaction() as tx:
        sent, unsent, taken, other = tx.claim_due(MONDAY, lease, 4)
    later = MONDAY + dt.timedelta(minutes=6)
    with site.store.transaction() as tx:  # the claim ran out; another sender takes one
        [again] = tx.claim_due(later, later + dt.timedelta(minutes=5), 1)
    assert again == sent
    with site.store.transaction() as tx:
        [again] = tx.claim_due(later, later + dt.timedelta(minutes=5), 1)
    assert again == unsent
    with site.store.transaction() as tx:
        at = MONDAY + dt.timedelta(seconds=3)
        done = tx.settle_claim(lease, {sent: (at, b"raw"), taken: (at, b"raw")}, [unsent, other])
    assert done == (1, 1)  # ``taken``: marked sent; ``other``: given back
    with site.store.transaction() as tx:
        rows = tx.outbox_emails([sent, unsent, taken, other])
    assert [rows[i].status for i in (sent, unsent, taken, other)] == [
        "sending", "sending", "sent", "pending"
    ]  # fmt: skip
    assert (rows[taken].sent_at, rows[taken].raw, rows[taken].lease_until) == (at, b"raw", None)
    assert rows[other].lease_until is None and rows[other].attempts == 0
    with site.store.transaction() as tx:
        assert tx.claim_due(MONDAY, lease, 10) == [other]


def test_retry_policy_doubles_up_to_its_cap() -> None:
    """Waits double from the base, stop at the cap, and end after the last attempt."""
    policy = RetryPolicy(base_seconds=60, cap_seconds=300, max_attempts=5)
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    waits = [policy.next_attempt(n, now) for n in range(1, 6)]
    assert [(w - now).total_seconds() if w else None for w in waits] == [
        60, 120, 240, 300, None,
    ]  # fmt: skip


def test_final_report_keeps_internal_notes_internal(site: Site) -> None:
    """The reporter's Laporan Akhir shows the steps and the solution, not the staff's notes."""
    from helpdesk.service import move_ticket
    from ticketing.workflow import Action, Move

    number = _phoned(site).ticket.number
    for request in (
        Move(Action.NOTE, "sari", note="Sandi admin router: rahasia123"),
        Move(Action.ESCALATE, "sari", note="Router mati total"),
        Move(Action.DISPOSE, "rudi", technician="agus"),
        Move(Action.RESOLVE, "agus", note="Adaptor router diganti."),
    ):
        assert not isinstance(move_ticket(site, number, request, now=MONDAY), Rejected)
    with site.store.transaction() as tx:
        [final] = [e for e in tx.outbox() if e.kind == "reporter.final_report"]
    message = message_from_bytes(email_bytes(final, site.office), policy=default_policy)
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Adaptor router diganti." in text
    assert "rahasia123" not in text and "Router mati total" not in text
    assert "Dieskalasikan oleh Sari Wulandari ke Unit Jaringan" in text


def _plain(email: OutboxEmail, office: Office) -> str:
    message = message_from_bytes(email_bytes(email, office), policy=default_policy)
    return message.get_body(preferencelist=("plain",)).get_content()


def test_an_acknowledgement_says_the_ticket_as_registered_whatever_it_became(site: Site) -> None:
    """An acknowledgement not yet sent when its ticket is corrected and escalated (the daemon
    down, the mail server unreachable) still acknowledges the complaint as it was registered,
    and the help desk's copy of an e-mailed one too: the same bytes as before."""
    from helpdesk.service import edit_ticket, move_ticket
    from ticketing.workflow import Action, Move

    phoned = _phoned(site)
    mailed = _email_complaint(site)
    with site.store.transaction() as tx:
        queued = tx.outbox()
        before = [email_bytes(e, site.office) for e in queued]
    assert [e.kind for e in queued] == [
        "reporter.acknowledged", "reporter.acknowledged", "help_desk.new_ticket",
    ]  # fmt: skip
    later = MONDAY + dt.timedelta(minutes=20)
    for number in (phoned.ticket.number, mailed.ticket.number):
        changed = {"description": "Ternyata kabel LAN putus.", "agency": "Dinas Pendidikan"}
        assert not isinstance(edit_ticket(site, number, "sari", changed, now=later), Rejected)
        escalate = Move(Action.ESCALATE, "sari", note="Perlu teknisi")
        if number == mailed.ticket.number:
            taken = move_ticket(site, number, Move(Action.TAKE, "sari"), now=later)
            assert not isinstance(taken, Rejected)
        assert not isinstance(move_ticket(site, number, escalate, now=later), Rejected)
    with site.store.transaction() as tx:
        after = [email_bytes(tx.outbox_email(e.id), site.office) for e in queued]
        assert all(t.state == "escalated" for t in tx.tickets())
    assert after == before
    text = _plain(queued[0], site.office)
    assert FORM["description"] in text and "Ternyata kabel LAN putus." not in text
    assert "layanan tingkat pertama" in text


def test_an_acknowledgement_not_yet_sent_takes_the_offices_settings_of_now(
    site: Site, site_dir: Path
) -> None:
    """What an acknowledgement says of the office (its telephone, here) is what the
    configuration says when the e-mail is sent: one queued before the office changed its
    number gives the new one."""
    from tests.faults.support import configure

    _phoned(site)
    with site.store.transaction() as tx:
        [ack] = tx.outbox()
    assert "Telepon: (0254) 123456" in _plain(ack, site.office)
    configure(site_dir, {"office.phone": "(0254) 654321"})
    now = Site(load_config(site_dir / "config.toml"))
    text = _plain(ack, now.office)
    assert "Telepon: (0254) 654321" in text and "123456" not in text


@pytest.mark.parametrize(
    "changed", [{"office.language": "en"}, {"sop.first_level": "4h", "sop.registration": "2h"}]
)
def test_an_acknowledgement_keeps_its_language_and_the_sops_promise(
    site: Site, site_dir: Path, changed: dict[str, object]
) -> None:
    """The office switching its language, or its SOP's times, before an acknowledgement goes
    out leaves it as queued: in the language it was queued in (its subject as listed, and
    every word of it), with the deadlines and standards the SOP gave at registration. The
    help desk's copy of an e-mailed complaint too."""
    from tests.faults.support import configure

    _phoned(site)
    _email_complaint(site)
    with site.store.transaction() as tx:
        queued = tx.outbox()
    before = [email_bytes(e, site.office) for e in queued]
    configure(site_dir, changed)
    now = Site(load_config(site_dir / "config.toml"))
    assert [email_bytes(e, now.office) for e in queued] == before
    for email, raw in zip(queued, before, strict=True):
        assert message_from_bytes(raw, policy=default_policy)["Subject"] == email.subject
    assert "standar waktu 2 jam, yaitu sampai Senin, 30 November 2026 pukul 11.00 WIB" in " ".join(
        _plain(queued[0], now.office).split()
    )


EARLIER = Path(__file__).parents[1] / "fixtures" / "outbox" / "acknowledgement-with-context"


def test_an_acknowledgement_queued_with_its_context_by_an_earlier_version_still_goes(
    site: Site,
) -> None:
    """An acknowledgement queued before acknowledgements were composed when sent (its draft
    holds the context itself, as the version of 2026-12-03 stored it: the fixture's JSON)
    renders after the upgrade as that version rendered it (the fixture's bytes)."""
    import json

    _phoned(site)
    stored = json.loads(EARLIER.with_suffix(".json").read_text(encoding="utf-8"))
    assert "context" in stored["draft"] and "facts" not in stored["draft"]
    with site.store.transaction() as tx:
        [ack] = tx.outbox()
        ack.draft = json.dumps(stored["draft"])
        ack.message_id, ack.bounce_token = stored["message_id"], stored["bounce_token"]
        tx.session.add(ack)
    with site.store.transaction() as tx:
        earlier = tx.outbox_email(ack.id)
        assert earlier is not None and earlier.kind == stored["kind"]
        assert email_bytes(earlier, site.office) == EARLIER.with_suffix(".eml").read_bytes()


def test_an_acknowledgement_queued_before_a_new_column_still_goes(site: Site) -> None:
    """A column the ticket gains later (a migration; here its unit and deadline, which may
    be empty) is absent from the facts of an acknowledgement queued before: it is composed
    with that column empty, the same e-mail. One lacking a column that always holds a
    value is not composed half-made (tests/integration/test_outbox_smtp.py)."""
    import json

    _phoned(site)
    with site.store.transaction() as tx:
        [ack] = tx.outbox()
        before = email_bytes(ack, site.office)
        assert ack.draft is not None
        stored = json.loads(ack.draft)
        assert stored["facts"]["ticket"]["unit"] is None
        del stored["facts"]["ticket"]["unit"], stored["facts"]["ticket"]["closed_at"]
        ack.draft = json.dumps(stored)
        tx.session.add(ack)
    with site.store.transaction() as tx:
        earlier = tx.outbox_email(ack.id)
        assert earlier is not None
        assert email_bytes(earlier, site.office) == before


def test_incomplete_report_reply_is_queued_as_an_auto_reply(site: Site) -> None:
    """The reply to an incomplete report answers the reporter's message and lists each problem."""
    from notifier.outbox import queue
    from notifier.policy import incomplete_notice
    from ticketing.formulir import Incomplete, check_formulir

    checked = check_formulir({**FORM, "phone": "", "sex": "x"}, site.desk.fields)
    assert isinstance(checked, Incomplete)
    notice = incomplete_notice(
        site.office, address="budi@dinkes.example.go.id", name="Budi Santoso", sex=None,
        subject="Internet mati", problems=checked.problems, understood=checked.understood,
    )  # fmt: skip
    with site.store.transaction() as tx:
        [email] = queue(tx, site.office, [notice], now=MONDAY, in_reply_to="<orig@mail.id>")
    message = message_from_bytes(email_bytes(email, site.office), policy=default_policy)
    assert message["Subject"] == "Laporan belum lengkap: Internet mati"
    assert message["In-Reply-To"] == "<orig@mail.id>"
    assert message["Auto-Submitted"] == "auto-replied"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Nomor Telepon / HandPhone belum diisi." in text
    assert "Jenis Kelamin tidak valid" in text
    assert "Nama Pelapor: Budi Santoso" in text


class _Undone(Exception):
    """Raised to roll a savepoint back."""


def test_what_an_e_mail_draws_comes_from_the_senders_generator(site: Site) -> None:
    """The outbox draws each e-mail's Message-ID, bounce token and MIME boundary from the
    generator of the office's sender: seeded alike, it queues the same e-mail."""
    import contextlib
    import dataclasses
    import random

    from notifier.outbox import queue
    from notifier.policy import held_notice

    notice = held_notice(site.office, address="budi@dinkes.example.go.id", name="Budi", count=9)
    drawn = []
    with site.store.transaction() as tx:
        for seed in (1, 1, 2):
            settings = site.office.settings
            sender = dataclasses.replace(settings.sender, rng=random.Random(seed))
            office = dataclasses.replace(site.office, settings=dataclasses.replace(
                settings, sender=sender))  # fmt: skip
            with contextlib.suppress(_Undone), tx.savepoint():
                [email] = queue(tx, office, [notice], now=MONDAY)
                drawn.append((email.message_id, email.bounce_token, email_bytes(email, office)))
                raise _Undone  # the next one takes the same Message-ID
    first, again, other = drawn
    assert first == again
    assert all(a != b for a, b in zip(first, other, strict=True))
