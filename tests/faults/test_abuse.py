"""Abuse: a sender who mails the help desk 500 times in a minute, and auto-responders that
answer every e-mail the help desk sends them.

The bounds the configuration promises (config.toml, README "The complaint mailbox" and
"E-mails"): past ``intake.sender_messages_per_hour`` messages a sender is held, told once,
and their further mail is kept unprocessed; automatic replies to one address are capped at
``notifier.auto_reply_limit_per_hour``; automatic mail is archived and never answered.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from pathlib import Path

import pytest

from helpdesk.testing.imap import DovecotServer
from helpdesk.testing.smtp import Received, Sink
from tests.faults.support import (
    count,
    deliver,
    folder_contents,
    helpdesk,
    message_id,
    query,
)
from tests.mail import FORM_TEXT, email

NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
MESSAGES_PER_HOUR = 20  # intake.sender_messages_per_hour in config.toml
AUTO_REPLIES_PER_HOUR = 5  # notifier.auto_reply_limit_per_hour in config.toml


def _to(sink: Sink, address: str) -> list[Received]:
    return [r for r in sink.received if address in r.recipients]


def test_sender_mailing_500_times_in_a_minute_gets_a_bounded_number_of_replies(
    site: Path, dovecot: DovecotServer, sink: Sink
) -> None:
    """500 complaints from one address within a minute, read in one round of the daemon:
    every one is kept, at most 20 make tickets, and the sender gets at most five
    acknowledgements plus the one notice that they are held."""
    config = (site / "config.toml").read_text()
    assert f"sender_messages_per_hour = {MESSAGES_PER_HOUR}" in config
    assert f"auto_reply_limit_per_hour = {AUTO_REPLIES_PER_HOUR}" in config
    flooder = "budi.santoso@dinkes.example.go.id"  # also the form's e-mail: acks go there
    flood = [
        email(
            FORM_TEXT,
            sender=f"Budi Santoso <{flooder}>",
            subject=f"Pengaduan ke-{n}",
            message_id=f"<banjir{n}@dinkes.example.go.id>",
            date=NOW - dt.timedelta(seconds=60 - n * 60 / 500),
        )  # fmt: skip
        for n in range(500)
    ]
    deliver(dovecot.port, flood)

    done = helpdesk(site, "run", "--once", now=(NOW + dt.timedelta(minutes=1)).isoformat())
    assert done.returncode == 0, done.stderr[-3000:]

    # Nothing lost: all 500 kept, none left in the inbox.
    outcomes = Counter(o for (o,) in query(site, "SELECT outcome FROM inbound"))
    assert outcomes == Counter({"ticket": MESSAGES_PER_HOUR, "held": 500 - MESSAGES_PER_HOUR})
    folders = folder_contents(dovecot.port)
    assert folders["INBOX"] == [] and len(folders["Ignored"]) == 500 - MESSAGES_PER_HOUR
    holds = query(site, "SELECT address, count FROM sender_hold WHERE released_at IS NULL")
    assert holds == [(flooder, MESSAGES_PER_HOUR + 1)]

    # Bounded replies: five acknowledgements went, the other 15 are kept but not sent;
    # and the one notice of the hold reached the sender.
    received = _to(sink, flooder)
    kinds = Counter(
        kind for (kind,) in query(
            site, "SELECT kind FROM outbox WHERE recipient = ? AND status = 'sent'", flooder
        )
    )  # fmt: skip
    assert kinds == Counter({"reporter.acknowledged": AUTO_REPLIES_PER_HOUR, "reporter.held": 1})
    assert len(received) == AUTO_REPLIES_PER_HOUR + 1
    assert count(site, "SELECT count(*) FROM outbox WHERE status = 'suppressed'") == (
        MESSAGES_PER_HOUR - AUTO_REPLIES_PER_HOUR
    )
    assert all(r.message["Auto-Submitted"] == "auto-replied" for r in received)


# --- auto-responders ---------------------------------------------------------------------

MARKED = "liburan@bpkad.example.go.id"  # an out-of-office reply that says what it is
UNMARKED = "otomatis@dishub.example.go.id"  # a home-made responder that marks nothing
MARKS = itertools.cycle([
    {"Auto-Submitted": "auto-replied"}, {"X-Autoreply": "yes"}, {"Precedence": "bulk"},
    {"Auto-Submitted": "auto-generated (vacation)"}, {"X-Autorespond": "true"},
])  # fmt: skip


def _answer(to_us: Received, responder: str, n: int) -> bytes:
    """What each responder sends back at once, to the help desk, in the thread."""
    ours = to_us.message
    headers = {"In-Reply-To": ours["Message-ID"], "References": ours["Message-ID"]}
    if responder == MARKED:
        headers.update(next(MARKS))
        subject = f"Out of office: {ours['Subject']}"
        text = "Saya sedang cuti sampai 10 Desember. Pesan Anda tidak diteruskan."
    else:
        subject = f"Re: {ours['Subject']}"
        text = "Terima kasih, pesan Anda sudah kami terima dan akan segera kami baca."
    return email(
        text, sender=responder, subject=subject, headers=headers,
        message_id=f"<jawab{n}@{responder.split('@')[1]}>",
    )  # fmt: skip


def test_auto_responders_get_a_bounded_number_of_replies_and_marked_ones_none(
    site: Path, dovecot: DovecotServer, sink: Sink, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two auto-responders answer every e-mail of the help desk within the minute, each
    after writing to it once. The daemon's rounds (the real jobs, in this process, a minute
    apart) answer the marked one's first message and none of its automatic replies; they
    answer the unmarked one at most five times in the hour, and the loop dies out."""
    from helpdesk.config import load_config
    from helpdesk.daemon import run_once
    from helpdesk.wiring import Site

    first = {
        responder: email(
            "Mohon bantuan, internet kantor kami mati.",
            sender=responder,
            subject="Internet mati",
            message_id=f"<awal@{responder.split('@')[1]}>",
            date=NOW - dt.timedelta(minutes=1),
        )  # fmt: skip
        for responder in (MARKED, UNMARKED)
    }
    deliver(dovecot.port, first.values())
    here = Site(load_config(site / "config.toml"))
    answered = 0
    ours_seen = 0
    quiet_rounds = 0
    for minute in range(40):
        monkeypatch.setenv("HELPDESK_NOW", (NOW + dt.timedelta(minutes=minute)).isoformat())
        assert run_once(here), f"round {minute} failed"
        new = sink.received[ours_seen:]
        ours_seen = len(sink.received)
        answers = []
        for to_us in new:
            for responder in (MARKED, UNMARKED):
                if responder in to_us.recipients:
                    answered += 1
                    answers.append(_answer(to_us, responder, answered))
        if answers:
            deliver(dovecot.port, answers)
        quiet_rounds = 0 if new else quiet_rounds + 1
        if quiet_rounds == 3:
            break
    assert quiet_rounds == 3, "the responders and the help desk were still writing after 40 min"

    # The marked responder: its first, human-looking message got one answer; none of its
    # automatic replies was answered, and each was archived as automatic.
    assert len(_to(sink, MARKED)) == 1
    marked = query(site, "SELECT message_id, outcome FROM inbound WHERE from_address = ?", MARKED)
    assert len(marked) == 2 and marked[1][1] == "automatic"
    # The unmarked one: at most the hourly limit of automatic replies went out, the rest
    # were kept unsent; the conversation stopped there.
    to_unmarked = _to(sink, UNMARKED)
    assert 1 < len(to_unmarked) <= AUTO_REPLIES_PER_HOUR
    suppressed = count(site, "SELECT count(*) FROM outbox WHERE recipient = ? "
                             "AND status = 'suppressed'", UNMARKED)  # fmt: skip
    assert suppressed >= 1
    print(
        f"{minute + 1} rounds; {len(to_unmarked)} replies to the unmarked responder, "
        f"{suppressed} kept unsent; 1 to the marked one"
    )

    # Never an answer to automatic mail: no e-mail of ours replies to one.
    automatic = {m for (m,) in query(site, "SELECT message_id FROM inbound "
                                           "WHERE outcome = 'automatic'")}  # fmt: skip
    assert len(automatic) == len(_to(sink, MARKED)) and automatic  # one automatic per answer
    for ours in (r.message for r in sink.received):
        assert ours["In-Reply-To"] not in automatic
        assert ours["Auto-Submitted"] in ("auto-replied", "auto-generated")
    inbox = folder_contents(dovecot.port)
    assert inbox["INBOX"] == []
    assert sorted(message_id(r) for r in inbox["Ignored"]) == sorted(automatic)
