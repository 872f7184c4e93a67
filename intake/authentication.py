"""Whether the office's own mail server vouches for a message's sender.

The receiving server of the office (named by ``[intake] trusted_authserv_id``) writes an
``Authentication-Results`` header (RFC 8601) on every message it accepts: whether the
sending domain's SPF allowed the connecting host, and whether a DKIM signature verified.
A message's From is believed only when that header shows ``dkim=pass`` with the signing
domain (``header.d``) aligned with the From domain, or ``spf=pass`` with the envelope
sender's domain (``smtp.mailfrom``) aligned with it. Aligned means the same domain or one
a subdomain of the other (relaxed alignment, RFC 7489, without a public-suffix list:
nobody can sign for a public suffix itself, so this admits no stranger).

Anyone can write an ``Authentication-Results`` header into the mail they send: only the
topmost one with the trusted authserv-id counts (the receiving server adds its own on top,
and a well-configured one removes any other that claims its name); those of any other
authserv-id are ignored. Parsed with ``authres``; an unparsable header is no header.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import authres


class Verdict(StrEnum):
    PASS = "pass"  # the trusted server vouches for the From domain
    FAIL = "fail"  # it does not, or it wrote nothing
    UNCHECKED = "unchecked"  # no trusted server is configured: nothing to check against


@dataclass(frozen=True)
class Authentication:
    verdict: Verdict
    reason: str


def authenticate(
    headers: Sequence[str], from_address: str | None, trusted_authserv_id: str | None
) -> Authentication:
    """The verdict on ``from_address`` from the message's ``Authentication-Results``
    header values (topmost first, as they stand in the message)."""
    if not trusted_authserv_id:
        return Authentication(Verdict.UNCHECKED, "no trusted authserv-id configured")
    domain = _domain(from_address or "")
    if not domain:
        return Authentication(Verdict.FAIL, "no From domain")
    trusted = trusted_authserv_id.strip().lower()
    for value in headers:
        parsed = _parse(value)
        if parsed is None or (parsed.authserv_id or "").lower() != trusted:
            continue
        passed = []
        for result in parsed.results:
            method, outcome = (result.method or "").lower(), (result.result or "").lower()
            if outcome != "pass" or method not in ("dkim", "spf"):
                continue
            wanted = ("header", "d") if method == "dkim" else ("smtp", "mailfrom")
            for prop in result.properties:
                if (prop.type, prop.name) == wanted and _aligned(_domain(prop.value), domain):
                    passed.append(f"{method}=pass for {_domain(prop.value)}")
        if passed:
            return Authentication(Verdict.PASS, f"{trusted}: {', '.join(passed)}")
        shown = ", ".join(f"{r.method}={r.result}" for r in parsed.results) or "no results"
        return Authentication(
            Verdict.FAIL, f"{trusted}: {shown}; none passes aligned with {domain}"
        )
    return Authentication(Verdict.FAIL, f"no Authentication-Results from {trusted}")


def _parse(value: str) -> authres.AuthenticationResultsHeader | None:
    import authres  # loaded with the first header to read: most mail is new reports

    text = " ".join(value.split())
    try:
        return authres.AuthenticationResultsHeader.parse_value(text)
    except (authres.AuthResError, ValueError, IndexError, AttributeError):
        return None


def _domain(text: str) -> str:
    """The domain of an address or a domain (``@a.b``, ``x@a.b``, ``a.b``), lower case."""
    return (text or "").rsplit("@", 1)[-1].strip().strip(".").lower()


def _aligned(one: str, other: str) -> bool:
    if not one or not other:
        return False
    return one == other or one.endswith("." + other) or other.endswith("." + one)
