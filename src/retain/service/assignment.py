"""Who owns a new case: the customer's dedicated rep, else the least-loaded agent.

Round-robin by load: among active agents, the one with the fewest open and
pending cases; on a tie, the one whose latest case is oldest (never
assigned counts as oldest), then the lowest user id. So agents with equal
load take new cases in turn.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Assignment:
    """The chosen owner (None: nobody to assign) and why."""

    owner_id: int | None
    username: str | None
    reason: str


def choose_owner(
    dedicated_rep: Mapping[str, Any] | None, agents: Sequence[Mapping[str, Any]]
) -> Assignment:
    """The owner of a new case.

    ``dedicated_rep``: the customer's owning user (``id``, ``username``,
    ``role``, ``is_active``) or None; ``agents``: active agents with ``id``,
    ``username``, ``load`` (open + pending cases) and ``last_case_id`` (None
    if they never had one).
    """
    if dedicated_rep is not None:
        if dedicated_rep.get("is_active") and dedicated_rep.get("role") in ("agent", "admin"):
            return Assignment(
                dedicated_rep["id"], dedicated_rep["username"], "the customer's dedicated rep"
            )
        skipped = f"dedicated rep {dedicated_rep['username']} is inactive or a viewer; "
    else:
        skipped = ""
    if not agents:
        return Assignment(None, None, skipped + "no active agent: left unassigned")
    best = min(
        agents,
        key=lambda a: (
            int(a["load"]),
            -1 if a["last_case_id"] is None else a["last_case_id"],
            a["id"],
        ),
    )
    return Assignment(
        best["id"],
        best["username"],
        f"{skipped}round-robin: fewest open cases ({int(best['load'])}) among {len(agents)} agents",
    )
