"""``/api/v1/users``: people who log in (admins only)."""

from __future__ import annotations

from fastapi import APIRouter

from retain.auth import add_user, list_users
from retain.web.deps import Admin, Now, StoreDep
from retain.web.schemas.auth import UserCreate, UserPublic
from retain.web.schemas.common import CONFLICT, ERRORS

router = APIRouter(prefix="/api/v1/users", tags=["users"], responses=ERRORS)


@router.get("", response_model=list[UserPublic])
def users(store: StoreDep, admin: Admin) -> list[UserPublic]:
    """Every user."""
    return [UserPublic.model_validate(u) for u in list_users(store)]


@router.post("", response_model=UserPublic, status_code=201, responses=CONFLICT)
def new_user(body: UserCreate, store: StoreDep, admin: Admin, now: Now) -> UserPublic:
    """Add a user."""
    made = add_user(
        store,
        body.username,
        body.password,
        role=body.role,
        now=now,
        display_name=body.display_name,
        email=body.email,
    )
    return UserPublic.model_validate(made)
