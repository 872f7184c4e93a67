"""Staff passwords for the staff desk: argon2 hashes (argon2-cffi), stored by the store,
never the password itself."""

from __future__ import annotations

import datetime as dt
import hashlib

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ticketing.store import Tx

MIN_LENGTH = 10

_hasher = PasswordHasher()
# Verified against when the staff id has no password, so that an unknown id takes as long
# to refuse as a wrong password.
_DUMMY = _hasher.hash("no password is set for this staff id")


def weakness(password: str, staff_id: str) -> str | None:
    """Why ``password`` will not do, or None."""
    if len(password) < MIN_LENGTH:
        return f"the password must have at least {MIN_LENGTH} characters"
    if password.strip().lower() == staff_id.lower():
        return "the password must not be the staff id"
    return None


def set_password(tx: Tx, staff_id: str, password: str, now: dt.datetime) -> None:
    tx.set_password_hash(staff_id, _hasher.hash(password), now)


def check_password(tx: Tx, staff_id: str, password: str, now: dt.datetime) -> bool:
    """Whether ``password`` is the staff member's; an old hash is renewed on the way."""
    stored = tx.password_hash(staff_id)
    try:
        _hasher.verify(stored or _DUMMY, password)
    except (VerificationError, InvalidHashError):
        return False
    if stored is None:
        return False
    if _hasher.check_needs_rehash(stored):
        set_password(tx, staff_id, password, now)
    return True


def fingerprint(tx: Tx, staff_id: str) -> str | None:
    """A short digest of the stored hash: a session made before the password changed no
    longer matches it."""
    stored = tx.password_hash(staff_id)
    return hashlib.sha256(stored.encode()).hexdigest()[:16] if stored else None
