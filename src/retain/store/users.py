"""Users, API tokens, web sessions and the web secret in the records store.

Rows come back as plain dicts so that nothing above the store holds an ORM
object. Web sessions are rows of ``api_tokens`` whose name starts with
:data:`SESSION_PREFIX`: only their hash is kept, and logging out revokes the
row, so a stolen cookie stops working as soon as its owner logs out.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from retain.errors import ConflictError, NotFoundError
from retain.store.engine import Store
from retain.store.schema import ApiToken, Setting, User

#: name prefix of the api_tokens rows that are web sessions, not API tokens
SESSION_PREFIX = "web session"
SECRET_KEY_SETTING = "web.secret_key"

_USER_COLUMNS = (
    User.id,
    User.username,
    User.display_name,
    User.email,
    User.role,
    User.is_active,
    User.manager_id,
    User.created_at,
)


def insert_user(store: Store, values: dict[str, Any]) -> int:
    """Insert a user and return its id; ConflictError when the username is taken."""
    try:
        with store.write() as conn:
            return conn.execute(insert(User).values(**values).returning(User.id)).scalar_one()
    except IntegrityError:
        raise ConflictError(
            f"user {values.get('username')!r} exists already; pick another username "
            "or change its password with 'retain users passwd'"
        ) from None


def user_row(
    store: Store, *, username: str | None = None, user_id: int | None = None
) -> dict[str, Any] | None:
    """One user (with ``password_hash``) by username or id, or None."""
    query = select(*_USER_COLUMNS, User.password_hash)
    query = query.where(User.username == username if username is not None else User.id == user_id)
    with store.read() as conn:
        row = conn.execute(query).mappings().first()
    return dict(row) if row else None


def update_user(store: Store, user_id: int, values: dict[str, Any]) -> None:
    """Change columns of one user; NotFoundError when there is no such user."""
    with store.write() as conn:
        done = conn.execute(update(User).where(User.id == user_id).values(**values)).rowcount
    if not done:
        raise NotFoundError(f"no user with id {user_id}")


def user_rows(store: Store) -> list[dict[str, Any]]:
    """Every user, by username (no password hashes)."""
    with store.read() as conn:
        rows = conn.execute(select(*_USER_COLUMNS).order_by(User.username)).mappings()
        return [dict(r) for r in rows]


def count_users(store: Store) -> int:
    """How many users exist."""
    with store.read() as conn:
        return conn.execute(select(func.count()).select_from(User)).scalar_one()


def insert_token(store: Store, user_id: int, name: str, token_hash: str, now: datetime) -> int:
    """Store the hash of a new token (API or session) and return its id."""
    with store.write() as conn:
        return conn.execute(
            insert(ApiToken)
            .values(user_id=user_id, name=name, token_hash=token_hash, created_at=now)
            .returning(ApiToken.id)
        ).scalar_one()


def token_with_user(store: Store, token_hash: str) -> dict[str, Any] | None:
    """The token row with that hash joined to its user (``user_*`` columns), or None."""
    query = (
        select(
            ApiToken.id,
            ApiToken.name,
            ApiToken.created_at,
            ApiToken.last_used_at,
            ApiToken.revoked_at,
            *(c.label(f"user_{c.key}") for c in _USER_COLUMNS),
        )
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == token_hash)
    )
    with store.read() as conn:
        row = conn.execute(query).mappings().first()
    return dict(row) if row else None


def touch_token(store: Store, token_id: int, now: datetime) -> None:
    """Record that a token was used at ``now``."""
    with store.write() as conn:
        conn.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))


def revoke_token_row(store: Store, token_id: int, now: datetime, user_id: int | None = None) -> int:
    """Revoke a token (only one of ``user_id`` when given); returns rows changed (0 or 1)."""
    query = update(ApiToken).where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    with store.write() as conn:
        return conn.execute(query.values(revoked_at=now)).rowcount


def revoke_by_hash(store: Store, token_hash: str, now: datetime) -> None:
    """Revoke the token with that hash (a web session at logout)."""
    with store.write() as conn:
        conn.execute(
            update(ApiToken)
            .where(ApiToken.token_hash == token_hash, ApiToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )


def revoke_user_sessions(store: Store, user_id: int, now: datetime) -> None:
    """Revoke every web session of a user (after a password change or deactivation)."""
    with store.write() as conn:
        conn.execute(
            update(ApiToken)
            .where(
                ApiToken.user_id == user_id,
                ApiToken.name.startswith(SESSION_PREFIX),
                ApiToken.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )


def token_rows(store: Store, user_id: int | None = None) -> list[dict[str, Any]]:
    """API tokens (not sessions), newest first, with their owner's username."""
    query = (
        select(
            ApiToken.id,
            ApiToken.name,
            ApiToken.created_at,
            ApiToken.last_used_at,
            ApiToken.revoked_at,
            User.username,
        )
        .join(User, User.id == ApiToken.user_id)
        .where(~ApiToken.name.startswith(SESSION_PREFIX))
        .order_by(ApiToken.id.desc())
    )
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    with store.read() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def purge_sessions(store: Store, created_before: datetime) -> int:
    """Delete web sessions created before a time (expired ones); returns how many."""
    with store.write() as conn:
        return conn.execute(
            delete(ApiToken).where(
                ApiToken.name.startswith(SESSION_PREFIX), ApiToken.created_at < created_before
            )
        ).rowcount


def secret_key(store: Store, now: datetime) -> str:
    """The web app's signing secret, made once and kept in the settings table.

    Every web process of one store shares it, so sessions and CSRF tokens
    survive restarts and work across workers.
    """
    with store.read() as conn:
        value = conn.execute(
            select(Setting.value).where(Setting.key == SECRET_KEY_SETTING)
        ).scalar_one_or_none()
    if value:
        return str(value)
    try:
        with store.write() as conn:
            conn.execute(
                insert(Setting).values(
                    key=SECRET_KEY_SETTING, value=secrets.token_urlsafe(48), updated_at=now
                )
            )
    except IntegrityError:
        pass  # another process made it first
    return secret_key(store, now)
