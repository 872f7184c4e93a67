"""Incomplete reports, waiting for the rest of their form."""

from __future__ import annotations

from ticketing.models import Submission
from ticketing.store.base import Part


class Submissions(Part):
    def submission(self, submission_id: int) -> Submission | None:
        return self.session.get(Submission, submission_id)

    def add_submission(self, submission: Submission) -> Submission:
        self.session.add(submission)
        self.session.flush()
        return submission
