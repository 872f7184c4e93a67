"""A survey answer written in a reply: nine digits 1..4, in any shape, then an optional
saran. Pure: the reply's own text (quotes already cut) in, what it says out.

The digits stand at the top of the reply, before any word: on one line ("4 4 3 4 4 4 3 4
4", "4,4,3,4,4,4,3,4,4", "443444344"), or one per line, or numbered ("1. 4", "U1 = 4"),
or after a short label ("Jawaban: 4 4 3 ..."). What follows them is the saran. A reply
whose first line holds words is not a survey answer at all (a thank-you note, a new
question): it is read as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from intake.commands import body_lines
from ticketing.ikm import CODES

ELEMENTS = len(CODES)

# A line of the answer: digits and separators only, no letter.
_DIGITS_LINE = re.compile(r"^[\s\d,;.:/|*()\[\]=+\-–—]*\d[\s\d,;.:/|*()\[\]=+\-–—]*$")
# A numbered line: "1. 4", "1) 4", "U1 = 4", "u1: 4", "(1) 4".
_NUMBERED = re.compile(r"^\s*\(?[uU]?([1-9])\s*[.):=\-]?\s*\)?\s*[:=]?\s*(\d)\s*[.,;]?\s*$")
# A short label before the digits on the first line: "Jawaban: 4 4 3 ...", "Nilai saya
# 4 4 3 ..."; with at least this many digits (a room number after a word is no answer).
_LABELLED = re.compile(r"^\s*[^\W\d_][^\d\n]{0,40}?[:\-]?\s*(?P<digits>[\d\s,;./|\-]+)$")
_LABELLED_MIN = 5
# "Saran: ..." above the saran itself.
_SARAN_LABEL = re.compile(r"^(saran( dan masukan)?|masukan|suggestions?)\s*[:\-]\s*", re.I)


@dataclass(frozen=True)
class SurveyAnswer:
    """What a reply holds: nine scores when ``valid``, and the saran below them."""

    digits: str  # the digits as read, spaced ("4 4 3 4 4 4 3 4 4")
    scores: tuple[int, ...]
    saran: str

    @property
    def valid(self) -> bool:
        return len(self.scores) == ELEMENTS and all(1 <= s <= 4 for s in self.scores)


def read_survey_answer(text: str) -> SurveyAnswer | None:
    """The survey answer at the top of a reply's own text, or None when the reply starts
    with words (it is no attempt at one; a short label before the digits, "Jawaban: 4 4 3 ...",
    is allowed). Greeting lines above the digits and a signature
    below (``--``, "Dikirim dari ...") are skipped."""
    lines = body_lines(text)
    start = 0
    scores: list[int] = []
    numbered = 0
    end = start
    for index in range(start, len(lines)):
        line = lines[index]
        if not line.strip():
            if scores and len(scores) >= ELEMENTS:
                end = index
                break
            end = index + 1
            continue
        match = _NUMBERED.match(line)
        if match and int(match.group(1)) == numbered + 1 and len(scores) == numbered:
            scores.append(int(match.group(2)))
            numbered += 1
            end = index + 1
            continue
        if not _DIGITS_LINE.match(line):
            labelled = _LABELLED.match(line) if not scores else None
            if labelled is None or sum(c.isdigit() for c in labelled["digits"]) < _LABELLED_MIN:
                break
            line = labelled["digits"]
        scores.extend(int(c) for c in line if c.isdigit())
        end = index + 1
    if not scores:
        return None
    saran = _SARAN_LABEL.sub("", "\n".join(lines[end:]).strip(), count=1).strip()
    return SurveyAnswer(" ".join(str(s) for s in scores), tuple(scores), saran)
