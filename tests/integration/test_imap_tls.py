"""The IMAP adapter over implicit TLS and STARTTLS, against a real Dovecot with a self-signed
certificate for 127.0.0.1; and `helpdesk intake poll` trusting that certificate."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import pytest
from typer.testing import CliRunner

from helpdesk.cli.main import app
from helpdesk.testing.imap import (
    DovecotServer,
    dovecot_available,
    dovecot_server,
    remote_relay,
)
from helpdesk.testing.loopback import Certificate, self_signed
from intake.imap import Mailbox, MailboxError, MailboxLoginError, MailboxSettings
from tests.conftest import use_mailbox
from tests.mail import email

USER = "helpdesk"
PASSWORD = "rahasia-kotak-surat"
NOW = "2026-11-30T09:00:00+07:00"
Security = Literal["ssl", "starttls", "none"]


@pytest.fixture(scope="module", autouse=True)
def dovecot_installed() -> None:
    """CI installs Dovecot (.ci/run), so a missing one is a failure, not a skip."""
    reason = dovecot_available()
    if reason is not None:
        pytest.fail(f"the IMAP TLS tests need Dovecot: {reason}", pytrace=False)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return self_signed(str(tmp_path_factory.mktemp("tls")))


@pytest.fixture(scope="module")
def trusting(certificate: Certificate) -> ssl.SSLContext:
    """A client context that trusts the test certificate (and verifies the host name)."""
    return ssl.create_default_context(cafile=certificate.cert)


@pytest.fixture
def server(tmp_path: Path, certificate: Certificate) -> Iterator[DovecotServer]:
    with dovecot_server(tmp_path / "dovecot", {USER: PASSWORD}, tls=certificate) as running:
        yield running


def settings(
    port: int, security: Security, context: ssl.SSLContext | None = None
) -> MailboxSettings:
    return MailboxSettings(
        host="127.0.0.1", port=port, security=security, username=USER, password=PASSWORD,
        timeout=5, ssl_context=context,
    )  # fmt: skip


def message(n: int) -> bytes:
    return (
        f"From: Budi <budi{n}@dinkes.example.go.id>\r\n"
        "To: helpdesk@example.go.id\r\n"
        f"Subject: Pengaduan {n}\r\n"
        f"Message-ID: <tls{n}@dinkes.example.go.id>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n"
        "\r\n"
        f"Koneksi internet di ruang pelayanan terputus — laporan {n}.\r\n"
    ).encode()


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_tls_round_trip(
    server: DovecotServer, trusting: ssl.SSLContext, security: Security
) -> None:
    """Over implicit TLS (tls_port) and STARTTLS (port): append, find and fetch exact bytes."""
    port = server.tls_port if security == "ssl" else server.port
    assert port is not None
    raws = [message(1), message(2)]
    with Mailbox(settings(port, security, trusting)) as box:
        client = box._client
        assert client is not None
        assert isinstance(client.socket(), ssl.SSLSocket)  # the link really is TLS
        for raw in raws:
            box.append("INBOX", raw)
        uids = box.uids_after(0)
        assert len(uids) == 2
        assert box.uids_after(uids[0]) == uids[1:]
        assert [f.raw for f in box.fetch(uids)] == raws


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_untrusted_certificate_is_one_line_without_the_password(
    server: DovecotServer, security: Security
) -> None:
    """The system's trust store knows nothing of the test certificate: MailboxError, one
    line naming host:port and the certificate failure; no login was attempted."""
    port = server.tls_port if security == "ssl" else server.port
    assert port is not None
    with pytest.raises(MailboxError) as caught:
        Mailbox(settings(port, security, ssl.create_default_context())).connect()
    assert not isinstance(caught.value, MailboxLoginError)
    text = str(caught.value)
    assert text.startswith(f"127.0.0.1:{port}: ")
    assert "certificate verify failed" in text
    assert "\n" not in text and PASSWORD not in text


def test_plaintext_login_refused_before_the_password_is_sent(
    tmp_path: Path, certificate: Certificate
) -> None:
    """security "none" against a server that wants TLS first (ssl = required,
    disable_plaintext_auth = yes), from a client it takes for a remote one: MailboxLoginError,
    a settings problem, and the password never went over the unencrypted link."""
    with dovecot_server(
        tmp_path / "dovecot", {USER: PASSWORD}, tls=certificate, ssl_required=True
    ) as strict:
        with remote_relay(strict) as relay:
            with pytest.raises(MailboxLoginError) as caught:
                Mailbox(settings(relay.port, "none")).connect()
        text = str(caught.value)
        assert text.startswith(f"127.0.0.1:{relay.port}: login refused: ")
        assert "LOGINDISABLED" in text
        assert "\n" not in text and PASSWORD not in text
        assert PASSWORD.encode() not in relay.sent
        assert b"LOGIN" not in relay.sent.upper()


def test_starttls_login_works_where_plaintext_is_refused(
    tmp_path: Path, certificate: Certificate, trusting: ssl.SSLContext
) -> None:
    """The same remote client logs in once it has switched to TLS with STARTTLS."""
    with dovecot_server(
        tmp_path / "dovecot", {USER: PASSWORD}, tls=certificate, ssl_required=True
    ) as strict:
        with remote_relay(strict) as relay:
            with Mailbox(settings(relay.port, "starttls", trusting)) as box:
                assert box.uids_after(0) == []
        assert PASSWORD.encode() not in relay.sent  # only ever inside TLS


def use_tls_mailbox(site_dir: Path, port: int, ca_file: str | None) -> None:
    """Point the site's [mailbox] at the server's implicit-TLS port, trusting ``ca_file``."""
    use_mailbox(site_dir, port, user=USER, password=PASSWORD)
    config = site_dir / "config.toml"
    text = config.read_text(encoding="utf-8")
    lines = 'security = "ssl"\n' + (f'ca_file = "{ca_file}"\n' if ca_file else "")
    assert 'security = "none"\n' in text
    config.write_text(text.replace('security = "none"\n', lines, 1), encoding="utf-8")


@pytest.fixture
def cli(site_dir: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("HELPDESK_CONFIG", str(site_dir / "config.toml"))
    monkeypatch.setenv("HELPDESK_NOW", NOW)
    runner = CliRunner()
    result = runner.invoke(app, ["init"])
    assert result.exit_code == 0, result.output
    return runner


def test_intake_poll_over_ssl_with_ca_file(
    server: DovecotServer, site_dir: Path, cli: CliRunner, certificate: Certificate,
    trusting: ssl.SSLContext,
) -> None:  # fmt: skip
    """`helpdesk intake poll` with security "ssl" and [mailbox] ca_file turns a complaint
    into a ticket and moves it to Processed."""
    assert server.tls_port is not None
    use_tls_mailbox(site_dir, server.tls_port, certificate.cert)
    with Mailbox(settings(server.tls_port, "ssl", trusting)) as box:
        box.append("INBOX", email(message_id="<tls-cli@dinkes.example.go.id>"))

    result = cli.invoke(app, ["intake", "poll"])
    assert result.exit_code == 0, result.output
    assert "fetched 1" in result.stdout
    tickets = cli.invoke(app, ["ticket", "list", "--json"])
    assert tickets.exit_code == 0, tickets.output
    assert "TIK-2026-00001" in tickets.stdout
    with Mailbox(settings(server.tls_port, "ssl", trusting)) as box:
        assert box.uids_after(0) == []
    processed = MailboxSettings(
        "127.0.0.1", server.tls_port, "ssl", USER, PASSWORD, folder="Processed", timeout=5,
        ssl_context=trusting,
    )  # fmt: skip
    with Mailbox(processed) as box:
        assert len(box.uids_after(0)) == 1


def test_intake_poll_without_ca_file_fails_in_one_line(
    server: DovecotServer, site_dir: Path, cli: CliRunner
) -> None:
    """Without ca_file the system's trust store rejects the certificate: exit 1, one
    `error: mailbox:` line naming it, no traceback, no password."""
    assert server.tls_port is not None
    use_tls_mailbox(site_dir, server.tls_port, None)
    result = cli.invoke(app, ["intake", "poll"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: mailbox:")
    assert "certificate verify failed" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output and PASSWORD not in result.output
