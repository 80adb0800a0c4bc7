"""Errors of logging in and of callers who come too often (both are RetainErrors).

They live here until the shared tree in :mod:`retain.errors` takes them::

    RetainError
    ├── NotAuthenticatedError (401)  no session or token, or a wrong password
    └── TooManyRequestsError (429)   too many attempts in a short time
"""

from __future__ import annotations

from retain.errors import RetainError


class NotAuthenticatedError(RetainError):
    """No valid session or API token, or a wrong username or password."""

    status = 401


class TooManyRequestsError(RetainError):
    """Too many attempts from one address or for one account; ``retry_after`` in seconds."""

    status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
