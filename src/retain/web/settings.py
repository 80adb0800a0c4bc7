"""The ``[web]`` section of retain.toml: where to listen, sessions, limits, proxies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from retain.config import Settings, section
from retain.errors import ConfigError

DEFAULTS = {
    "host": "127.0.0.1",
    "port": 8000,
    "session_hours": 12,
    "idle_minutes": 120,
    "cookie_secure": "auto",
    "trusted_proxies": "127.0.0.1",
    "login_attempts": 5,
    "login_window_seconds": 300,
    "public_requests_per_minute": 30,
    "secret_key": "",
    "figures_ttl_seconds": 600,
}


@dataclass(frozen=True)
class WebSettings:
    """Settings of the web app; see docs/web.md for each.

    ``cookie_secure``: ``auto`` marks cookies Secure when the request came over
    HTTPS (directly, or per ``X-Forwarded-Proto`` from a trusted proxy),
    ``always`` or ``never`` force it. ``trusted_proxies``: comma-separated
    addresses whose ``X-Forwarded-*`` headers are believed (``*``: any).
    """

    host: str = "127.0.0.1"
    port: int = 8000
    session_hours: float = 12
    idle_minutes: float = 120
    cookie_secure: str = "auto"
    trusted_proxies: str = "127.0.0.1"
    login_attempts: int = 5
    login_window_seconds: int = 300
    public_requests_per_minute: int = 30
    secret_key: str = ""
    figures_ttl_seconds: float = 600

    @property
    def session_lifetime(self) -> timedelta:
        return timedelta(hours=self.session_hours)

    @property
    def idle_timeout(self) -> timedelta:
        return timedelta(minutes=self.idle_minutes)


def web_settings(settings: Settings) -> WebSettings:
    """The ``[web]`` section over the defaults; a ConfigError names a bad value."""
    values = section(settings, "web", DEFAULTS)
    if values["cookie_secure"] not in ("auto", "always", "never"):
        raise ConfigError("[web] cookie_secure must be 'auto', 'always' or 'never'")
    try:
        return WebSettings(
            host=str(values["host"]),
            port=int(values["port"]),
            session_hours=float(values["session_hours"]),
            idle_minutes=float(values["idle_minutes"]),
            cookie_secure=values["cookie_secure"],
            trusted_proxies=str(values["trusted_proxies"]),
            login_attempts=int(values["login_attempts"]),
            login_window_seconds=int(values["login_window_seconds"]),
            public_requests_per_minute=int(values["public_requests_per_minute"]),
            secret_key=str(values["secret_key"]),
            figures_ttl_seconds=float(values["figures_ttl_seconds"]),
        )
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"[web] has a value of the wrong type: {exc}") from None
