"""Password hashing with Argon2id (argon2-cffi's recommended parameters)."""

from __future__ import annotations

import contextlib
import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from retain.errors import InvalidInputError

MIN_LENGTH = 10
_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """A hash to compare against when the user does not exist, so both cases take as long.

    Made on first use, not at import (one hash costs about 0.2 s).
    """
    return _hasher.hash("not a password of anyone")


def check_strength(password: str) -> None:
    """Refuse passwords that are too short or blank, saying what is needed."""
    if len(password) < MIN_LENGTH or not password.strip():
        raise InvalidInputError(
            f"password too short: use at least {MIN_LENGTH} characters (a passphrase is best)"
        )


def hash_password(password: str) -> str:
    """The Argon2id hash of ``password`` (salted; the parameters are in the hash)."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches ``password_hash``; False for None or a broken hash."""
    if not password_hash:
        _burn(password)
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)


def _burn(password: str) -> None:
    """Spend the time of one verification (for unknown users)."""
    with contextlib.suppress(VerificationError):
        _hasher.verify(_dummy_hash(), password)
