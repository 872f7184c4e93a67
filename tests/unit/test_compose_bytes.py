"""`message_bytes` writes what the email package writes for the same e-mail, byte for byte.

The outbox stores ``message_bytes(...)``; tests/oracles.py makes the same e-mail as the
email package's EmailMessage. Both draw the MIME boundary from the generator they are
given, so from two generators seeded alike they must give the same bytes and the same
Subject, whatever people typed.
"""

from __future__ import annotations

import datetime as dt
import email
import random
from email import policy

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from notifier.compose import Recipient, Rendered, Sender, Threading, message_bytes, new_message_id
from tests import oracles

NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
SENDER = Sender("helpdesk@example.go.id", "Help Desk Layanan TIK", "example.go.id")

WORDS = ["Budi", "Santoso", "Siti", "Nur'aini", "Al-Fatih", "S.Kom.", "Dr.", "Ñoño", "Ibu",
         "李", "O'Neil", "[TIK-2026-00001]", "=?utf-8?q?x?=", "a,b", "(c)", '"q"', "x" * 80,
         "Pengaduan", "diterima:", "Jaringan", "-", "Badan", "Pengelolaan", "Keuangan"]  # fmt: skip
ADDRESSES = ["budi.santoso@dinkes.example.go.id", "a@b.co", "x+tag@example.org",
             "first_last@sub.domain.example.id", "UPPER@Example.GO.ID",
             "very.long.local.part.of.an.address.that.goes.on@a-long-domain.example.go.id",
             "o'neil@example.org", "user@localhost"]  # fmt: skip

texts = st.lists(
    st.one_of(
        st.sampled_from(WORDS),
        st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30),
        st.sampled_from([" ", "  ", "\t", "\n", "\r\n", "=", "=\n", " \n", "\t\n", "From x"]),
    ),
    max_size=60,
).map("".join)
names = st.lists(st.sampled_from(WORDS), max_size=5).map(" ".join) | texts
recipients = st.builds(Recipient, st.sampled_from(ADDRESSES), names)
message_ids = st.sampled_from(
    ["<tik-2026-00001.0123456789abcdef0123456789abcdef@example.go.id>", "<a@b>",
     "<x.y@very-long-domain-name.example.go.id.and.then.some.more.labels.example>",
     "<odd id@x>", "<CAF=abc+def@mail.gmail.com>"]
)  # fmt: skip


def both(rendered: Rendered, seed: int, **kw: object) -> tuple[bytes, bytes, str, str]:
    expected, expected_subject = oracles.message_bytes(rendered, rng=random.Random(seed), **kw)
    raw, subject = message_bytes(rendered, rng=random.Random(seed), **kw)  # type: ignore[arg-type]
    return expected, raw, expected_subject, subject


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    subject=texts,
    text=texts,
    html=texts,
    to=st.lists(recipients, min_size=1, max_size=3),
    cc=st.lists(recipients, max_size=2),
    message_id=message_ids,
    in_reply_to=st.none() | message_ids,
    references=st.lists(message_ids, max_size=12),
    auto=st.sampled_from(["auto-replied", "auto-generated"]),
    token=st.none() | st.sampled_from(["abcdefghijkmnpq2", "zzzzzzzzzzzzzzzz"]),
    seed=st.integers(0, 2**32),
)
@example(
    subject="[TIK-2026-00001] Pengaduan diterima: Jaringan - Badan Pengelolaan Keuangan dan "
    "Aset Daerah",
    text="Yth. Ibu Siti,\n\n" + "kata " * 40 + "\n",
    html="<p>" + "x" * 200 + "</p>\n",
    to=[Recipient("siti.kusuma1@example.go.id", "Siti Kusuma")],
    cc=[],
    message_id="<tik-2026-00001.0123456789abcdef0123456789abcdef@example.go.id>",
    in_reply_to=None,
    references=[],
    auto="auto-generated",
    token="abcdefghijkmnpq2",
    seed=1,
)
def test_message_bytes_are_the_email_packages(
    subject, text, html, to, cc, message_id, in_reply_to, references, auto, token, seed
) -> None:
    rendered = Rendered(subject=subject, text=text, html=html)
    kw = dict(
        sender=SENDER, to=to, cc=cc, message_id=message_id, date=NOW, auto_submitted=auto,
        threading=Threading(in_reply_to=in_reply_to, references=references),
        bounce_token=token,
    )  # fmt: skip
    try:
        expected, raw, expected_subject, got_subject = both(rendered, seed, **kw)
    except (ValueError, TypeError, IndexError) as exc:  # the email package refuses: so must we
        with pytest.raises(type(exc)):
            message_bytes(rendered, rng=random.Random(seed), **kw)  # type: ignore[arg-type]
        return
    assert raw == expected
    assert got_subject == expected_subject


@pytest.mark.parametrize("width", range(60, 100))
def test_subjects_of_every_length_fold_alike(width: int) -> None:
    words = ("[TIK-2026-00001] Pengaduan diterima: Jaringan - Dinas Kesehatan " * 4)[:width]
    rendered = Rendered(subject=words, text="a\n", html="<p>a</p>\n")
    expected, raw, _, _ = both(
        rendered, width, sender=SENDER, to=[Recipient("a@b.co", "A")], message_id="<a@b>",
        date=NOW, auto_submitted="auto-generated",
    )  # fmt: skip
    assert raw == expected


def test_a_message_reads_back() -> None:
    """The bytes parse as the e-mail they describe."""
    rendered = Rendered("Tiket [TIK-2026-00001]", "Yth. Bapak Budi,\nIsi: é\n", "<p>é</p>\n")
    rng = random.Random(1)
    raw, subject = message_bytes(
        rendered, sender=SENDER, to=[Recipient("budi@example.go.id", "Budi Santoso")],
        message_id=new_message_id("example.go.id", "TIK-2026-00001", rng=rng), date=NOW,
        auto_submitted="auto-generated", rng=rng,
    )  # fmt: skip
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert parsed["To"] == "Budi Santoso <budi@example.go.id>"
    assert subject == parsed["Subject"] == "Tiket [TIK-2026-00001]"
    text, html = (parsed.get_body((kind,)).get_content() for kind in ("plain", "html"))
    assert text.replace("\r\n", "\n") == "Yth. Bapak Budi,\nIsi: é\n"  # 8bit keeps CRLF
    assert html.replace("\r\n", "\n") == "<p>é</p>\n"


def test_what_is_drawn_comes_from_the_generator_given() -> None:
    """An e-mail's Message-ID and MIME boundary are drawn from the generator it is given:
    two seeded alike make the same e-mail, another seed another one."""

    def made(seed: int) -> tuple[str, bytes]:
        rng = random.Random(seed)
        message_id = new_message_id("example.go.id", "TIK-2026-00001", rng=rng)
        raw, _ = message_bytes(
            Rendered("s", "a\n", "<p>a</p>\n"), sender=SENDER, to=[Recipient("a@b.co")],
            message_id=message_id, date=NOW, auto_submitted="auto-generated", rng=rng,
        )  # fmt: skip
        return message_id, raw

    assert made(1) == made(1)
    (first_id, first), (other_id, other) = made(1), made(2)
    assert first_id != other_id
    assert first.replace(first_id.encode(), b"") != other.replace(other_id.encode(), b"")


HIDDEN_BREAK = "=?utf-8?b?QnVkaQ0KQmNjOiB2aWN0aW1AZXhhbXBsZS5vcmc=?="  # "Budi\r\nBcc: victim@..."


@pytest.mark.parametrize(
    ("name", "subject"),
    [
        (HIDDEN_BREAK, "Laporan"),  # a name typed encoded in the form
        ("Budi " + HIDDEN_BREAK, "Laporan"),
        ("Budi", "Re: " + HIDDEN_BREAK),  # a subject that was encoded twice
        ("Budi =?utf-8?q?Santoso=0D=0A?=", "=?utf-8?q?a=0Ab?= =?utf-8?q?=0D=0Ac?="),
    ],
)
def test_encoded_words_in_names_and_subjects_cannot_add_a_header(name: str, subject: str) -> None:
    """Text holding an encoded line break (a name, a subject) is written as one line: the
    e-mail is made, with the same bytes both ways, and has no header it was not given."""
    rendered = Rendered(subject, "a\n", "<p>a</p>\n")
    expected, raw, expected_subject, got_subject = both(
        rendered, 7, sender=SENDER, to=[Recipient("budi@example.go.id", name)],
        message_id="<a@b>", date=NOW, auto_submitted="auto-replied",
    )  # fmt: skip
    assert raw == expected and got_subject == expected_subject
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert "Bcc" not in parsed and parsed["Bcc"] is None
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    names = [line.split(":", 1)[0] for line in head.split("\r\n") if line[:1] not in " \t"]
    assert names == ["From", "To", "Subject", "Date", "Message-ID", "Auto-Submitted",
                     "X-Auto-Response-Suppress", "MIME-Version", "Content-Type",
                     "Content-Language"]  # fmt: skip
    assert "\n" not in parsed["To"] and "\n" not in parsed["Subject"]
    assert parsed["To"].addresses[0].addr_spec == "budi@example.go.id"


BODIES = [
    "",
    "a\n",
    "é" * 50 + "\n",  # short lines, not ASCII: 8bit
    "李" * 40 + "\n" + "李" * 30,  # long lines, mostly not Latin: base64
    "\n".join("x" * n + end for n in range(70, 84) for end in ("", " ", "\t", "=", "é")),
    "\n".join(("=" * n) + " " for n in range(70, 84)),
    "\n".join(f"baris {n}: " + "kata " * n for n in range(30)),  # more than ten lines
]


@pytest.mark.parametrize("body", BODIES)
def test_bodies_are_encoded_alike(body: str) -> None:
    rendered = Rendered(subject="s", text=body, html=body)
    expected, raw, _, _ = both(
        rendered, 7, sender=SENDER, to=[Recipient("a@b.co", "A")], message_id="<a@b>",
        date=NOW, auto_submitted="auto-generated",
    )  # fmt: skip
    assert raw == expected


@given(texts.map("".join))
def test_a_header_value_is_flattened_as_by_its_two_expressions(text: str) -> None:
    """A header value's control characters and runs of spaces become one space, and it is
    stripped, whether or not it is plain ASCII."""
    import re

    from notifier.compose import _flat

    expected = re.sub(r"\s+", " ", re.sub(r"[\x00-\x1f\x7f\u2028\u2029]+", " ", text)).strip()
    assert _flat(text) == expected


@given(st.integers(min_value=0, max_value=2**128 - 1))
def test_a_message_ids_unique_part_is_a_version_4_uuid(bits: int) -> None:
    """The unique part of a Message-ID is what `uuid` makes a version-4 UUID of the bits."""
    import uuid

    from notifier.compose import uuid4_hex

    assert uuid4_hex(bits) == uuid.UUID(int=bits, version=4).hex
