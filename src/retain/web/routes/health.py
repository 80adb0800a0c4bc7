"""``/healthz``: is the app up and can it read the store?"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from retain import __version__
from retain.store.users import count_users
from retain.web.deps import StoreDep

router = APIRouter(tags=["operations"])


class Health(BaseModel):
    """The app is up and read the store."""

    status: str
    version: str
    database: str


@router.get("/healthz", response_model=Health)
def healthz(store: StoreDep) -> Health:
    """Up and able to read the records store (no login needed)."""
    count_users(store)
    return Health(status="ok", version=__version__, database=store.dialect)
