"""API tokens and web sessions: random secrets of which only a SHA-256 hash is kept.

A token is 32 random bytes (URL-safe text) behind a prefix that says what it
is: ``rtk_`` for API tokens, ``rts_`` for web sessions; one cannot stand in
for the other. A revoked token is refused at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from retain.auth.errors import NotAuthenticatedError
from retain.auth.users import UserInfo, get_user
from retain.errors import InvalidInputError, NotFoundError
from retain.store import Store
from retain.store import users as db

API_PREFIX = "rtk_"
SESSION_PREFIX = "rts_"
#: last_used_at is written at most this often per token (saves a write per request)
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class TokenInfo:
    """An API token as listed (never its secret)."""

    id: int
    name: str
    username: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class NewToken:
    """A token just made; ``token`` is shown once and never stored."""

    id: int
    name: str
    token: str


def hash_token(token: str) -> str:
    """SHA-256 hex of a token (tokens are random, so no salt or slow hash is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(store: Store, username: str, name: str, *, now: datetime) -> NewToken:
    """Make an API token for a user; the returned secret cannot be shown again."""
    name = name.strip()
    if not name or name.startswith(db.SESSION_PREFIX):
        raise InvalidInputError(
            "give the token a name that says where it is used, e.g. 'nightly export'"
        )
    user = get_user(store, username=username)
    token = API_PREFIX + secrets.token_urlsafe(32)
    token_id = db.insert_token(store, user.id, name[:200], hash_token(token), now)
    return NewToken(token_id, name, token)


def revoke_token(
    store: Store, token_id: int, *, now: datetime, owner: UserInfo | None = None
) -> None:
    """Revoke a token; with ``owner``, only a token of that user (admins: any)."""
    restrict = None if owner is None or owner.role == "admin" else owner.id
    if not db.revoke_token_row(store, token_id, now, user_id=restrict):
        raise NotFoundError(f"no active API token with id {token_id}; list them to see the ids")


def list_tokens(store: Store, username: str | None = None) -> list[TokenInfo]:
    """API tokens, newest first (all users, or one)."""
    user_id = get_user(store, username=username).id if username else None
    return [TokenInfo(**row) for row in db.token_rows(store, user_id)]


def user_for_token(store: Store, token: str, *, now: datetime) -> UserInfo:
    """The active user an API token belongs to, or NotAuthenticatedError."""
    if not token.startswith(API_PREFIX):
        raise NotAuthenticatedError("not a Retain API token (they start with rtk_)")
    row = db.token_with_user(store, hash_token(token))
    if row is None or row["revoked_at"] is not None or row["name"].startswith(db.SESSION_PREFIX):
        raise NotAuthenticatedError("unknown or revoked API token; create a new one")
    user = UserInfo.from_row(row, "user_")
    if not user.is_active:
        raise NotAuthenticatedError("the token's user is disabled")
    if row["last_used_at"] is None or now - row["last_used_at"] > TOUCH_EVERY:
        db.touch_token(store, row["id"], now)
    return user


def start_session(store: Store, user: UserInfo, *, now: datetime, label: str = "") -> str:
    """Open a web session for a user; returns the cookie value (its hash is stored)."""
    token = SESSION_PREFIX + secrets.token_urlsafe(32)
    name = f"{db.SESSION_PREFIX} {label}".strip()[:200]
    db.insert_token(store, user.id, name, hash_token(token), now)
    return token


def session_user(
    store: Store, token: str, *, now: datetime, lifetime: timedelta, idle: timedelta
) -> UserInfo | None:
    """The user of a live web session, or None (unknown, ended, too old or idle too long)."""
    if not token.startswith(SESSION_PREFIX):
        return None
    row = db.token_with_user(store, hash_token(token))
    if row is None or row["revoked_at"] is not None:
        return None
    if not row["name"].startswith(db.SESSION_PREFIX) or not row["user_is_active"]:
        return None
    last = row["last_used_at"] or row["created_at"]
    if now - row["created_at"] > lifetime or now - last > idle:
        return None
    if row["last_used_at"] is None or now - row["last_used_at"] > TOUCH_EVERY:
        db.touch_token(store, row["id"], now)
    return UserInfo.from_row(row, "user_")


def end_session(store: Store, token: str, *, now: datetime) -> None:
    """Log out: the session cookie stops working everywhere."""
    if token.startswith(SESSION_PREFIX):
        db.revoke_by_hash(store, hash_token(token), now)


def purge_old_sessions(store: Store, *, now: datetime, lifetime: timedelta) -> int:
    """Delete sessions older than their lifetime; returns how many."""
    return db.purge_sessions(store, now - lifetime)
