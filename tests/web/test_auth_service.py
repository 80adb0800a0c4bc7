"""Users, passwords, API tokens: the service functions on a real store."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from retain.auth import (
    NotAuthenticatedError,
    add_user,
    authenticate,
    create_token,
    list_tokens,
    revoke_token,
    set_active,
    set_password,
    user_for_token,
)
from retain.auth.tokens import hash_token, session_user, start_session
from retain.errors import ConflictError, InvalidInputError, NotFoundError
from retain.store.schema import ApiToken, User

from .conftest import START

PW = "a long enough passphrase"


def test_password_is_stored_as_argon2id_hash_only(store):
    add_user(store, "Ada", PW, role="agent", now=START)
    with store.session(write=False) as s:
        row = s.scalars(select(User)).one()
    assert row.username == "ada"  # lower-cased
    assert row.password_hash.startswith("$argon2id$")
    assert PW not in row.password_hash
    assert authenticate(store, "ADA", PW).role == "agent"


def test_wrong_password_unknown_user_and_disabled_user_are_refused_alike(store):
    add_user(store, "ada", PW, role="viewer", now=START)
    messages = set()
    for username, password in (("ada", PW + "x"), ("nobody", PW)):
        with pytest.raises(NotAuthenticatedError) as err:
            authenticate(store, username, password)
        messages.add(err.value.message)
    set_active(store, "ada", False, now=START)
    with pytest.raises(NotAuthenticatedError) as err:
        authenticate(store, "ada", PW)
    messages.add(err.value.message)
    assert len(messages) == 1  # nothing tells which part was wrong


def test_user_rules(store):
    add_user(store, "ada", PW, role="admin", now=START)
    with pytest.raises(ConflictError, match="exists already"):
        add_user(store, "ada", PW, role="admin", now=START)
    with pytest.raises(InvalidInputError, match="at least 10"):
        add_user(store, "bob", "short", role="admin", now=START)
    with pytest.raises(InvalidInputError, match="unknown role 'boss'"):
        add_user(store, "bob", PW, role="boss", now=START)
    with pytest.raises(InvalidInputError, match="username"):
        add_user(store, "bob smith", PW, role="agent", now=START)


def test_token_is_hashed_at_rest_and_revocable(store):
    add_user(store, "ada", PW, role="agent", now=START)
    made = create_token(store, "ada", "export", now=START)
    assert made.token.startswith("rtk_") and len(made.token) > 40
    with store.session(write=False) as s:
        row = s.scalars(select(ApiToken)).one()
    assert row.token_hash == hash_token(made.token) and made.token not in row.token_hash
    assert user_for_token(store, made.token, now=START).username == "ada"
    assert list_tokens(store)[0].last_used_at == START
    revoke_token(store, made.id, now=START + timedelta(minutes=1))
    with pytest.raises(NotAuthenticatedError, match="revoked"):
        user_for_token(store, made.token, now=START + timedelta(minutes=2))
    with pytest.raises(NotFoundError):
        revoke_token(store, made.id, now=START)  # already revoked


def test_agent_may_revoke_only_own_tokens(store):
    agent = add_user(store, "ada", PW, role="agent", now=START)
    add_user(store, "bob", PW, role="agent", now=START)
    bobs = create_token(store, "bob", "bob's", now=START)
    with pytest.raises(NotFoundError):
        revoke_token(store, bobs.id, now=START, owner=agent)
    assert user_for_token(store, bobs.token, now=START).username == "bob"


def test_session_is_not_an_api_token_and_ends_on_password_change(store):
    user = add_user(store, "ada", PW, role="viewer", now=START)
    cookie = start_session(store, user, now=START)
    with pytest.raises(NotAuthenticatedError):
        user_for_token(store, cookie, now=START)
    live = {"lifetime": timedelta(hours=12), "idle": timedelta(hours=2)}
    assert session_user(store, cookie, now=START, **live) == user
    assert session_user(store, cookie, now=START + timedelta(hours=3), **live) is None  # idle
    assert session_user(store, cookie, now=START + timedelta(hours=1), **live) == user
    set_password(store, "ada", "another long passphrase", now=START)
    assert session_user(store, cookie, now=START + timedelta(hours=1), **live) is None
    assert list_tokens(store) == []  # sessions are not listed as API tokens
