"""Working cases: assign, message, note, change status, resolve, reopen, close; read one.

Every function takes the store, ``actor`` (who does it, as recorded in the
audit trail) and ``now`` (an aware datetime; nothing here reads the clock).
Changes to an existing case take the ``version`` the caller read: if the case
changed since, :class:`~retain.errors.ConflictError` says so and nothing is
written. ``version=None`` means "whatever is current" (scripts, the CLI
without ``--version``). Every change appends audit events (who, when,
old -> new); events are never edited.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from retain.config import load_settings
from retain.errors import InvalidInputError, NotFoundError
from retain.service.calendar import require_aware
from retain.service.sla import SlaPolicy, policy_from_settings
from retain.service.workflow import check_transition
from retain.store import Store
from retain.store import cases as db


def default_policy() -> SlaPolicy:
    """The SLA policy of retain.toml (``[cases]``), or the defaults."""
    return policy_from_settings(load_settings())


def case_view(tx: db.CaseTx, case_id: int, include_internal: bool = True) -> dict[str, Any]:
    """A case row with ``owner``, ``customer``, ``customer_name`` and ``events``."""
    row = tx.case(case_id)
    owner = tx.user(row["owner_id"])
    customer = tx.customer(row["customer_id"])
    return {
        **row,
        "owner": owner["username"] if owner else None,
        "customer": customer["external_id"] if customer else None,
        "customer_name": customer["name"] if customer else None,
        "events": tx.events(case_id, include_internal=include_internal),
    }


def get_case(store: Store, case_id: int, *, include_internal: bool = True) -> dict[str, Any]:
    """A case with ``owner``, ``customer`` (external id) and its ``events`` (oldest first).

    ``include_internal=False`` leaves out internal notes (what the customer may see).
    """
    with db.reading(store) as tx:
        return case_view(tx, case_id, include_internal)


def load_for_change(tx: db.CaseTx, case_id: int, version: int | None) -> tuple[dict[str, Any], int]:
    """The case and the version the change applies to (the caller's, else the current).

    A stale version is refused at once, before any other check: the case the
    caller saw is not the case as it is now.
    """
    row = tx.case(case_id)
    if version is not None and version != row["version"]:
        raise db.conflict(case_id, version, row["version"])
    return row, row["version"] if version is None else version


def _status_changes(
    row: dict[str, Any], new: str, now: datetime, policy: SlaPolicy
) -> dict[str, Any]:
    """Column changes of a status move: pause/resume the SLA clock, stamp times."""
    changes: dict[str, Any] = {"status": new, "updated_at": now}
    clock = policy.clock(row["priority"])
    if row["status"] == "pending" and row["paused_since"] is not None:
        paused = clock.between(row["paused_since"], now)
        changes["paused_since"] = None
        changes["paused_seconds"] = int(row["paused_seconds"] or 0) + round(paused)
        since = row["paused_since"]
        # a target already missed when the wait began stays missed (and escalated once)
        first_due = row["first_response_due_at"]
        if row["first_responded_at"] is None and first_due is not None and first_due > since:
            changes["first_response_due_at"] = clock.add(first_due, paused)
        if row["resolution_due_at"] is not None and row["resolution_due_at"] > since:
            changes["resolution_due_at"] = clock.add(row["resolution_due_at"], paused)
    if new == "pending":
        changes["paused_since"] = now
    elif new == "resolved":
        changes["resolved_at"] = now
        if row["first_responded_at"] is None:
            changes["first_responded_at"] = now
    elif new == "closed":
        changes["closed_at"] = now
    elif new == "open" and row["status"] in ("resolved", "closed"):
        changes["reopen_count"] = int(row["reopen_count"] or 0) + 1
        changes["resolved_at"] = None
        changes["resolution_code"] = None
        changes["resolution_note"] = None
        changes["resolution_due_at"] = policy.due(row["priority"], "resolution", now)
    return changes


def _move(
    tx: db.CaseTx,
    row: dict[str, Any],
    version: int,
    new: str,
    *,
    actor: str,
    now: datetime,
    policy: SlaPolicy,
    extra: dict[str, Any] | None = None,
    body: str | None = None,
) -> int:
    check_transition(row["id"], row["status"], new)
    changes = {**_status_changes(row, new, now, policy), **(extra or {})}
    version = tx.update_case(row["id"], version, changes)
    _record_move(tx, row, new, changes, actor=actor, now=now, body=body)
    return version


def _record_move(
    tx: db.CaseTx,
    row: dict[str, Any],
    new: str,
    changes: dict[str, Any],
    *,
    actor: str,
    now: datetime,
    body: str | None,
) -> None:
    """The audit events of a status move: the move itself and any due time it shifted."""
    kind = "reopened" if new == "open" and row["status"] in ("resolved", "closed") else "status"
    tx.add_event(row["id"], now, actor, kind, field="status", old=row["status"], new=new, body=body)
    for name in ("first_response_due_at", "resolution_due_at"):
        if name in changes and changes[name] != row[name]:
            why = (
                "SLA clock stopped while pending"
                if row["status"] == "pending"
                else "new resolution target after reopening"
            )
            tx.add_event(
                row["id"],
                now,
                actor,
                "due",
                field=name,
                old=iso(row[name]),
                new=iso(changes[name]),
                body=why,
            )


def iso(value: datetime | None) -> str | None:
    """ISO text of a time, None for None (how due times are kept in events)."""
    return None if value is None else value.isoformat()


def set_status(
    store: Store,
    case_id: int,
    status: str,
    *,
    actor: str,
    now: datetime,
    version: int | None = None,
    note: str | None = None,
    policy: SlaPolicy | None = None,
) -> dict[str, Any]:
    """Move a case to ``status`` if the workflow allows it (:mod:`retain.service.workflow`).

    ``pending`` stops the SLA clock; leaving ``pending`` moves the due times on
    by the business time spent waiting. Returns the updated case.
    """
    require_aware(now)
    if status == "resolved":
        return resolve(
            store,
            case_id,
            code="resolved",
            note=note,
            actor=actor,
            now=now,
            version=version,
            policy=policy,
        )
    policy = policy or default_policy()
    with db.transaction(store) as tx:
        row, version = load_for_change(tx, case_id, version)
        _move(tx, row, version, status, actor=actor, now=now, policy=policy, body=note)
        return case_view(tx, case_id)


def resolve(
    store: Store,
    case_id: int,
    *,
    code: str,
    note: str | None = None,
    actor: str,
    now: datetime,
    version: int | None = None,
    policy: SlaPolicy | None = None,
) -> dict[str, Any]:
    """Resolve a case with a resolution ``code`` (e.g. ``refunded``) and an optional note."""
    require_aware(now)
    code = (code or "").strip()
    if not code:
        raise InvalidInputError("a resolution needs a code, e.g. refunded, replaced, explained")
    policy = policy or default_policy()
    with db.transaction(store) as tx:
        row, version = load_for_change(tx, case_id, version)
        extra = {"resolution_code": code, "resolution_note": note}
        _move(
            tx,
            row,
            version,
            "resolved",
            actor=actor,
            now=now,
            policy=policy,
            extra=extra,
            body=f"{code}: {note}" if note else code,
        )
        return case_view(tx, case_id)


def reopen(
    store: Store,
    case_id: int,
    *,
    actor: str,
    now: datetime,
    reason: str | None = None,
    version: int | None = None,
    policy: SlaPolicy | None = None,
) -> dict[str, Any]:
    """Reopen a resolved case: a new resolution target runs from ``now``."""
    return set_status(
        store, case_id, "open", actor=actor, now=now, version=version, note=reason, policy=policy
    )


def close(
    store: Store, case_id: int, *, actor: str, now: datetime, version: int | None = None
) -> dict[str, Any]:
    """Close a resolved case (final)."""
    return set_status(store, case_id, "closed", actor=actor, now=now, version=version)


def assign(
    store: Store,
    case_id: int,
    *,
    owner: str,
    actor: str,
    now: datetime,
    reason: str | None = None,
    version: int | None = None,
) -> dict[str, Any]:
    """Give a case to the user ``owner`` (an active agent or admin); recorded old -> new."""
    require_aware(now)
    with db.transaction(store) as tx:
        row, version = load_for_change(tx, case_id, version)
        user = tx.user_by_name(owner)
        if user is None:
            raise NotFoundError(f"no user {owner!r}; create the user first")
        if not user["is_active"] or user["role"] not in ("agent", "admin"):
            raise InvalidInputError(f"{owner} cannot own cases: only active agents and admins can")
        if row["status"] == "closed":
            raise InvalidInputError(f"case {case_id} is closed; a closed case keeps its owner")
        if user["id"] == row["owner_id"]:
            raise InvalidInputError(f"case {case_id} is already owned by {owner}")
        old = tx.user(row["owner_id"])
        tx.update_case(case_id, version, {"owner_id": user["id"], "updated_at": now})
        tx.add_event(
            case_id,
            now,
            actor,
            "assigned",
            field="owner",
            old=old["username"] if old else None,
            new=owner,
            body=reason,
        )
        return case_view(tx, case_id)


def comment(
    store: Store,
    case_id: int,
    *,
    body: str,
    actor: str,
    now: datetime,
    internal: bool = False,
    inbound: bool = False,
    wait_for_customer: bool = False,
    version: int | None = None,
    policy: SlaPolicy | None = None,
) -> dict[str, Any]:
    """Add a message to the customer, a message from the customer, or an internal note.

    - ``internal=True``: a note for colleagues; it changes nothing else and
      the customer never sees it.
    - an outbound message (the default) is the first response if none was
      given yet; ``wait_for_customer=True`` then sets the case ``pending``.
    - ``inbound=True`` (the customer wrote): a pending case goes back to
      ``open``; a resolved case is reopened.
    """
    require_aware(now)
    body = (body or "").strip()
    if not body:
        raise InvalidInputError("the message is empty")
    if internal and (inbound or wait_for_customer):
        raise InvalidInputError("an internal note is neither from the customer nor waits on them")
    if inbound and wait_for_customer:
        raise InvalidInputError("a message from the customer cannot wait on the customer")
    policy = policy or default_policy()
    with db.transaction(store) as tx:
        row, version = load_for_change(tx, case_id, version)
        if row["status"] == "closed":
            raise InvalidInputError(
                f"case {case_id} is closed; open a new case for a new complaint"
            )
        kind = "note" if internal else "message"
        direction = None if internal else ("inbound" if inbound else "outbound")
        new_status = None
        changes: dict[str, Any] = {"updated_at": now}
        if not internal and not inbound and row["first_responded_at"] is None:
            changes["first_responded_at"] = now
        if inbound and row["status"] in ("pending", "resolved"):
            new_status = "open"
        if wait_for_customer and row["status"] != "pending":
            new_status = "pending"
        if new_status is not None:
            check_transition(case_id, row["status"], new_status)
            changes = {**_status_changes(row, new_status, now, policy), **changes}
        version = tx.update_case(case_id, version, changes)
        tx.add_event(case_id, now, actor, kind, field=direction, body=body, internal=internal)
        if "first_responded_at" in changes:
            tx.add_event(
                case_id,
                now,
                actor,
                "first_response",
                field="first_responded_at",
                new=now.isoformat(),
            )
        if new_status is not None:
            why = "the customer wrote" if inbound else "waiting on the customer"
            _record_move(tx, row, new_status, changes, actor=actor, now=now, body=why)
        return case_view(tx, case_id)
