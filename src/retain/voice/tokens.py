"""Signed survey links: one unguessable token per invitation, and a tiny rate limiter.

A token is ``itsdangerous.URLSafeSerializer(secret, salt)`` over
``[survey_id, nonce]``: the nonce is 32 random bytes (``secrets``) stored on
the invitation, the signature (HMAC-SHA1 over the secret-derived key) makes a
changed token fail. Expiry is the invitation's ``expires_at`` checked against
the caller's ``now`` (the clock is never read here), so a token is refused
after it even if the signature is good. The secret is the application's
``RETAIN_SECRET_KEY``; changing it voids every link.
"""

from __future__ import annotations

import secrets
from collections import deque
from dataclasses import dataclass, field

from itsdangerous import BadSignature, URLSafeSerializer

from retain.errors import ConfigError, PermissionDeniedError

SALT = "retain.voice.survey-invitation"
MIN_SECRET_LENGTH = 16


class SurveyLinkError(PermissionDeniedError):
    """A survey link that cannot be used; ``reason`` is one of ``REASONS``.

    ``tampered`` (bad signature or unknown invitation), ``wrong_survey``,
    ``expired``, ``closed`` (the survey is not open), ``unknown_link`` (open link key).
    """

    REASONS = ("tampered", "wrong_survey", "expired", "closed", "unknown_link")

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def new_nonce() -> str:
    """32 random bytes, URL-safe (43 characters): the unguessable part of a link."""
    return secrets.token_urlsafe(32)


def new_open_link_key() -> str:
    """A random key for a survey's anonymous open link (32 bytes, URL-safe)."""
    return secrets.token_urlsafe(32)


def _serializer(secret: str) -> URLSafeSerializer:
    if not secret or len(secret) < MIN_SECRET_LENGTH:
        raise ConfigError(
            f"the secret key for survey links must be at least {MIN_SECRET_LENGTH} characters; "
            'set RETAIN_SECRET_KEY, e.g. to the output of python -c "import secrets; '
            'print(secrets.token_urlsafe(32))"'
        )
    return URLSafeSerializer(secret, salt=SALT)


def invitation_link_token(survey_id: int, nonce: str, *, secret: str) -> str:
    """The signed token of the invitation with ``nonce`` to survey ``survey_id``.

    Deterministic: the same invitation always gives the same token, so links
    can be exported again.
    """
    return _serializer(secret).dumps([int(survey_id), nonce])


def read_token(token: str, *, secret: str) -> tuple[int, str]:
    """(survey_id, nonce) of a token; SurveyLinkError("tampered") if it was not signed by us."""
    try:
        data = _serializer(secret).loads(token)
    except BadSignature:
        data = None
    if (
        not isinstance(data, list)
        or len(data) != 2
        or not isinstance(data[0], int)
        or not isinstance(data[1], str)
    ):
        raise SurveyLinkError(
            "tampered", "this survey link is not valid (it was changed or cut short)"
        )
    return data[0], data[1]


def invitation_link(base_url: str, token: str) -> str:
    """The public response page of a token: ``{base_url}/r/{token}``."""
    return f"{base_url.rstrip('/')}/r/{token}"


def open_link(base_url: str, key: str) -> str:
    """The public page of a survey's anonymous open link: ``{base_url}/r/open/{key}``."""
    return f"{base_url.rstrip('/')}/r/open/{key}"


@dataclass
class RateLimiter:
    """At most ``limit`` events per ``window_seconds`` per key (a sliding window, in memory).

    ``allow(key, now)`` records the event and says whether it is within the limit;
    ``now`` is seconds (e.g. ``time.monotonic()``), passed in by the caller.
    """

    limit: int = 10
    window_seconds: float = 60.0
    _events: dict[str, deque[float]] = field(default_factory=dict)

    def allow(self, key: str, now: float) -> bool:
        """True if ``key`` may act at ``now``; the event is counted only when allowed."""
        events = self._events.setdefault(key, deque())
        while events and events[0] <= now - self.window_seconds:
            events.popleft()
        if len(events) >= self.limit:
            return False
        events.append(now)
        if len(self._events) > 100_000:
            self._forget(now)
        return True

    def _forget(self, now: float) -> None:
        cutoff = now - self.window_seconds
        for key in [k for k, ev in self._events.items() if not ev or ev[-1] <= cutoff]:
            del self._events[key]
