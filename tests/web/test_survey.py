"""/survei/<number>?k=<token>: the satisfaction survey's page, its link from the closure
e-mail and the status page, and the one answer a ticket may have, by web or by e-mail."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import httpx2 as httpx
import pytest
from typer.testing import CliRunner

from helpdesk.cli.main import app as helpdesk_cli
from helpdesk.service import register_complaint
from notifier.outbox import email_bytes
from tests.conftest import FORM
from tests.faults.support import configure
from tests.mail import email
from tests.web.conftest import Desk
from tests.web.test_status import move, registered, ticket
from ticketing.desk import Registered
from ticketing.ikm import ELEMENTS
from ticketing.models import OutboxEmail, SurveyResponse
from ticketing.survey import EDUCATION, OCCUPATIONS, SARAN_MAX
from ticketing.workflow import Action

BUDI = "budi.santoso@dinkes.example.go.id"


def phoned(desk: Desk, solved: bool = True) -> tuple[str, str]:
    """A complaint taken by telephone (its address confirmed by the officer), solved at
    first level unless ``solved`` is false: its number and token."""
    here = desk.site
    now = here.now()
    outcome = register_complaint(
        here, FORM, channel="phone", received_at=now, signature="sari", officer="sari", now=now
    )
    assert isinstance(outcome, Registered), outcome
    number = outcome.ticket.number
    if solved:
        move(desk, number, Action.SOLVE, "sari", "Kabel LAN diganti.")
    return number, outcome.ticket.access_token


def closed(desk: Desk) -> tuple[str, str]:
    """A complaint solved and closed: its closure e-mail invites to the survey."""
    number, token = phoned(desk)
    move(desk, number, Action.CLOSE, "sari", "Pelapor: sudah normal.")
    return number, token


def survey_path(number: str, token: str) -> str:
    return f"/survei/{number}?k={token}"


def closure(desk: Desk, number: str) -> OutboxEmail:
    with desk.site.reader.transaction() as tx:
        found = [e for e in tx.outbox(ticket=ticket(desk, number)) if e.kind == "reporter.closed"]
    assert len(found) == 1, found
    return found[0]


def plain(raw: bytes) -> str:
    parsed = message_from_bytes(raw, policy=default)
    assert isinstance(parsed, EmailMessage)
    body = parsed.get_body(("plain",))
    assert body is not None
    return body.get_content()


def stored(desk: Desk, number: str) -> SurveyResponse | None:
    found = ticket(desk, number)
    assert found.id is not None
    with desk.site.reader.transaction() as tx:
        return tx.survey_response(found.id)


def send(desk: Desk, number: str, token: str, **answers: str) -> httpx.Response:
    """The survey's form as the browser sends it: every field, empty where not chosen."""
    data = {"csrf_token": desk.token(), "k": token}  # the session's token, from /lapor
    data |= {f"u{n}": "" for n in range(1, 10)}
    data |= {"usia": "", "pendidikan": "", "pekerjaan": "", "saran": ""}
    data |= answers
    return desk.client.post(f"/survei/{number}", data=data)


def nine(*scores: int | None) -> dict[str, str]:
    return {f"u{n}": "" if s is None else str(s) for n, s in enumerate(scores, 1)}


def by_mail(desk: Desk, site_dir: Path, number: str, text: str) -> None:
    """The reporter's reply to the closure e-mail, taken in by `helpdesk intake inject`."""
    sent = closure(desk, number)
    raw = email(
        f"{text}\n\nPada Senin, Help Desk menulis:\n> Tiket ditutup\n",
        sender=f"Budi Santoso <{BUDI}>", subject="Re: " + sent.subject,
        in_reply_to=sent.message_id,
    )  # fmt: skip
    path = site_dir / "reply.eml"
    path.write_bytes(raw)
    config = str(site_dir / "config.toml")
    result = CliRunner().invoke(helpdesk_cli, ["--config", config, "intake", "inject", str(path)])
    assert result.exit_code == 0, result.output


def test_the_closure_e_mail_links_the_page_with_the_nine_questions(desk: Desk) -> None:
    """The closure e-mail's link opens one page: the nine questions in the e-mail's own
    wording, each answered 1..4 by radio buttons with their labels, the regulation's
    profile (the sex taken from the form), an optional saran; no script."""
    number, token = closed(desk)
    link = re.search(
        r"(http://\S+/survei/\S+)", plain(email_bytes(closure(desk, number), desk.site.office))
    )
    assert link and link.group(1) == f"http://127.0.0.1:8080{survey_path(number, token)}"
    page = desk.client.get(link.group(1).replace("http://127.0.0.1:8080", ""))
    assert page.status_code == 200
    text = page.text.replace("&#39;", "'")
    for n, element in enumerate(ELEMENTS, 1):
        assert f"{n}. {element.name('id')}" in text
        assert element.question("id", "Bapak") in text
        for score, label in enumerate(element.labels("id"), 1):
            assert f'name="u{n}" value="{score}"' in text and label in text
    assert "Anda" not in text
    assert "Wajib dijawab: sekurang-kurangnya satu dari sembilan pertanyaan" in text
    assert "Laki-laki" in text and "dari Formulir Pengaduan" in text
    for code, label, _ in (*EDUCATION, *OCCUPATIONS):
        assert f'value="{code}"' in text and label in text
    assert "Wirausaha" in text and 'name="saran"' in text
    assert "<script" not in text and 'name="csrf_token"' in text


def test_an_answer_is_recorded_with_its_profile_and_the_unanswered_left_out(desk: Desk) -> None:
    number, token = closed(desk)
    page = send(
        desk, number, token, **nine(4, 4, None, 4, 3, 4, 4, None, 4), usia="35-44",
        pendidikan="D4-S1", pekerjaan="PNS", saran="  Petugas sigap.\nTerima kasih.  ",
    )  # fmt: skip
    assert page.status_code == 200
    assert "Terima kasih. Jawaban survei Bapak telah kami catat." in page.text
    assert 'name="u1"' not in page.text
    response = stored(desk, number)
    assert response is not None
    assert response.scores == (4, 4, None, 4, 3, 4, 4, None, 4)
    assert (response.channel, response.saran) == ("web", "Petugas sigap.\nTerima kasih.")
    profile = (response.sex, response.age_band, response.education, response.occupation)
    assert profile == ("L", "35-44", "D4-S1", "PNS")


def test_the_status_page_links_the_open_survey_and_thanks_once_answered(desk: Desk) -> None:
    number, token = closed(desk)
    status = desk.client.get(f"/tiket/{number}?k={token}")
    assert "Survei Kepuasan Masyarakat" in status.text
    assert f'href="{survey_path(number, token)}"'.replace("&", "&amp;") in status.text
    assert send(desk, number, token, **nine(4, 4, 4, 4, 4, 4, 4, 4, 4)).status_code == 200
    status = desk.client.get(f"/tiket/{number}?k={token}")
    assert "Terima kasih, Bapak telah mengisi Survei Kepuasan Masyarakat" in status.text
    assert "/survei/" not in status.text


def test_no_survey_link_before_the_ticket_is_closed(desk: Desk) -> None:
    number, token = phoned(desk)
    assert "/survei/" not in desk.client.get(f"/tiket/{number}?k={token}").text
    page = desk.client.get(survey_path(number, token))
    assert page.status_code == 200
    assert "Survei kepuasan dibuka setelah pengaduan ditutup." in page.text
    assert 'name="u1"' not in page.text
    refused = send(desk, number, token, **nine(4, 4, 4, 4, 4, 4, 4, 4, 4))
    assert refused.status_code == 409 and "setelah pengaduan ditutup" in refused.text
    assert stored(desk, number) is None


def test_a_ticket_whose_closure_did_not_invite_cannot_be_answered(
    make_desk: Callable[..., Desk], site_dir: Path
) -> None:
    """With [survey] share = 0 no closure invites: the page says the complaint is not in
    the survey, and an answer sent all the same is not recorded; nine digits in a reply
    to that closure e-mail are an ordinary reply, kept as the reporter's note."""
    configure(site_dir, {"survey.share": 0.0})
    desk = make_desk()
    number, token = closed(desk)
    assert "/survei/" not in desk.client.get(f"/tiket/{number}?k={token}").text
    page = desk.client.get(survey_path(number, token))
    assert "tidak termasuk dalam Survei Kepuasan Masyarakat" in page.text
    assert 'name="u1"' not in page.text
    refused = send(desk, number, token, **nine(4, 4, 4, 4, 4, 4, 4, 4, 4))
    assert refused.status_code == 409 and stored(desk, number) is None
    by_mail(desk, site_dir, number, "4 4 4 4 4 4 4 4 4")
    assert stored(desk, number) is None
    with desk.site.reader.transaction() as tx:
        found = ticket(desk, number)
        notes = [e.note for e in tx.events(found) if e.action == "note"]
        kinds = [e.kind for e in tx.outbox(ticket=found)]
    assert any("4 4 4 4 4 4 4 4 4" in note for note in notes)
    assert not any(kind.startswith("reporter.survey") for kind in kinds)


def test_a_web_form_reporter_is_invited_on_the_status_page(desk: Desk) -> None:
    """A web-form complaint whose address was never confirmed gets no closure e-mail, so
    its invitation is the status page's link, and the answer counts; the typed address
    is not recorded, so it keeps nobody else's complaints out of the survey."""
    number, status_path = registered(desk)
    move(desk, number, Action.SOLVE, "sari", "Kabel LAN diganti.")
    move(desk, number, Action.CLOSE, "sari", "Pelapor: sudah normal.")
    found = ticket(desk, number)
    assert found.id is not None
    with desk.site.reader.transaction() as tx:
        kinds = [e.kind for e in tx.outbox(ticket=found)]
        invitation = tx.survey_invitation(found.id)
    assert "reporter.closed" not in kinds
    assert invitation is not None and invitation.address == ""
    token = found.access_token
    status = desk.client.get(status_path)
    assert f'href="{survey_path(number, token)}"'.replace("&", "&amp;") in status.text
    assert send(desk, number, token, **nine(3, 3, 3, 3, 3, 3, 3, 3, 3)).status_code == 200
    response = stored(desk, number)
    assert response is not None and response.channel == "web"


def test_the_token_is_required(desk: Desk) -> None:
    """Without the token, with a wrong one or another ticket's, the page is the status
    page's not-found page; an answer sent with it records nothing."""
    number, token = closed(desk)
    other, _ = closed(desk)
    other_token = ticket(desk, other).access_token
    missing = desk.client.get("/tiket/TIK-2026-09999?k=abc")
    for path in (f"/survei/{number}", f"/survei/{number}?k=salah",
                 f"/survei/{number}?k={other_token}", "/survei/TIK-2026-09999?k=abc"):  # fmt: skip
        page = desk.client.get(path)
        assert page.status_code == 404
        assert "Budi" not in page.text and number not in page.text
        assert page.text == missing.text
    for wrong in ("", "salah", other_token):
        page = send(desk, number, wrong, **nine(1, 1, 1, 1, 1, 1, 1, 1, 1))
        assert page.status_code == 404 and page.text == missing.text
    assert stored(desk, number) is None


def test_a_second_answer_on_the_web_changes_nothing_and_says_so(desk: Desk) -> None:
    number, token = closed(desk)
    assert send(desk, number, token, **nine(4, 4, 3, 4, 4, 4, 3, 4, 4)).status_code == 200
    again = send(desk, number, token, **nine(1, 1, 1, 1, 1, 1, 1, 1, 1), saran="Ganti")
    assert again.status_code == 409
    assert "sudah dijawab; jawaban pertama yang dicatat dan tidak diubah" in again.text
    response = stored(desk, number)
    assert response is not None
    assert response.scores == (4, 4, 3, 4, 4, 4, 3, 4, 4) and response.saran == ""
    page = desk.client.get(survey_path(number, token))
    assert page.status_code == 200 and 'name="u1"' not in page.text
    assert "telah Bapak jawab pada Senin, 30 November 2026" in page.text


def test_an_answer_by_e_mail_first_stands_against_the_web(desk: Desk, site_dir: Path) -> None:
    number, token = closed(desk)
    by_mail(desk, site_dir, number, "4 4 4 4 4 4 4 4 4")
    response = stored(desk, number)
    assert response is not None and response.channel == "email"
    page = desk.client.get(survey_path(number, token))
    assert "telah Bapak jawab" in page.text and 'name="u1"' not in page.text
    again = send(desk, number, token, **nine(1, 1, 1, 1, 1, 1, 1, 1, 1))
    assert again.status_code == 409 and "jawaban pertama yang dicatat" in again.text
    response = stored(desk, number)
    assert response is not None and response.scores == (4,) * 9


def test_an_answer_on_the_web_first_stands_against_an_e_mail(desk: Desk, site_dir: Path) -> None:
    number, token = closed(desk)
    assert send(desk, number, token, **nine(3, 3, 3, 3, 3, 3, 3, 3, 3)).status_code == 200
    by_mail(desk, site_dir, number, "1 1 1 1 1 1 1 1 1")
    response = stored(desk, number)
    assert response is not None and response.scores == (3,) * 9 and response.channel == "web"
    with desk.site.reader.transaction() as tx:
        told = [e for e in tx.outbox(ticket=ticket(desk, number))
                if e.kind == "reporter.survey_refused"]  # fmt: skip
    assert len(told) == 1 and "jawab sebelumnya" in " ".join(
        plain(email_bytes(told[0], desk.site.office)).split()
    )


def test_a_post_without_its_csrf_token_is_refused(desk: Desk) -> None:
    number, token = closed(desk)
    data = {"k": token, **nine(4, 4, 4, 4, 4, 4, 4, 4, 4)}
    page = desk.client.post(f"/survei/{number}", data=data)
    assert page.status_code == 403
    assert "Permintaan ditolak" in page.text
    data["csrf_token"] = "bukan-token-sesi-ini"
    assert desk.client.post(f"/survei/{number}", data=data).status_code == 403
    assert stored(desk, number) is None


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("u3", "5", "Nilai pertanyaan 3 tidak dikenali: pilih salah satu nilai 1 sampai 4."),
        ("u3", "0", "Nilai pertanyaan 3 tidak dikenali"),
        ("u3", "empat", "Nilai pertanyaan 3 tidak dikenali"),
        ("pendidikan", "SMA kelas 2", "Pilihan ini tidak dikenali"),
        ("pekerjaan", "PPPK", "Pilihan ini tidak dikenali"),
        ("saran", "x" * (SARAN_MAX + 1), f"paling banyak {SARAN_MAX} karakter"),
    ],
)
def test_a_bad_value_is_one_clear_message_and_nothing_is_lost(
    desk: Desk, field: str, value: str, said: str
) -> None:
    """A value the page does not offer: nothing is recorded, the page says once what to
    correct and beside the answer what is wrong, and every other answer comes back as
    sent."""
    number, token = closed(desk)
    answers = {**nine(4, 3, 2, 1, 4, 3, 2, 1, 4), "usia": "25-34", "pendidikan": "S2",
               "saran": "Mohon dipercepat.", field: value}  # fmt: skip
    page = send(desk, number, token, **answers)
    assert page.status_code == 422
    assert page.text.count('role="alert"') == 1
    assert "Jawaban survei belum dapat dicatat." in page.text and said in page.text
    for n, score in enumerate((4, 3, 2, 1, 4, 3, 2, 1, 4), 1):
        if f"u{n}" != field:
            assert f'name="u{n}" value="{score}" checked' in page.text
    if field != "usia":
        assert '<option value="25-34" selected>' in page.text
    if field != "saran":
        assert ">Mohon dipercepat.</textarea>" in page.text
    assert stored(desk, number) is None


def test_nothing_answered_is_refused_with_the_saran_kept(desk: Desk) -> None:
    number, token = closed(desk)
    page = send(desk, number, token, saran="Hanya saran saja.")
    assert page.status_code == 422
    assert "belum ada pertanyaan yang dijawab" in page.text
    assert ">Hanya saran saja.</textarea>" in page.text
    assert stored(desk, number) is None


def test_typed_saran_is_escaped_when_shown_back(desk: Desk) -> None:
    number, token = closed(desk)
    page = send(desk, number, token, saran="<script>alert(1)</script>", u1="9")
    assert page.status_code == 422
    assert "<script>alert(1)" not in page.text and "&lt;script&gt;alert(1)" in page.text


def test_the_page_in_english(make_desk: Callable[..., Desk], site_dir: Path) -> None:
    configure(site_dir, {"office.language": "en"})
    desk = make_desk()
    number, token = closed(desk)
    page = desk.client.get(survey_path(number, token))
    assert page.status_code == 200
    for element in ELEMENTS:
        assert element.question("en") in page.text.replace("&#39;", "'")
    assert "Required: at least one of the nine questions" in page.text
    assert "Self-employed" in page.text and "Male" in page.text
    done = send(desk, number, token, **nine(4, 4, 4, 4, 4, 4, 4, 4, 4))
    assert "Thank you. Your survey answer has been recorded." in done.text


def test_the_web_answers_profile_is_counted_on_the_report_page(desk: Desk, site_dir: Path) -> None:
    """Two answers on the web with their profile: the staff desk's report page and
    `helpdesk report --format json` count the respondents by sex, age band, education and
    occupation, and the IKM of the two."""
    first, token = closed(desk)
    answered = send(desk, first, token, **nine(4, 4, 4, 4, 4, 4, 4, 4, 4), usia="35-44",
                    pendidikan="S2", pekerjaan="PNS")  # fmt: skip
    assert answered.status_code == 200
    second, token = closed(desk)  # the same reporter: asked again, having answered
    answered = send(desk, second, token, **nine(3, 3, 3, 3, 3, 3, 3, 3, 3), usia="35-44",
                    pendidikan="D4-S1")  # fmt: skip
    assert answered.status_code == 200
    desk.at("2026-11-30T10:00:00+07:00")  # the report an hour later
    desk.set_password("rudi")
    desk.login("rudi")
    page = desk.client.get("/petugas/laporan?bulan=2026-11")
    assert page.status_code == 200
    section = re.search(r'<section id="ikm-profile">(.*?)</section>', page.text, re.S)
    assert section is not None
    cells = re.findall(r"<td[^>]*>(.*?)</td>", section[1])
    rows = [cells[i : i + 4] for i in range(0, len(cells), 4)]
    assert ["Jenis Kelamin", "Laki-laki", "2", "100%"] in rows
    assert ["Usia", "35–44 tahun", "2", "100%"] in rows
    halves = [("Pendidikan", "S2"), ("Pendidikan", "D4/S1"), ("Pekerjaan", "PNS"),
              ("Pekerjaan", "Tidak diisi")]  # fmt: skip
    for question, answer in halves:
        assert [question, answer, "1", "50%"] in rows
    assert "87,50" in page.text

    config = str(site_dir / "config.toml")
    result = CliRunner().invoke(
        helpdesk_cli, ["--config", config, "report", "--month", "2026-11", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    ikm = json.loads(result.stdout)["ikm"]
    assert (ikm["respondents"], ikm["value"], ikm["mutu"]) == (2, 87.5, "B")
    assert ikm["profile"]["education"]["S2"] == 1 and ikm["profile"]["age_band"]["35-44"] == 2
    assert ikm["profile"]["occupation"]["not_given"] == 1
