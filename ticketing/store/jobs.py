"""The daemon's jobs, how each last ran, and the alerts it raises about itself."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text
from sqlmodel import col, select

from ticketing.models import AlertState, JobState
from ticketing.store.base import Part


class Jobs(Part):
    def job_states(self) -> list[JobState]:
        return list(self.session.exec(select(JobState).order_by(col(JobState.name))))

    def record_job(self, name: str, *, started: dt.datetime, error: str | None,
                   now: dt.datetime) -> JobState:  # fmt: skip
        # Jobs such as the outbox run in every daemon: two first runs at once must not both
        # insert the row, and two later ones must not lose a count.
        self.session.execute(
            text("INSERT INTO job_state (name, runs, failures) VALUES (:name, 0, 0) "
                 "ON CONFLICT (name) DO NOTHING"),
            {"name": name},
        )  # fmt: skip
        state = self.session.get(JobState, name, with_for_update=self._on_postgresql(),
                                 populate_existing=True)  # fmt: skip
        assert state is not None
        state.last_started = started
        state.runs += 1
        if error is None:
            state.last_success = now
            state.failing_since = None
        else:
            state.failures += 1
            state.last_error = error[:4000]
            state.last_error_at = now
            state.failing_since = state.failing_since or now
        self.session.add(state)
        self.session.flush()
        return state

    def alert(self, name: str) -> AlertState | None:
        """The alert ``name`` while it is raised."""
        found = self.session.get(AlertState, name)
        return found if found is not None and found.cleared_at is None else None

    def raise_alert(self, name: str, detail: str, now: dt.datetime) -> None:
        state = self.session.get(AlertState, name) or AlertState(name=name, raised_at=now)
        state.raised_at, state.detail, state.cleared_at = now, detail[:4000], None
        self.session.add(state)
        self.session.flush()

    def clear_alert(self, name: str, now: dt.datetime) -> None:
        state = self.alert(name)
        if state is not None:
            state.cleared_at = now
            self.session.add(state)
