"""The satisfaction survey (IKM) of a closed ticket: whom to invite, and recording the one
response a ticket may have.

- A reporter is invited once per ticket, in the closure e-mail, when ``[survey] enabled``;
  of the closed tickets, ``share`` are chosen by the ticket's number (the same ticket is
  always chosen or not, whatever the run); a reporter who left an invitation unanswered
  in the last ``min_days_between`` days is not asked again. No reminder follows.
- A response (web page or e-mail) needs the ticket's access token and a closed ticket
  whose closure e-mail invited to the survey; a second one changes nothing and says so
  (`Refusal`).

The arithmetic is `ticketing.ikm`; the web page and the e-mail reply are thin layers over
`record_survey_response`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from ticketing.addresses import reporter_addresses
from ticketing.ikm import CODES, check_score
from ticketing.models import SurveyInvitation, SurveyResponse, Ticket
from ticketing.store import Tx
from ticketing.workflow import State

CHANNELS = ("email", "web")
SARAN_MAX = 4000  # characters of saran kept


@dataclass(frozen=True)
class SurveySettings:
    """``[survey]`` of the configuration."""

    enabled: bool = True
    share: float = 1.0
    min_days_between: int = 30
    min_group_respondents: int = 5


def chosen(number: str, share: float) -> bool:
    """Whether ticket ``number`` is among the ``share`` of closed tickets invited: a fixed
    function of the number (its SHA-256 as a fraction of 1), so the choice can be checked
    and is the same on every run."""
    if share >= 1:
        return True
    if share <= 0:
        return False
    digest = hashlib.sha256(number.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


def invite(
    tx: Tx, settings: SurveySettings, ticket: Ticket, now: dt.datetime
) -> SurveyInvitation | None:
    """The invitation of ``ticket``'s reporter, recorded now, or None when none is due: the
    survey is off, the ticket is not among the share, it was invited before (once per
    ticket), it has no address to write to (a web-form complaint whose address is not
    confirmed is invited on its status page all the same), or its reporter left an
    invitation unanswered within ``min_days_between``."""
    if not settings.enabled or ticket.id is None or not chosen(ticket.number, settings.share):
        return None
    if tx.survey_invitation(ticket.id) is not None or tx.survey_response(ticket.id) is not None:
        return None
    addresses = reporter_addresses(ticket)
    if not addresses and ticket.channel == "web":
        # A web-form reporter whose address is not confirmed gets no closure e-mail but
        # has the status page, whose link the form gave: the invitation is there, and
        # e-mails nobody. The typed address proves nothing, so it is not recorded (it
        # would keep its owner's own complaints out of the survey).
        return tx.add_survey_invitation(ticket.id, "", now)
    if not addresses:
        return None
    address = addresses[0].lower()
    if settings.min_days_between > 0:
        since = now - dt.timedelta(days=settings.min_days_between)
        for known in addresses:
            if tx.unanswered_invitation_since(known, since) is not None:
                return None
    return tx.add_survey_invitation(ticket.id, address, now)


# --- the respondent's profile -------------------------------------------------------

# Each optional question of the profile: its choices as (code, Indonesian, English), as
# the regulation's questionnaire gives them: its education levels SD, SMP, SMA, S1, S2, S3
# with the diplomas between SMA and S1 (D4 with S1, the same level), its occupations PNS,
# TNI, POLRI, swasta, wirausaha and lainnya; its age asked as a band, not in years, so that
# no answer points at one person.
AGE_BANDS: tuple[tuple[str, str, str], ...] = (
    ("lt25", "Di bawah 25 tahun", "Under 25"),
    ("25-34", "25–34 tahun", "25–34"),
    ("35-44", "35–44 tahun", "35–44"),
    ("45-54", "45–54 tahun", "45–54"),
    ("55+", "55 tahun ke atas", "55 and over"),
)
EDUCATION: tuple[tuple[str, str, str], ...] = (
    ("SD", "SD ke bawah", "Primary school or less"),
    ("SMP", "SMP", "Junior secondary"),
    ("SMA", "SMA/SMK", "Senior secondary"),
    ("D1-D3", "D1–D3", "Diploma (D1–D3)"),
    ("D4-S1", "D4/S1", "Bachelor (D4/S1)"),
    ("S2", "S2", "Master (S2)"),
    ("S3", "S3", "Doctorate (S3)"),
)
OCCUPATIONS: tuple[tuple[str, str, str], ...] = (
    ("PNS", "PNS", "Civil servant (PNS)"),
    ("TNI", "TNI", "Military (TNI)"),
    ("POLRI", "POLRI", "Police (POLRI)"),
    ("SWASTA", "Swasta", "Private sector"),
    ("WIRAUSAHA", "Wirausaha", "Self-employed"),
    ("LAINNYA", "Lainnya", "Other"),
)
SEXES: tuple[tuple[str, str, str], ...] = (("L", "Laki-laki", "Male"), ("P", "Perempuan", "Female"))
PROFILE_CHOICES: Mapping[str, tuple[tuple[str, str, str], ...]] = {
    "sex": SEXES,
    "age_band": AGE_BANDS,
    "education": EDUCATION,
    "occupation": OCCUPATIONS,
}


@dataclass(frozen=True)
class Profile:
    """The respondent as the regulation asks: each optional, a code of PROFILE_CHOICES;
    the sex defaults to the form's."""

    sex: str | None = None
    age_band: str | None = None
    education: str | None = None
    occupation: str | None = None


# --- where a ticket's survey stands ------------------------------------------------------


class Standing(StrEnum):
    """A ticket's survey as the reporter's pages show it."""

    NONE = "none"  # no survey for it: off, not closed, or not invited
    OPEN = "open"  # invited and not answered yet
    ANSWERED = "answered"  # its one response is recorded


def standing(tx: Tx, settings: SurveySettings, ticket: Ticket) -> Standing:
    """Whether ``ticket``'s reporter may answer the survey now, has answered, or neither."""
    if ticket.id is None:
        return Standing.NONE
    if tx.survey_response(ticket.id) is not None:
        return Standing.ANSWERED
    if (
        settings.enabled
        and ticket.state == State.CLOSED.value
        and tx.survey_invitation(ticket.id) is not None
    ):
        return Standing.OPEN
    return Standing.NONE


# --- a response -----------------------------------------------------------------------


class Refusal(StrEnum):
    """Why a response was not recorded."""

    DISABLED = "disabled"  # [survey] enabled = false
    WRONG_TOKEN = "wrong_token"  # not the ticket's access token
    NOT_CLOSED = "not_closed"  # only a closed ticket is surveyed
    ALREADY_ANSWERED = "already_answered"  # one response per ticket; the first stands
    NOT_INVITED = "not_invited"  # its closure e-mail did not invite to the survey
    INVALID = "invalid"  # a score outside 1..4, none at all, or a profile value unknown


REFUSAL_TEXT: Mapping[str, Mapping[Refusal, str]] = {
    "id": {
        Refusal.DISABLED: "Survei kepuasan tidak sedang dibuka.",
        Refusal.WRONG_TOKEN: "Tautan survei ini tidak berlaku untuk pengaduan tersebut.",
        Refusal.NOT_CLOSED: "Survei kepuasan dibuka setelah pengaduan ditutup.",
        Refusal.ALREADY_ANSWERED: "Survei untuk pengaduan ini sudah dijawab; jawaban pertama"
        " yang dicatat dan tidak diubah.",
        Refusal.NOT_INVITED: "Pengaduan ini tidak termasuk dalam Survei Kepuasan Masyarakat.",
        Refusal.INVALID: "Jawaban survei tidak dapat dibaca: setiap unsur dinilai 1 sampai 4.",
    },
    "en": {
        Refusal.DISABLED: "The satisfaction survey is not open.",
        Refusal.WRONG_TOKEN: "This survey link is not valid for that complaint.",
        Refusal.NOT_CLOSED: "The satisfaction survey opens once the complaint is closed.",
        Refusal.ALREADY_ANSWERED: "The survey of this complaint has been answered already; the"
        " first answer is kept and not changed.",
        Refusal.NOT_INVITED: "This complaint is not among those in the satisfaction survey.",
        Refusal.INVALID: "The survey answer cannot be read: each element is scored 1 to 4.",
    },
}


@dataclass(frozen=True)
class Refused:
    reason: Refusal
    detail: str = ""  # for the record (which score, which value)
    earlier: SurveyResponse | None = None  # the response that stands, when already answered

    def message(self, language: str) -> str:
        return REFUSAL_TEXT["en" if language == "en" else "id"][self.reason]


@dataclass(frozen=True)
class Recorded:
    response: SurveyResponse


def record_survey_response(
    tx: Tx,
    settings: SurveySettings,
    ticket: Ticket,
    token: str,
    scores: Sequence[int | None],
    saran: str = "",
    profile: Profile = Profile(),
    *,
    channel: str,
    now: dt.datetime,
    message_id: str | None = None,
) -> Recorded | Refused:
    """Record the reporter's one response to the survey of ``ticket``, or say why not.

    ``token`` must be the ticket's access token (the web page's ``?k=``; the e-mail path,
    authenticated as the reporter's reply to our closure e-mail, passes the ticket's own);
    ``scores`` are nine, U1..U9, each 1..4 or None for unanswered, at least one answered;
    ``message_id`` is the e-mail that brought an answer by e-mail.
    """
    if not settings.enabled:
        return Refused(Refusal.DISABLED)
    if not secrets.compare_digest(token.encode("utf-8"), ticket.access_token.encode("utf-8")):
        return Refused(Refusal.WRONG_TOKEN)
    if ticket.id is None or ticket.state != State.CLOSED.value:
        return Refused(Refusal.NOT_CLOSED, f"the ticket is {ticket.state}")
    earlier = tx.survey_response(ticket.id)
    if earlier is not None:
        return Refused(Refusal.ALREADY_ANSWERED, f"answered {earlier.answered_at}", earlier)
    if tx.survey_invitation(ticket.id) is None:
        return Refused(Refusal.NOT_INVITED, "no invitation in the closure e-mail")
    checked = _checked(scores)
    if isinstance(checked, str):
        return Refused(Refusal.INVALID, checked)
    if channel not in CHANNELS:
        raise ValueError(f"a survey channel is one of {', '.join(CHANNELS)}, not {channel!r}")
    sex = profile.sex if profile.sex is not None else (ticket.sex or None)
    values = {**profile.__dict__, "sex": sex}
    for key, value in values.items():
        if value is not None and value not in {code for code, _, _ in PROFILE_CHOICES[key]}:
            if key == "sex" and profile.sex is None:
                values[key] = None  # the form's value is not one of the survey's: leave it out
                continue
            return Refused(Refusal.INVALID, f"{key} {value!r} is not one of the choices")
    response = SurveyResponse(
        ticket_id=ticket.id,
        channel=channel,
        answered_at=now,
        saran=saran.strip()[:SARAN_MAX],
        message_id=message_id,
        sex=values["sex"],
        age_band=values["age_band"],
        education=values["education"],
        occupation=values["occupation"],
    )
    for code, score in zip(CODES, checked, strict=True):
        setattr(response, code.lower(), score)
    return Recorded(tx.add_survey_response(response))


def _checked(scores: Sequence[int | None]) -> tuple[int | None, ...] | str:
    """The nine scores as stored, or why they cannot be."""
    if len(scores) != len(CODES):
        return f"{len(scores)} scores, not {len(CODES)}"
    try:
        checked = tuple(check_score(score) for score in scores)
    except ValueError as exc:
        return str(exc)
    if all(score is None for score in checked):
        return "no element answered"
    return checked
