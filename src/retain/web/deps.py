"""Typed dependencies of the route handlers: the store, the clock, the caller and its rights."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request

from retain.auth import NotAuthenticatedError, Permission, UserInfo, require
from retain.store import Store
from retain.web.security import identify


def get_store(request: Request) -> Store:
    """The records store the app serves."""
    return request.app.state.store


def get_now(request: Request) -> datetime:
    """The current time (UTC) from the app's clock."""
    return request.app.state.clock()


def optional_user(request: Request) -> UserInfo | None:
    """The caller, or None when not logged in."""
    return identify(request)


def needs(permission: Permission) -> Callable[[Request], UserInfo]:
    """A dependency that returns the caller when its role has ``permission``."""

    def dependency(request: Request) -> UserInfo:
        user = identify(request)
        if user is None:
            raise NotAuthenticatedError(
                "log in first, or send an API token as 'Authorization: Bearer rtk_...'"
            )
        require(user.role, permission)
        return user

    dependency.__name__ = f"needs_{permission.value}"
    return dependency


StoreDep = Annotated[Store, Depends(get_store)]
Now = Annotated[datetime, Depends(get_now)]
MaybeUser = Annotated[UserInfo | None, Depends(optional_user)]
Reader = Annotated[UserInfo, Depends(needs(Permission.read))]
Worker = Annotated[UserInfo, Depends(needs(Permission.work))]
Admin = Annotated[UserInfo, Depends(needs(Permission.manage))]
