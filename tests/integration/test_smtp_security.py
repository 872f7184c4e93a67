"""Delivery over STARTTLS and implicit TLS with a login, against a real aiosmtpd."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpdesk.cli.main import app
from helpdesk.config import with_section
from helpdesk.testing.loopback import Certificate, self_signed
from helpdesk.testing.smtp import Sink, smtp_server
from tests.cli.conftest import form_args


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return self_signed(str(tmp_path_factory.mktemp("tls")))


def _configure(site_dir: Path, port: int, security: str, cert: Certificate) -> None:
    config = site_dir / "config.toml"
    body = (
        f'host = "127.0.0.1"\nport = {port}\nsecurity = "{security}"\n'
        'username = "helpdesk"\npassword_env = "TEST_SMTP_PASSWORD"\n'
        f'from_address = "helpdesk@example.go.id"\nca_file = "{cert.cert}"'
    )
    config.write_text(with_section(config.read_text(encoding="utf-8"), "smtp", body))


def _send(site_dir: Path, monkeypatch: pytest.MonkeyPatch, password: str):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("HELPDESK_CONFIG", str(site_dir / "config.toml"))
    monkeypatch.setenv("HELPDESK_NOW", "2026-11-30T09:00:00+07:00")
    monkeypatch.setenv("TEST_SMTP_PASSWORD", password)
    runner = CliRunner()
    assert runner.invoke(app, ["init"]).exit_code == 0
    logged = runner.invoke(app, ["phone", *form_args(), "--by", "sari"])
    assert logged.exit_code == 0, logged.output
    return runner.invoke(app, ["outbox", "send"])


# aiosmtpd warns that SMTPS with AUTH does not "require TLS": the whole connection is TLS.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.parametrize(("security", "implicit"), [("starttls", False), ("ssl", True)])
def test_delivery_over_tls_with_login(
    site_dir: Path, monkeypatch: pytest.MonkeyPatch, certificate: Certificate,
    security: str, implicit: bool,
) -> None:  # fmt: skip
    """With the password from the environment, the e-mail goes over TLS after a login."""
    sink = Sink()
    with smtp_server(
        sink, certificate, implicit_tls=implicit, users={"helpdesk": "rahasia"}
    ) as server:
        _configure(site_dir, server.port, security, certificate)
        result = _send(site_dir, monkeypatch, "rahasia")
    assert result.exit_code == 0, result.output
    assert len(sink.received) == 1


def test_refused_login_pauses_the_outbox(
    site_dir: Path, monkeypatch: pytest.MonkeyPatch, certificate: Certificate
) -> None:
    """A wrong password is a settings problem: one clear line, and the e-mail keeps waiting."""
    sink = Sink()
    with smtp_server(sink, certificate, users={"helpdesk": "rahasia"}) as server:
        _configure(site_dir, server.port, "starttls", certificate)
        result = _send(site_dir, monkeypatch, "salah")
    assert result.exit_code == 1
    assert "error: smtp:" in result.stderr and "535" in result.stderr
    assert sink.received == []
    listed = CliRunner().invoke(app, ["outbox", "list", "--json"])
    assert '"status": "pending"' in listed.stdout and '"attempts": 0' in listed.stdout
