"""The SMTP transport: login with the password from the environment, never shown."""

from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from retain.errors import ConfigError
from retain.outreach import SmtpTransport

from .conftest import Inbox, _free_port
from .kit import cfg

PASSWORD = "s3cret-pass-word"


def _check(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (
        auth_data.login == b"shop" and auth_data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def auth_smtp():
    port = _free_port()
    controller = Controller(
        Inbox(),
        hostname="127.0.0.1",
        port=port,
        authenticator=_check,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def test_login_takes_the_password_from_the_named_variable(auth_smtp, monkeypatch):
    settings = cfg(
        smtp_port=auth_smtp,
        smtp_user="shop",
        smtp_password_env="SHOP_SMTP_PW",
        smtp_timeout_seconds=5.0,
    )
    monkeypatch.setenv("SHOP_SMTP_PW", PASSWORD)
    with SmtpTransport(settings) as t:
        assert t._conn is not None
    assert PASSWORD not in repr(t)


def test_a_missing_or_wrong_password_is_a_clear_error_without_the_password(auth_smtp, monkeypatch):
    settings = cfg(
        smtp_port=auth_smtp,
        smtp_user="shop",
        smtp_password_env="SHOP_SMTP_PW",
        smtp_timeout_seconds=5.0,
    )
    monkeypatch.delenv("SHOP_SMTP_PW", raising=False)
    with pytest.raises(ConfigError, match="set the environment variable SHOP_SMTP_PW"):
        SmtpTransport(settings).__enter__()
    monkeypatch.setenv("SHOP_SMTP_PW", "wrong-" + PASSWORD)
    with pytest.raises(ConfigError, match="refused the login of 'shop'") as err:
        SmtpTransport(settings).__enter__()
    assert PASSWORD not in str(err.value)


def test_an_unreachable_server_names_the_settings():
    settings = cfg(smtp_port=_free_port())  # nobody listens there
    with pytest.raises(ConfigError, match="check smtp_host, smtp_port and smtp_tls"):
        SmtpTransport(settings).__enter__()
