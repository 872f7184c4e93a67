"""Whether the office's own mail server vouches for a sender: Authentication-Results."""

from __future__ import annotations

from intake.authentication import Verdict, authenticate
from intake.parse import parse

OURS = "mx.bantenprov.go.id"
RUDI = "rudi@diskominfo.bantenprov.go.id"


def verdict(*headers: str, sender: str = RUDI, trusted: str | None = OURS) -> Verdict:
    return authenticate(headers, sender, trusted).verdict


def test_an_aligned_dkim_pass_from_our_server_authenticates() -> None:
    assert verdict(f"{OURS}; dkim=pass header.d=bantenprov.go.id header.s=sel") == Verdict.PASS


def test_an_aligned_spf_pass_from_our_server_authenticates() -> None:
    header = f"{OURS}; spf=pass smtp.mailfrom=rudi@diskominfo.bantenprov.go.id; dkim=none"
    assert verdict(header) == Verdict.PASS


def test_a_pass_for_another_domain_does_not_authenticate() -> None:
    assert (
        verdict(f"{OURS}; dkim=pass header.d=evil.example; spf=pass smtp.mailfrom=evil.example")
        == Verdict.FAIL
    )


def test_failing_results_do_not_authenticate() -> None:
    assert (
        verdict(f"{OURS}; spf=fail smtp.mailfrom=bantenprov.go.id; dkim=none; dmarc=fail")
        == Verdict.FAIL
    )


def test_a_header_of_another_server_is_ignored() -> None:
    """Anyone can write an Authentication-Results header into the mail they send."""
    assert verdict("mail.evil.example; dkim=pass header.d=bantenprov.go.id") == Verdict.FAIL


def test_only_the_topmost_header_of_our_server_counts() -> None:
    """Ours is added on top; one below it claiming our name was written by the sender."""
    ours = f"{OURS}; spf=fail smtp.mailfrom=bantenprov.go.id; dkim=none"
    forged = f"{OURS}; dkim=pass header.d=bantenprov.go.id"
    assert verdict(ours, forged) == Verdict.FAIL


def test_authserv_id_is_matched_without_case() -> None:
    assert verdict("MX.BantenProv.go.id; dkim=pass header.d=bantenprov.go.id") == Verdict.PASS


def test_no_header_from_our_server_does_not_authenticate() -> None:
    result = authenticate((), RUDI, OURS)
    assert result.verdict == Verdict.FAIL
    assert OURS in result.reason


def test_an_unparsable_header_is_no_header() -> None:
    assert verdict(";;; === garbage", f"{OURS} dkim") == Verdict.FAIL


def test_nothing_is_checked_without_a_trusted_server() -> None:
    assert (
        verdict(f"{OURS}; dkim=pass header.d=bantenprov.go.id", trusted=None) == Verdict.UNCHECKED
    )


def test_a_sender_without_an_address_does_not_authenticate() -> None:
    assert verdict(f"{OURS}; dkim=pass header.d=bantenprov.go.id", sender="") == Verdict.FAIL


def test_a_public_suffix_is_not_aligned_with_a_sibling() -> None:
    """attacker.go.id cannot pass for bantenprov.go.id: neither is inside the other."""
    assert (
        verdict(f"{OURS}; spf=pass smtp.mailfrom=attacker.go.id", sender="rudi@bantenprov.go.id")
        == Verdict.FAIL
    )


def test_the_parser_keeps_every_authentication_results_header_in_order() -> None:
    raw = (
        b"Authentication-Results: mx.a; spf=pass\r\n smtp.mailfrom=a.example\r\n"
        b"Authentication-Results: evil; dkim=pass\r\n"
        b"From: x@a.example\r\nSubject: hi\r\n\r\nbody\r\n"
    )
    assert parse(raw).authentication_results == (
        "mx.a; spf=pass smtp.mailfrom=a.example",
        "evil; dkim=pass",
    )
