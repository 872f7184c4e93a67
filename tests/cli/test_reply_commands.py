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


def outbox_text(cli: Cli, email_row: dict[str, Any]) -> str:
    """The plain text of one of our e-mails, as its reader sees it."""
    import email as parser
    import email.policy

    shown = cli("outbox", "show", str(email_row["id"]), "--raw")
    assert shown.exit_code == 0, shown.output
    message = parser.message_from_string(shown.stdout, policy=email.policy.default)
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return body.get_content()  # type: ignore[attr-defined]


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


def test_a_disposition_by_reply_gives_its_sifat(inject, ready: Cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A "Sifat: Segera" line in the unit head's DISPOSISI is recorded, left out of the isi
    disposisi, stated in the technician's e-mail and ticked on the Lembar Disposisi."""
    escalation = escalated(inject, ready)
    reply(inject, escalation, "DISPOSISI agus\nSifat: Segera\nMohon periksa switch lantai 2"
          + QUOTE, RUDI)  # fmt: skip
    dispose = ticket(ready)["events"][-1]
    assert (dispose["action"], dispose["note"]) == ("dispose", "Mohon periksa switch lantai 2")
    assert dispose["data"]["sifat"] == "segera"
    text = outbox_text(ready, last(ready, "technician.disposed"))
    assert "Sifat: Segera\n" in text and "Isi Disposisi: Mohon periksa switch lantai 2\n" in text
    assert "dengan sifat Segera telah dicatat" in outbox_text(
        ready, last(ready, "staff.command_accepted")
    )
    printed = ready("print", "disposisi", NUMBER, "--out", str(tmp_path))
    assert printed.exit_code == 0, printed.output
    sheet = (tmp_path / f"{NUMBER}-disposisi.html").read_text(encoding="utf-8")
    assert '<span class="tick">&#10003;</span>Segera</span>' in sheet
    assert '<span class="tick"></span>Biasa</span>' in sheet


def test_an_unknown_sifat_by_reply_disposes_nothing(inject, ready: Cli) -> None:  # type: ignore[no-untyped-def]
    """A Sifat line that names no Sifat disposes nothing: the unit head is told why, with
    the three Sifat, and the reply is kept as a note."""
    escalation = escalated(inject, ready)
    reply(inject, escalation, "DISPOSISI agus\nSifat: kilat\nMohon periksa" + QUOTE, RUDI)
    state = ticket(ready)
    assert state["state"] == "escalated"
    assert state["events"][-1]["action"] == "note"
    text = " ".join(outbox_text(ready, last(ready, "staff.command_refused")).split())
    assert 'Sifat "kilat" yang Bapak tuliskan tidak kami kenali.' in text


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


# --- the help desk, by reply ------------------------------------------------------------

SARI = "Sari Wulandari <sari.wulandari@example.go.id>"
YOGA = "Yoga Pratama <yoga.pratama@example.go.id>"


def test_an_e_mailed_complaint_is_copied_to_every_help_desk_officer(inject, ready: Cli) -> None:  # type: ignore[no-untyped-def]
    """The acknowledgement goes to the reporter, the copy with the form to the help desk."""
    inject(email())
    kinds = {e["kind"]: e for e in outbox(ready)}
    assert set(kinds) == {"reporter.acknowledged", "help_desk.new_ticket"}
    assert kinds["help_desk.new_ticket"]["recipients"] == [
        "sari.wulandari@example.go.id", "yoga.pratama@example.go.id",
    ]  # fmt: skip


def test_a_phoned_complaint_is_not_copied(ready: Cli) -> None:
    """The officer who took the call has the form in front of them already."""
    from tests.cli.conftest import form_args

    done = ready("phone", *form_args(), "--by", "sari")
    assert done.exit_code == 0, done.output
    assert [e["kind"] for e in outbox(ready)] == ["reporter.acknowledged"]


def test_the_help_desk_solves_at_first_level_and_closes_by_reply(inject, ready: Cli) -> None:  # type: ignore[no-untyped-def]
    """SELESAI to the copy: the reporter gets the solution; TUTUP to the same copy, after
    the reporter confirmed by telephone, closes the ticket."""
    inject(email())
    copy = last(ready, "help_desk.new_ticket")
    reply(inject, copy, "Selamat pagi\nSELESAI\nMohon restart modem di ruang TU." + QUOTE, YOGA)
    state = ticket(ready)
    assert (state["state"], state["assignee"]) == ("resolved", "yoga")
    solve = state["events"][-1]
    assert (solve["action"], solve["note"]) == ("solve", "Mohon restart modem di ruang TU.")
    assert solve["data"]["answers_outbox_id"] == copy["id"]
    solution = last(ready, "reporter.first_level_solution")
    assert solution["recipients"] == ["budi.santoso@dinkes.example.go.id"]
    assert last(ready, "staff.command_accepted")["recipients"] == ["yoga.pratama@example.go.id"]

    reply(inject, copy, "TUTUP\nPelapor menyatakan sudah normal melalui telepon.", SARI,
          now="2026-11-30T13:00:00+07:00")  # fmt: skip
    state = ticket(ready)
    assert state["state"] == "closed"
    assert (state["events"][-1]["action"], state["events"][-1]["actor"]) == ("close", "sari")


def test_the_help_desk_escalates_to_a_unit_by_reply(inject, ready: Cli) -> None:  # type: ignore[no-untyped-def]
    """ESKALASI with a unit's name sends the complaint there; the note goes with it."""
    inject(email())
    copy = last(ready, "help_desk.new_ticket")
    reply(inject, copy, "ESKALASI komputer\nPC di ruang TU tidak menyala.", SARI)
    state = ticket(ready)
    assert (state["state"], state["unit"], state["assignee"]) == ("escalated", "komputer",
                                                                  "bambang")  # fmt: skip
    assert state["events"][-1]["note"] == "PC di ruang TU tidak menyala."
    assert last(ready, "unit_head.escalated")["recipients"] == ["bambang.suryadi@example.go.id"]


def test_a_forged_help_desk_reply_changes_nothing_and_the_officer_is_told(
    inject,
    ready: Cli,  # type: ignore[no-untyped-def]
) -> None:
    """Sari's address on a message that answers none of our e-mails to her: a note in
    nobody's name, and Sari told at her own address."""
    inject(email())
    inject(email("SELESAI\nsudah beres", sender=SARI, subject=f"Re: [{NUMBER}] Pengaduan baru",
                 message_id="<forged-sari@evil.example>"))  # fmt: skip
    state = ticket(ready)
    assert state["state"] == "received"
    assert state["events"][-1]["actor"] == "unverified-sender"
    assert last(ready, "owner.unauthenticated")["recipients"] == ["sari.wulandari@example.go.id"]


def resolved_by_agus(inject, ready: Cli) -> None:  # type: ignore[no-untyped-def]
    escalated(inject, ready)
    ready("ticket", "dispose", NUMBER, "--by", "rudi", "--to", "agus")
    ready("ticket", "resolve", NUMBER, "--by", "agus", "--solution", "Kabel diganti")


def test_after_an_unclear_answer_the_help_desk_reopens_by_reply(inject, ready: Cli) -> None:  # type: ignore[no-untyped-def]
    """The reporter's words are neither YA nor BELUM; the help desk calls, then answers the
    request to call with BUKA and what the reporter said: back to the technician who solved
    it, who is told, as a reporter's own BELUM would."""
    resolved_by_agus(inject, ready)
    reply(inject, last(ready, "reporter.final_report"), "Nanti saya cek dulu ya pak", BUDI)
    call = last(ready, "help_desk.confirm_by_phone")
    reply(inject, call, "BUKA\nPelapor: printer masih tidak terdeteksi.", SARI,
          now="2026-11-30T13:00:00+07:00")  # fmt: skip
    state = ticket(ready)
    assert (state["state"], state["assignee"]) == ("disposed", "agus")
    reopen = state["events"][-1]
    assert (reopen["action"], reopen["actor"], reopen["note"]) == (
        "reopen", "sari", "Pelapor: printer masih tidak terdeteksi.",
    )  # fmt: skip
    assert reopen["data"]["reopened_to"] == "agus"
    assert "agus.setiawan@example.go.id" in last(ready, "staff.reopened")["recipients"]


def test_a_reopen_word_from_the_technician_is_refused(inject, ready: Cli) -> None:  # type: ignore[no-untyped-def]
    """BUKA is the help desk's word (or the unit head's): the technician is told what they
    may write instead, and nothing moves."""
    resolved_by_agus(inject, ready)
    reply(inject, last(ready, "technician.disposed"), "BUKA\nsaya cek lagi", AGUS)
    assert ticket(ready)["state"] == "resolved"
    assert last(ready, "staff.command_refused")["recipients"] == ["agus.setiawan@example.go.id"]


def test_the_cli_reopen_by_the_help_desk_goes_back_to_the_official_who_solved_it(
    inject,
    ready: Cli,  # type: ignore[no-untyped-def]
) -> None:
    """`ticket reopen` by a help-desk officer is on the reporter's word, as BUKA is: back
    to whoever solved it, here the official at step 6, not down to the technician."""
    escalated(inject, ready)
    ready("ticket", "dispose", NUMBER, "--by", "rudi", "--to", "agus")
    ready("ticket", "escalate-higher", NUMBER, "--by", "agus", "--report", "Perlu pengadaan")
    ready("ticket", "resolve", NUMBER, "--by", "kurniawan", "--solution", "Switch baru")
    done = ready("ticket", "reopen", NUMBER, "--by", "sari", "--reason", "Pelapor: masih putus")
    assert done.exit_code == 0, done.output
    state = ticket(ready)
    assert (state["state"], state["assignee"]) == ("escalated_higher", "kurniawan")
    assert "kurniawan.adi@example.go.id" in last(ready, "staff.reopened")["recipients"]
