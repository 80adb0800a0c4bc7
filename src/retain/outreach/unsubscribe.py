"""One-click unsubscribe: a signed link per message, and what following it does.

The token is ``itsdangerous.URLSafeSerializer(secret, salt)`` over
``[customer_id, campaign_id, email]``: changing any part breaks the
signature. Following it (:func:`unsubscribe`) withdraws the customer's
e-mail consent, suppresses the address and notes it on the timeline; doing
it twice changes nothing more. The secret is ``RETAIN_SECRET_KEY`` when set,
else the web app's secret kept in the store (:func:`link_secret`), so links
made by the CLI work on the web app's endpoint.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime

from itsdangerous import BadSignature, URLSafeSerializer

from retain.errors import ConfigError, PermissionDeniedError
from retain.store import Store
from retain.store import outreach as db

SALT = "retain.outreach.unsubscribe"
MIN_SECRET_LENGTH = 16


@dataclass(frozen=True)
class Unsubscribed:
    """What a followed link did: the customer (external id) and whether anything changed."""

    customer_id: str
    email: str | None
    changed: bool


def link_secret(store: Store, now: datetime) -> str:
    """The secret that signs unsubscribe links: RETAIN_SECRET_KEY, else the web app's secret."""
    given = os.environ.get("RETAIN_SECRET_KEY")
    if given:
        return given
    from retain.store.users import secret_key

    return secret_key(store, now)


def _serializer(secret: str) -> URLSafeSerializer:
    if not secret or len(secret) < MIN_SECRET_LENGTH:
        raise ConfigError(
            f"the secret for unsubscribe links must be at least {MIN_SECRET_LENGTH} characters; "
            "set RETAIN_SECRET_KEY"
        )
    return URLSafeSerializer(secret, salt=SALT)


def unsubscribe_token(
    customer_id: int, email: str | None, campaign_id: int | None, *, secret: str
) -> str:
    """The signed token of one customer's unsubscribe link (deterministic)."""
    return _serializer(secret).dumps([int(customer_id), int(campaign_id or 0), email or ""])


def unsubscribe_url(template: str, token: str) -> str:
    """The link: ``template`` (setting ``unsubscribe_url``) with ``{token}`` filled in."""
    return template.replace("{token}", token)


def read_unsubscribe_token(token: str, *, secret: str) -> tuple[int, int | None, str | None]:
    """(customer_id, campaign_id or None, email or None); PermissionDeniedError if forged."""
    try:
        data = _serializer(secret).loads(token)
    except BadSignature:
        data = None
    if (
        not isinstance(data, list)
        or len(data) != 3
        or not all(isinstance(x, int) for x in data[:2])
        or not isinstance(data[2], str)
    ):
        raise PermissionDeniedError(
            "this unsubscribe link is not valid (changed or from another installation); "
            "reply to the message and ask to be removed"
        )
    return data[0], data[1] or None, data[2] or None


def unsubscribe(store: Store, token: str, *, secret: str, now: datetime) -> Unsubscribed:
    """Follow an unsubscribe link: consent withdrawn, address suppressed, timeline noted.

    For the web endpoint (GET shows a confirmation, POST with
    ``List-Unsubscribe=One-Click`` calls this). Idempotent.
    """
    customer_id, campaign_id, email = read_unsubscribe_token(token, secret=secret)
    changed = db.unsubscribe(
        store, customer_id=customer_id, email=email, campaign_id=campaign_id, at=now
    )
    people = db.customers(store, [customer_id])
    return Unsubscribed(str(people["external_id"].iloc[0]), email, changed)
