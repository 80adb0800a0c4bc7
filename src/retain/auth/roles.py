"""Roles and what each may do.

========  ====  ====  ======
action    admin agent viewer
========  ====  ====  ======
read      yes   yes   yes
work      yes   yes   no      cases, touchpoints, customer contact details
manage    yes   no    no      users, tokens of others, imports, orders, feedback, settings
========  ====  ====  ======
"""

from __future__ import annotations

from enum import StrEnum

from retain.errors import PermissionDeniedError

ROLES = ("admin", "agent", "viewer")


class Permission(StrEnum):
    """What an endpoint needs."""

    read = "read"
    work = "work"
    manage = "manage"


GRANTS: dict[str, frozenset[Permission]] = {
    "admin": frozenset(Permission),
    "agent": frozenset({Permission.read, Permission.work}),
    "viewer": frozenset({Permission.read}),
}


def can(role: str, permission: Permission) -> bool:
    """True when ``role`` has ``permission``."""
    return permission in GRANTS.get(role, frozenset())


def require(role: str, permission: Permission) -> None:
    """Raise PermissionDeniedError unless ``role`` has ``permission``."""
    if not can(role, permission):
        needed = ", ".join(r for r in ROLES if can(r, permission))
        raise PermissionDeniedError(
            f"a {role} may not {permission.value} here; this needs the role {needed}"
        )
