"""Delivering the outbox: a sender claims due e-mails under a lease, then marks each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import CursorResult, update
from sqlmodel import col, select

from ticketing.models import OutboxEmail
from ticketing.store.base import Part
from ticketing.vocabulary import OutboxStatus


class Delivery(Part):
    def claim_due(self, now: dt.datetime, lease_until: dt.datetime, limit: int) -> list[int]:
        """Take up to ``limit`` e-mails that are due, for one sender, until ``lease_until``.

        Due means pending and past its next attempt, or claimed by a sender whose lease
        ran out (it died mid-send). The claim is committed before sending, and a row is
        only claimed while its lease is free, so two senders never take the same e-mail.
        """
        pending = (col(OutboxEmail.status) == OutboxStatus.PENDING) & (
            col(OutboxEmail.next_attempt_at) <= now
        )
        abandoned = (col(OutboxEmail.status) == OutboxStatus.SENDING) & (
            col(OutboxEmail.lease_until) < now
        )
        due = (
            select(OutboxEmail.id)
            .where(pending | abandoned)
            .order_by(col(OutboxEmail.next_attempt_at), col(OutboxEmail.id))
            .limit(limit)
        )
        if self._on_postgresql():
            due = due.with_for_update(skip_locked=True)
        ids = [int(i) for i in self.session.exec(due) if i is not None]
        if not ids:
            return []
        self.session.execute(
            update(OutboxEmail)
            .where(col(OutboxEmail.id).in_(ids))
            .values(status=OutboxStatus.SENDING, lease_until=lease_until)
            .execution_options(synchronize_session=False)
        )
        return ids

    def mark_sent(self, email_id: int, now: dt.datetime, raw: bytes | None = None) -> None:
        """The e-mail went out at ``now``; ``raw``: the bytes sent, rendered from its draft
        for the sending (kept from now on, in place of the draft they were rendered from),
        or None when the row holds them already."""
        values = _sent_bytes(raw)
        self._set(
            email_id,
            status=OutboxStatus.SENT,
            sent_at=now,
            lease_until=None,
            last_error=None,
            **values,
        )

    def mark_retry(self, email_id: int, next_attempt_at: dt.datetime, error: str) -> None:
        email = self._get_email(email_id)
        self._set(
            email_id,
            status=OutboxStatus.PENDING,
            attempts=email.attempts + 1,
            next_attempt_at=next_attempt_at,
            lease_until=None,
            last_error=error,
        )

    def mark_dead(self, email_id: int, error: str) -> None:
        email = self._get_email(email_id)
        self._set(
            email_id,
            status=OutboxStatus.DEAD,
            attempts=email.attempts + 1,
            lease_until=None,
            last_error=error,
        )

    def settle_claim(
        self,
        lease_until: dt.datetime,
        sent: dict[int, tuple[dt.datetime, bytes | None]],
        unsent: Sequence[int],
    ) -> tuple[int, int]:
        """Record what became of e-mails claimed until ``lease_until`` whose outcome a
        database fault kept from being recorded: ``sent`` (id: when the server took it,
        the bytes rendered for it) are marked sent, ``unsent`` given back, pending as they
        were. Only rows still under that claim are touched (one whose claim ran out and
        that another sender took is that sender's). Returns (marked sent, given back)."""
        still = (col(OutboxEmail.status) == OutboxStatus.SENDING) & (
            col(OutboxEmail.lease_until) == lease_until
        )
        marked = 0
        for email_id, (at, raw) in sent.items():
            values = _sent_bytes(raw)
            done = self.session.execute(
                update(OutboxEmail)
                .where(col(OutboxEmail.id) == email_id, still)
                .values(status=OutboxStatus.SENT, sent_at=at, lease_until=None,
                        last_error=None, **values)
                .execution_options(synchronize_session=False)
            )  # fmt: skip
            marked += cast(CursorResult[Any], done).rowcount
        given = 0
        if unsent:
            done = self.session.execute(
                update(OutboxEmail)
                .where(col(OutboxEmail.id).in_(list(unsent)), still)
                .values(status=OutboxStatus.PENDING, lease_until=None)
                .execution_options(synchronize_session=False)
            )
            given = cast(CursorResult[Any], done).rowcount
        return marked, given

    def release(self, email_id: int) -> None:
        """Give a claimed e-mail back untouched (the sender could not try it)."""
        self._set(email_id, status=OutboxStatus.PENDING, lease_until=None)

    def requeue(self, email_id: int, now: dt.datetime) -> None:
        self._set(email_id, status=OutboxStatus.PENDING, next_attempt_at=now, lease_until=None)

    def _get_email(self, email_id: int) -> OutboxEmail:
        email = self.session.get(OutboxEmail, email_id)
        if email is None:
            raise LookupError(f"no outbox e-mail {email_id}")
        return email

    def _set(self, email_id: int, **values: Any) -> None:
        self.session.execute(
            update(OutboxEmail)
            .where(col(OutboxEmail.id) == email_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )


def _sent_bytes(raw: bytes | None) -> dict[str, Any]:
    """The columns that keep an e-mail's bytes once sent: the bytes, and no draft (it
    would only repeat them, at some 3 KB an e-mail)."""
    return {"raw": raw, "draft": None} if raw is not None else {}
