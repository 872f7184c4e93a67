"""The IKM section of a period's report: the satisfaction survey's responses, by the method
of PermenPANRB No. 14 Tahun 2017 (`ticketing.ikm`).

A period's IKM is that of the responses received in it (up to the moment the report
stands at), so a past month reads the same whenever it is reported. The response rate is
of the invitations made in the period: how many of them were answered by then. The same
figures per ICT unit, complaint type, channel and OPD are shown for groups with at least
``[survey] min_group_respondents`` respondents (fewer say little, and may point at one
person). The respondents' profile is counted as the regulation's recapitulation does: by
sex, age band, education and occupation, every choice listed, and those who left it out.
``build_ikm`` is pure.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from ticketing.ikm import ELEMENTS, Result, compute
from ticketing.models import SurveyInvitation, SurveyResponse, Ticket
from ticketing.survey import PROFILE_CHOICES

# The groups the report breaks the IKM down by, in order.
DIMENSIONS = ("unit", "type", "channel", "agency")
# The respondent's profile, in the regulation's order (the keys of PROFILE_CHOICES).
PROFILE = ("sex", "age_band", "education", "occupation")


@dataclass(frozen=True)
class Respondent:
    """One response as the recapitulation table lists it: no name, no ticket number."""

    answered_at: dt.datetime
    scores: tuple[int | None, ...]


@dataclass(frozen=True)
class ElementFigures:
    code: str
    name: str
    answered: int  # respondents who answered this element
    total: int  # the sum of its scores
    nrr: Fraction | None


@dataclass(frozen=True)
class Group:
    dimension: str  # one of DIMENSIONS
    label: str
    result: Result


@dataclass(frozen=True)
class ProfileRow:
    code: str | None  # a code of PROFILE_CHOICES (one no longer offered too); None: left out
    label: str
    count: int


@dataclass(frozen=True)
class ProfileCount:
    """The respondents by one question of the profile: every choice, then any value no
    longer offered, then those who left it out (only when some did)."""

    question: str  # one of PROFILE
    rows: tuple[ProfileRow, ...]

    def count(self, code: str | None) -> int:
        return sum(row.count for row in self.rows if row.code == code)


@dataclass(frozen=True)
class Saran:
    answered_at: dt.datetime
    text: str


@dataclass(frozen=True)
class IkmSection:
    invited: int  # invitations made in the period
    answered: int  # of those, answered by the moment the report stands at
    result: Result  # of the responses received in the period
    elements: tuple[ElementFigures, ...]
    groups: tuple[Group, ...]  # with at least ``min_group`` respondents
    min_group: int
    respondents: tuple[Respondent, ...]
    saran: tuple[Saran, ...]
    profile: tuple[ProfileCount, ...] = ()  # by PROFILE

    @property
    def response_rate(self) -> float | None:
        """Of the period's invitations, the percentage answered (one decimal)."""
        return round(100 * self.answered / self.invited, 1) if self.invited else None

    @property
    def lowest(self) -> str | None:
        return self.result.lowest()


def build_ikm(
    responses: Sequence[tuple[SurveyResponse, Ticket]],
    invitations: Sequence[tuple[SurveyInvitation, dt.datetime | None]],
    *,
    start: dt.datetime,
    as_of: dt.datetime,
    language: str,
    min_group: int,
    group_label: Callable[[str, Ticket], str],
) -> IkmSection:
    """The section for the period from ``start`` to ``as_of``. ``responses`` are those
    received in the period, with their tickets; ``invitations`` those made in it, with the
    moment each was answered. ``group_label(dimension, ticket)`` names a ticket's group."""
    counted = [(r, t) for r, t in responses if start <= r.answered_at < as_of]
    made = [(i, a) for i, a in invitations if start <= i.invited_at < as_of]
    scores = [r.scores for r, _ in counted]
    result = compute(scores)
    elements = []
    for index, element in enumerate(ELEMENTS):
        column = [s[index] for s in scores if s[index] is not None]
        elements.append(
            ElementFigures(
                code=element.code,
                name=element.name(language),
                answered=len(column),
                total=sum(v for v in column if v is not None),
                nrr=result.nrr[element.code],
            )
        )
    groups: list[Group] = []
    for dimension in DIMENSIONS:
        members: dict[str, list[tuple[int | None, ...]]] = defaultdict(list)
        for response, ticket in counted:
            members[group_label(dimension, ticket)].append(response.scores)
        for label in sorted(members, key=lambda name: (-len(members[name]), name.lower())):
            if len(members[label]) >= min_group:
                groups.append(Group(dimension, label, compute(members[label])))
    return IkmSection(
        invited=len(made),
        answered=sum(1 for _, answered in made if answered is not None and answered < as_of),
        result=result,
        elements=tuple(elements),
        groups=tuple(groups),
        min_group=min_group,
        respondents=tuple(Respondent(r.answered_at, r.scores) for r, _ in counted),
        saran=tuple(Saran(r.answered_at, r.saran) for r, _ in counted if r.saran.strip()),
        profile=tuple(
            profile_count(question, [getattr(r, question) for r, _ in counted], language)
            for question in PROFILE
        ),
    )


# A profile question left out, as the tables say it.
NOT_GIVEN = {"id": "Tidak diisi", "en": "Not given"}


def profile_count(question: str, values: Sequence[str | None], language: str) -> ProfileCount:
    """The respondents by ``question`` of the profile, from each one's answer (None: left
    out)."""
    counted: defaultdict[str | None, int] = defaultdict(int)
    for value in values:
        counted[value or None] += 1
    offered = PROFILE_CHOICES[question]
    rows = [
        ProfileRow(code, label_en if language == "en" else label_id, counted.pop(code, 0))
        for code, label_id, label_en in offered
    ]
    left_out = counted.pop(None, 0)
    rows += [ProfileRow(code, code, n) for code, n in sorted(counted.items()) if code]
    if left_out:
        rows.append(ProfileRow(None, NOT_GIVEN["en" if language == "en" else "id"], left_out))
    return ProfileCount(question, tuple(rows))
