"""The real-world corpus: 150 messages other projects published as test data (Gmail,
Outlook, DSNs, fuzzed garbage, ...). Every one goes through parse and strip_quotes, and
what each folder stands for holds.

The corpus lives next to the repository, in ``../shared/corpus/real-world`` (CI clones
the repository beside a copy of ``shared/``); see its README.md. Only the ``*.eml`` files
are messages; the README, MANIFEST.tsv and LICENSES/ are its documentation.
"""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

import pytest

from intake.parse import InboundMessage, parse
from intake.quotes import strip_quotes

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus" / "real-world"
MISSING = (
    f"The real-world mail corpus is missing: expected it at {CORPUS} "
    "(../shared/corpus/real-world from the repository root). Clone or copy shared/ "
    "next to the repository."
)

# Automatic mail that parse cannot recognise, with the reason. Empty today: every file
# under auto-reply/ and bounce/ is recognised (one only by its subject, see below). A file
# listed here is asserted NOT to be flagged, so the list cannot go stale silently.
NOT_RECOGNISED_AS_AUTOMATIC: dict[str, str] = {}

# multipart/report bounces that carry neither a status nor a recipient anywhere.
BOUNCES_WITHOUT_DETAILS = {
    # Truncated upstream: the report stops after a one-line Japanese notice ("delivery
    # failed to the following recipients:"), before any recipient or delivery-status part.
    "bounce/phpmime-failure.eml": "truncated before its recipients",
}


def corpus_files(*folders: str) -> list[object]:
    """The messages (of the given category folders), each with its relative path as id;
    one ``None`` that fails the test when the corpus is missing, never an empty list that
    pytest would skip."""
    if not CORPUS.is_dir():
        return [pytest.param(None, id="corpus-missing")]
    paths = sorted(CORPUS.rglob("*.eml"))
    if folders:
        paths = [path for path in paths if relative(path).split("/")[0] in folders]
    return [pytest.param(path, id=relative(path)) for path in paths]


def relative(path: Path) -> str:
    return path.relative_to(CORPUS).as_posix()


def read(path: Path | None) -> tuple[bytes, InboundMessage]:
    if path is None or not CORPUS.is_dir():
        pytest.fail(MISSING)
    raw = path.read_bytes()
    return raw, parse(raw)


def root_content_type(raw: bytes) -> str:
    return email.message_from_bytes(raw, policy=email.policy.compat32).get_content_type()


def has_header(raw: bytes, name: str) -> bool:
    """A header line ``name:`` in the header block (up to the first blank line)."""
    head = re.split(rb"\r?\n\r?\n", raw, maxsplit=1)[0]
    return re.search(rb"(?im)^" + re.escape(name.encode()) + rb"[ \t]*:", head) is not None


def test_corpus_is_present_and_complete() -> None:
    """The corpus folder exists and holds every message its manifest lists."""
    assert CORPUS.is_dir(), MISSING
    manifest = (CORPUS / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()
    listed = {line.split("\t", 1)[0] for line in manifest[1:] if line.strip()}
    present = {relative(path) for path in CORPUS.rglob("*.eml")}
    assert listed == present
    assert len(present) >= 150


@pytest.mark.parametrize("path", corpus_files())
def test_parse_and_strip_quotes_never_raise(path: Path | None) -> None:
    """Every message parses and strips to str values, LF only, one-line subject."""
    raw, message = read(path)
    assert isinstance(message.text, str) and "\r" not in message.text
    assert "\n" not in message.subject and "\r" not in message.subject
    assert message.size == len(raw)
    assert message.date is None or message.date.tzinfo is not None
    for attachment in message.attachments:
        assert attachment.filename and len(attachment.filename) <= 120
        assert not {"/", "\\", "\x00", "\n"} & set(attachment.filename)
        assert attachment.size == len(attachment.payload)
    stripped = strip_quotes(message.text)
    assert len(stripped) <= len(message.text)
    assert strip_quotes(stripped) == stripped


@pytest.mark.parametrize("path", corpus_files("auto-reply", "bounce"))
def test_automatic_mail_is_flagged(path: Path | None) -> None:
    """Auto-replies and bounces are automatic: they must never be answered."""
    _, message = read(path)
    assert path is not None
    name = relative(path)
    if name in NOT_RECOGNISED_AS_AUTOMATIC:
        assert message.auto is None, f"{name} is recognised now: take it off the list"
    else:
        assert message.auto, f"{name} not recognised as automatic"


def test_an_auto_reply_without_headers_is_known_by_its_subject() -> None:
    """phpmime-issue212 has no From and no auto headers; its Polish subject tells."""
    _, message = read(CORPUS / "auto-reply" / "phpmime-issue212.eml")
    assert message.auto == "subject: Automatyczna odpowiedź"


@pytest.mark.parametrize("path", corpus_files("bounce"))
def test_report_bounces_give_a_status_or_recipient(path: Path | None) -> None:
    """A multipart/report bounce yields a Bounce with a status or a recipient."""
    raw, message = read(path)
    assert path is not None
    if root_content_type(raw) != "multipart/report":
        return
    assert message.bounce is not None
    found = bool(message.bounce.status or message.bounce.recipients)
    if relative(path) in BOUNCES_WITHOUT_DETAILS:
        assert not found, f"{relative(path)} gives details now: take it off the list"
    else:
        assert found


@pytest.mark.parametrize("path", corpus_files("mailing-list"))
def test_list_posts_name_their_list(path: Path | None) -> None:
    """A mailing-list message with a List-Id header has mailing_list set."""
    raw, message = read(path)
    assert path is not None
    if has_header(raw, "List-Id"):
        assert message.mailing_list


def test_attached_forwards_do_not_leak_into_the_text() -> None:
    """Thunderbird's forward-as-attachment keeps the forwarded body out of the text."""
    _, message = read(CORPUS / "forwarded" / "flanker-enclosed.eml")
    assert message.text == "Hello"
    assert [a.content_type for a in message.attachments] == ["message/rfc822"]


def test_path_traversal_filename_is_sanitized() -> None:
    """php-mime-mail-parser's '1234/../../1234.txt' comes out as a bare name."""
    _, message = read(CORPUS / "attachments" / "phpmime-m0027.eml")
    assert [a.filename for a in message.attachments] == ["1234.txt"]
