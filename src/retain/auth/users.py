"""People who log in: add them, change passwords and roles, check a login.

Service functions over :mod:`retain.store.users`; passwords are only ever
handled as Argon2id hashes (:mod:`retain.auth.passwords`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from retain.auth.errors import NotAuthenticatedError
from retain.auth.passwords import check_strength, hash_password, needs_rehash, verify_password
from retain.auth.roles import ROLES
from retain.errors import InvalidInputError, NotFoundError
from retain.store import Store
from retain.store import users as db

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,79}$")


@dataclass(frozen=True)
class UserInfo:
    """A user as the interfaces see it (never with the password hash)."""

    id: int
    username: str
    role: str
    display_name: str | None = None
    email: str | None = None
    is_active: bool = True

    @classmethod
    def from_row(cls, row: dict[str, Any], prefix: str = "") -> UserInfo:
        """Build from a store row (``prefix`` for joined ``user_*`` columns)."""
        return cls(
            id=row[f"{prefix}id"],
            username=row[f"{prefix}username"],
            role=row[f"{prefix}role"],
            display_name=row[f"{prefix}display_name"],
            email=row[f"{prefix}email"],
            is_active=bool(row[f"{prefix}is_active"]),
        )

    @property
    def label(self) -> str:
        """The name to show: display name, else username."""
        return self.display_name or self.username


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise InvalidInputError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")


def add_user(
    store: Store,
    username: str,
    password: str,
    *,
    role: str,
    now: datetime,
    display_name: str | None = None,
    email: str | None = None,
) -> UserInfo:
    """Create a user with a hashed password; ConflictError when the username exists."""
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise InvalidInputError(
            f"username {username!r}: use 2-80 lower-case letters, digits or . _ @ -"
        )
    _check_role(role)
    check_strength(password)
    values = {
        "username": username,
        "password_hash": hash_password(password),
        "role": role,
        "display_name": display_name,
        "email": email,
        "is_active": True,
        "created_at": now,
    }
    user_id = db.insert_user(store, values)
    return get_user(store, user_id=user_id)


def get_user(store: Store, *, username: str | None = None, user_id: int | None = None) -> UserInfo:
    """One user by username or id; NotFoundError says how to list them."""
    row = db.user_row(store, username=username, user_id=user_id)
    if row is None:
        who = repr(username) if username is not None else f"id {user_id}"
        raise NotFoundError(f"no user {who}; 'retain users list' shows them")
    return UserInfo.from_row(row)


def list_users(store: Store) -> list[UserInfo]:
    """Every user, by username."""
    return [UserInfo.from_row(r) for r in db.user_rows(store)]


def set_password(store: Store, username: str, password: str, *, now: datetime) -> None:
    """Change a password and end every web session of that user."""
    check_strength(password)
    user = get_user(store, username=username)
    db.update_user(store, user.id, {"password_hash": hash_password(password)})
    db.revoke_user_sessions(store, user.id, now)


def set_role(store: Store, username: str, role: str) -> UserInfo:
    """Give a user another role."""
    _check_role(role)
    user = get_user(store, username=username)
    db.update_user(store, user.id, {"role": role})
    return get_user(store, user_id=user.id)


def set_active(store: Store, username: str, active: bool, *, now: datetime) -> None:
    """Let a user log in again, or stop them (ending their web sessions)."""
    user = get_user(store, username=username)
    db.update_user(store, user.id, {"is_active": active})
    if not active:
        db.revoke_user_sessions(store, user.id, now)


def authenticate(store: Store, username: str, password: str) -> UserInfo:
    """The user whose username and password these are, or NotAuthenticatedError.

    The message does not tell which of the two was wrong, and an unknown
    username costs as much time as a wrong password.
    """
    row = db.user_row(store, username=username.strip().lower())
    ok = verify_password(row["password_hash"] if row else None, password)
    if not (row and ok and row["is_active"]):
        raise NotAuthenticatedError("wrong username or password, or the account is disabled")
    if needs_rehash(row["password_hash"]):
        db.update_user(store, row["id"], {"password_hash": hash_password(password)})
    return UserInfo.from_row(row)
