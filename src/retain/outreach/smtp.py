"""Sending e-mail through SMTP (smtplib): configurable host, port, TLS and login.

Settings (``[outreach]``): ``smtp_host``, ``smtp_port``, ``smtp_tls``
(``starttls``, ``ssl`` or ``none``), ``smtp_user``, and the *name* of the
environment variable holding the password (``smtp_password_env``): the
password itself is never in a file, a log line or an error message.

A recipient refused with a 5xx code is a hard bounce; 4xx is a failure to
try again later. Asynchronous bounces (a DSN arriving later) are recorded
with :func:`retain.outreach.campaigns.record_bounce`.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from types import TracebackType
from typing import Any

from retain.errors import ConfigError, PermissionDeniedError
from retain.outreach.consent import Clearance
from retain.outreach.templates import Rendered


@dataclass(frozen=True)
class Delivery:
    """What happened to one message: ``sent``, ``bounced`` (hard) or ``failed`` (try later)."""

    status: str
    message_id: str | None = None
    reason: str | None = None


def build_message(
    *,
    sender: str,
    to: str,
    rendered: Rendered,
    unsubscribe_url: str,
    at_timestamp: float,
) -> EmailMessage:
    """A multipart (text + HTML) message with RFC 8058 one-click unsubscribe headers."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = rendered.subject
    msg["Date"] = formatdate(at_timestamp, usegmt=True)
    domain = sender.rsplit("@", 1)[-1] if "@" in sender else "retain.local"
    msg["Message-ID"] = make_msgid(domain=domain)
    if unsubscribe_url:
        msg["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(rendered.text)
    msg.add_alternative(rendered.html, subtype="html")
    return msg


class SmtpTransport:
    """An SMTP connection for one batch of messages; use it as a context manager."""

    def __init__(self, cfg: dict[str, Any]) -> None:
        self.host = str(cfg["smtp_host"])
        self.port = int(cfg["smtp_port"])
        self.tls = str(cfg["smtp_tls"])
        self.user = str(cfg["smtp_user"] or "")
        self.password_env = str(cfg["smtp_password_env"])
        self.timeout = float(cfg["smtp_timeout_seconds"])
        self._conn: smtplib.SMTP | None = None

    def __repr__(self) -> str:
        return f"SmtpTransport({self.host}:{self.port}, tls={self.tls}, user={self.user or None})"

    def __enter__(self) -> SmtpTransport:
        conn: smtplib.SMTP | None = None
        try:
            if self.tls == "ssl":
                conn = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
                )
            else:
                conn = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
                if self.tls == "starttls":
                    conn.starttls(context=ssl.create_default_context())
            if self.user:
                password = os.environ.get(self.password_env)
                if not password:
                    raise ConfigError(
                        f"SMTP user {self.user!r} needs a password: set the environment "
                        f"variable {self.password_env}"
                    )
                conn.login(self.user, password)
        except smtplib.SMTPAuthenticationError:
            _close(conn)
            raise ConfigError(
                f"the SMTP server {self.host}:{self.port} refused the login of {self.user!r}; "
                f"check smtp_user and the password in {self.password_env}"
            ) from None
        except (OSError, smtplib.SMTPException) as exc:
            _close(conn)
            raise ConfigError(
                f"cannot reach the SMTP server {self.host}:{self.port} ({type(exc).__name__}: "
                f"{exc}); check smtp_host, smtp_port and smtp_tls in [outreach]"
            ) from None
        except ConfigError:
            _close(conn)
            raise
        self._conn = conn
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._conn is not None:
            try:
                self._conn.quit()
            except smtplib.SMTPException:
                self._conn.close()
            self._conn = None

    def send(self, clearance: Clearance, customer_id: int, msg: EmailMessage) -> Delivery:
        """Send ``msg`` to a customer the consent gate cleared (anyone else is refused)."""
        if clearance.channel != "email" or not clearance.allows(customer_id):
            raise PermissionDeniedError(
                f"customer {customer_id} is not cleared for e-mail; every send goes through "
                "the consent gate"
            )
        if self._conn is None:
            raise RuntimeError("use SmtpTransport as a context manager (with ...: ...)")
        try:
            self._conn.send_message(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            return _refused(code, text, msg)
        except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
            return _refused(exc.smtp_code, exc.smtp_error, msg)
        return Delivery("sent", str(msg["Message-ID"]))


def _close(conn: smtplib.SMTP | None) -> None:
    if conn is not None:
        conn.close()


def _refused(code: int, text: bytes | str, msg: EmailMessage) -> Delivery:
    detail = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    status = "bounced" if 500 <= int(code) < 600 else "failed"
    return Delivery(status, str(msg["Message-ID"]), f"{code} {detail}")
