"""Everyone in the SOP acts by replying to the e-mail they received; a reply is believed to
be its sender's only when it answers an e-mail of ours to that address (and, where the
office's mail server is named, that server vouches for the sender)."""

from __future__ import annotations

import json
from typing import Any

from tests.cli.conftest import Cli
from tests.mail import email

NUMBER = "TIK-2026-00001"
BUDI = "Budi Santoso <budi.santoso@dinkes.example.go.id>"
RUDI = "Rudi Hartono <rudi.hartono@example.go.id>"
AGUS = "Agus Setiawan <agus.setiawan@example.go.id>"
DEWI = "Dewi Lestari <dewi.lestari@example.go.id>"
QUOTE = "\n\nPada Senin, 30 Nov 2026 09.10, Help Desk menulis:\n> Balas BELUM bila belum.\n"
YAHOO = "\n\nDikirim dari Yahoo Mail di Android"


def outbox(cli: Cli) -> list[dict[str, Any]]:
    return json.loads(cli("outbox", "list", "--json").stdout)


def last(cli: Cli, kind: str) -> dict[str, Any]:
    found = [e for e in outbox(cli) if e["kind"] == kind]
    assert found, f"no {kind} e-mail in {[e['kind'] for e in outbox(cli)]}"
    return found[-1]


def ticket(cli: Cli) -> dict[str, Any]:
    return json.loads(cli("ticket", "show", NUMBER, "--json").stdout)


def reply(inject, to: dict[str, Any], body: str, sender: str, **kw: Any):  # type: ignore[no-untyped-def]
    """A reply to our e-mail ``to``, as a mail client writes it (In-Reply-To, References)."""
    now = kw.pop("now", "2026-11-30T11:00:00+07:00")
    raw = email(
        body, sender=sender, subject="Re: " + to["subject"], in_reply_to=to["message_id"], **kw
    )
    return inject(raw, now=now)


def escalated(inject, ready: Cli) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A complaint taken and escalated to the jaringan unit: the unit head's e-mail."""
    inject(email())
    ready("ticket", "take", NUMBER, "--by", "sari")
    ready("ticket", "escalate", NUMBER, "--by", "sari")
    return last(ready, "unit_head.escalated")


def test_a_complaint_goes_to_closure_by_replies_alone(inject, ready: Cli) -> None:  # type: ignore[no-untyped-def]
    """After the escalation: the unit head disposes, the technician solves, the reporter
    confirms, each by replying to the e-mail they received."""
    escalation = escalated(inject, ready)
    reply(inject, escalation, "DISPOSISI Agus Setiawan\nMohon periksa switch lantai 2" + QUOTE,
          RUDI)  # fmt: skip
    state = ticket(ready)
    assert (state["state"], state["technician"]) == ("disposed", "agus")
    dispose = state["events"][-1]
    assert (dispose["action"], dispose["actor"], dispose["note"]) == (
        "dispose", "rudi", "Mohon periksa switch lantai 2",
    )  # fmt: skip
    assert dispose["data"]["answers_outbox_id"] == escalation["id"]
    accepted = last(ready, "staff.command_accepted")
    assert accepted["recipients"] == ["rudi.hartono@example.go.id"]

    disposition = last(ready, "technician.disposed")
    reply(inject, disposition, "*SELESAI*\nSwitch lantai 2 diganti." + YAHOO, AGUS)
    assert ticket(ready)["state"] == "resolved"

    final = last(ready, "reporter.final_report")
    reply(inject, final, "Ya, sudah normal. Terima kasih" + YAHOO + QUOTE, BUDI)
    state = ticket(ready)
    assert state["state"] == "closed"
    close = state["events"][-1]
    assert (close["action"], close["actor"]) == ("close", "budi.santoso@dinkes.example.go.id")
    assert last(ready, "reporter.closed")["recipients"] == ["budi.santoso@dinkes.example.go.id"]


def test_not_yet_reopens_to_the_technician(inject, ready: Cli) -> None:  # type: ignore[no-untyped-def]
    escalated(inject, ready)
    ready("ticket", "dispose", NUMBER, "--by", "rudi", "--to", "agus")
    ready("ticket", "resolve", NUMBER, "--by", "agus", "--solution", "Kabel diganti")
    final = last(ready, "reporter.final_report")
    reply(inject, final, "Belum, internet masih putus di lantai 2." + QUOTE, BUDI)
    state = ticket(ready)
    assert (state["state"], state["assignee"]) == ("disposed", "agus")
    assert state["events"][-1]["note"] == "Belum, internet masih putus di lantai 2."
    assert "agus.setiawan@example.go.id" in last(ready, "staff.reopened")["recipients"]


def test_an_unclear_answer_moves_nothing_and_the_help_desk_is_asked_to_call(
    inject,
    ready: Cli,  # type: ignore[no-untyped-def]
) -> None:
    escalated(inject, ready)
    ready("ticket", "dispose", NUMBER, "--by", "rudi", "--to", "agus")
    ready("ticket", "resolve", NUMBER, "--by", "agus", "--solution", "Kabel diganti")
    final = last(ready, "reporter.final_report")
    reply(inject, final, "Nanti saya cek dulu ya pak", BUDI)
    assert ticket(ready)["state"] == "resolved"
    assert last(ready, "help_desk.confirm_by_phone")["recipients"]


def test_a_command_out_of_turn_is_refused_with_what_may_be_written(inject, ready: Cli) -> None:  # type: ignore[no-untyped-def]
    escalated(inject, ready)
    ready("ticket", "dispose", NUMBER, "--by", "rudi", "--to", "agus")
    disposition = last(ready, "technician.disposed")
    reply(inject, disposition, "DISPOSISI dewi", AGUS)
    state = ticket(ready)
    assert state["state"] == "disposed"
    assert (state["events"][-1]["action"], state["events"][-1]["note"]) == (
        "note", "DISPOSISI dewi"
    )  # fmt: skip
    refused = last(ready, "staff.command_refused")
    assert refused["recipients"] == ["agus.setiawan@example.go.id"]


def test_a_forged_unit_head_by_subject_tag_changes_nothing_and_rudi_is_told(
    inject,
    ready: Cli,  # type: ignore[no-untyped-def]
) -> None:
    """The ticket number is easy to guess and the address is all else a forger needs."""
    escalated(inject, ready)
    inject(email("DISPOSISI agus\nmasalah selesai, mohon langsung ditutup", sender=RUDI,
                 subject=f"[{NUMBER}] disposisi"))  # fmt: skip
    state = ticket(ready)
    assert state["state"] == "escalated"
    note = state["events"][-1]
    assert note["action"] == "note" and note["actor"] == "unverified-sender"
    assert "rudi" not in [e["actor"] for e in state["events"][-1:]]
    assert last(ready, "owner.unauthenticated")["recipients"] == ["rudi.hartono@example.go.id"]


def test_a_staff_member_answering_anothers_e_mail_is_not_believed(inject, ready: Cli) -> None:  # type: ignore[no-untyped-def]
    escalated(inject, ready)
    ready("ticket", "dispose", NUMBER, "--by", "rudi", "--to", "agus")
    disposition = last(ready, "technician.disposed")  # to agus
    reply(inject, disposition, "SELESAI sudah saya perbaiki", DEWI)
    state = ticket(ready)
    assert state["state"] == "disposed"
    assert state["events"][-1]["actor"] == "unverified-sender"


def test_a_forged_reporter_with_failing_authentication_results_changes_nothing(
    inject,
    ready: Cli,
    site_dir,  # type: ignore[no-untyped-def]
) -> None:
    """Where the office's server is named, its failing verdict makes the reply a note."""
    config = site_dir / "config.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("[intake.folders]", 'trusted_authserv_id = "mx.example.go.id"\n\n'
                     "[intake.folders]", 1), encoding="utf-8",
    )  # fmt: skip
    escalated(inject, ready)
    ready("ticket", "dispose", NUMBER, "--by", "rudi", "--to", "agus")
    ready("ticket", "resolve", NUMBER, "--by", "agus", "--solution", "Kabel diganti")
    final = last(ready, "reporter.final_report")
    forged = {"Authentication-Results": "mx.example.go.id; spf=fail; dkim=none; dmarc=fail"}
    reply(inject, final, "YA", BUDI, headers=forged)
    assert ticket(ready)["state"] == "resolved"
    other = {"Authentication-Results": "mx.example.go.id; dkim=pass header.d=evil.example"}
    reply(inject, final, "YA", BUDI, headers=other)  # signed, by another domain than budi's
    assert ticket(ready)["state"] == "resolved"
    real = {"Authentication-Results": "mx.example.go.id; dkim=pass header.d=dinkes.example.go.id"}
    reply(inject, final, "YA", BUDI, headers=real)
    assert ticket(ready)["state"] == "closed"


def test_a_yes_to_another_e_mail_of_ours_is_only_a_note(inject, ready: Cli) -> None:  # type: ignore[no-untyped-def]
    """Only an answer to the e-mail that asks (the Laporan Akhir, a first-level solution,
    the reminder) is read as YA or BELUM: a "Ya" to the old acknowledgement closes nothing."""
    escalated(inject, ready)
    ack = last(ready, "reporter.acknowledged")
    ready("ticket", "dispose", NUMBER, "--by", "rudi", "--to", "agus")
    ready("ticket", "resolve", NUMBER, "--by", "agus", "--solution", "Kabel diganti")
    reply(inject, ack, "Ya", BUDI)
    state = ticket(ready)
    assert state["state"] == "resolved"
    assert (state["events"][-1]["action"], state["events"][-1]["note"]) == ("note", "Ya")


def test_forgeries_bring_their_victim_a_capped_number_of_notices(inject, ready: Cli) -> None:  # type: ignore[no-untyped-def]
    """Each forged e-mail is kept, but the unit head is told of them at most as often as
    any automatic reply goes to one address in an hour."""
    escalated(inject, ready)
    for n in range(8):
        inject(email(f"DISPOSISI agus {n}", sender=RUDI, subject=f"[{NUMBER}] disposisi",
                     message_id=f"<forged-{n}@evil.example>"))  # fmt: skip
    notices = [e for e in outbox(ready) if e["kind"] == "owner.unauthenticated"]
    assert len(notices) == 8
    assert len([e for e in notices if e["status"] == "pending"]) == 5  # the hourly cap
    assert ticket(ready)["state"] == "escalated"
