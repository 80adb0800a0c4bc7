"""The status workflow of a case: which moves are allowed, and what each one refuses.

::

    open ──> pending (waiting on the customer; the SLA clock stops)
      │  <──    │
      ▼         ▼
    resolved ──> closed (final)
      │
      └──> open (reopened: a new message, or by hand)

A closed case is final: a new complaint opens a new case.
"""

from __future__ import annotations

from retain.errors import InvalidInputError
from retain.store.schema import CASE_STATUSES

TRANSITIONS: dict[str, frozenset[str]] = {
    "open": frozenset({"pending", "resolved"}),
    "pending": frozenset({"open", "resolved"}),
    "resolved": frozenset({"open", "closed"}),
    "closed": frozenset(),
}


def check_transition(case_id: int, old: str, new: str) -> None:
    """Refuse a move the workflow does not allow, saying which moves are allowed."""
    if new not in CASE_STATUSES:
        raise InvalidInputError(
            f"unknown case status {new!r}; use one of {', '.join(CASE_STATUSES)}"
        )
    if new == old:
        raise InvalidInputError(f"case {case_id} is already {old}")
    allowed = TRANSITIONS[old]
    if new not in allowed:
        if old == "closed":
            hint = "a closed case is final; open a new case for a new complaint"
        else:
            hint = f"from {old} it can go to {', '.join(sorted(allowed))}"
            if new == "closed":
                hint += " (resolve it before closing)"
        raise InvalidInputError(f"case {case_id} cannot go from {old} to {new}: {hint}")
