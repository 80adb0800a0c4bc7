"""``/api/v1/tokens``: the caller's API tokens (admins see and revoke everyone's)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from retain.auth import create_token, list_tokens, revoke_token
from retain.web.deps import Now, Reader, StoreDep
from retain.web.schemas.auth import TokenCreate, TokenCreated, TokenPublic
from retain.web.schemas.common import ERRORS, NOT_FOUND, PathId

router = APIRouter(prefix="/api/v1/tokens", tags=["tokens"], responses=ERRORS)


@router.get("", response_model=list[TokenPublic])
def tokens(store: StoreDep, user: Reader) -> list[TokenPublic]:
    """API tokens: the caller's own, or every user's for an admin."""
    rows = list_tokens(store, None if user.role == "admin" else user.username)
    return [TokenPublic.model_validate(t) for t in rows]


@router.post("", response_model=TokenCreated, status_code=201)
def new_token(body: TokenCreate, store: StoreDep, user: Reader, now: Now) -> TokenCreated:
    """Make an API token for the caller; the secret is in this answer only."""
    made = create_token(store, user.username, body.name, now=now)
    return TokenCreated(id=made.id, name=made.name, token=made.token)


@router.delete("/{token_id}", status_code=204, responses=NOT_FOUND)
def revoke(token_id: PathId, store: StoreDep, user: Reader, now: Now) -> Response:
    """Revoke a token (the caller's own; an admin: any). It stops working at once."""
    revoke_token(store, token_id, now=now, owner=user)
    return Response(status_code=204)
