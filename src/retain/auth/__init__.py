"""Logins, roles, API tokens and web sessions.

Users have a role (admin, agent, viewer, see :mod:`retain.auth.roles`) and an
Argon2id password hash; API tokens and web sessions are random secrets kept
only as hashes, revocable at any time.
"""

from retain.auth.errors import NotAuthenticatedError, TooManyRequestsError
from retain.auth.passwords import hash_password, verify_password
from retain.auth.roles import ROLES, Permission, can, require
from retain.auth.tokens import (
    NewToken,
    TokenInfo,
    create_token,
    end_session,
    list_tokens,
    revoke_token,
    session_user,
    start_session,
    user_for_token,
)
from retain.auth.users import (
    UserInfo,
    add_user,
    authenticate,
    get_user,
    list_users,
    set_active,
    set_password,
    set_role,
)

__all__ = [
    "ROLES",
    "NewToken",
    "NotAuthenticatedError",
    "Permission",
    "TokenInfo",
    "TooManyRequestsError",
    "UserInfo",
    "add_user",
    "authenticate",
    "can",
    "create_token",
    "end_session",
    "get_user",
    "hash_password",
    "list_tokens",
    "list_users",
    "require",
    "revoke_token",
    "session_user",
    "set_active",
    "set_password",
    "set_role",
    "start_session",
    "user_for_token",
    "verify_password",
]
