"""SLA breaches and escalation: find missed targets, tell the manager, once per breach.

:func:`check_sla` looks at every open and pending case. A target (first
response, resolution) is breached when its due time has passed and it was
not met; while a case is pending on the customer its clock stands still, so
a target that was not yet due when the wait began is not breached. Each
breach is recorded once (``sla_breach`` and ``escalated`` events, keyed by
the case, the target and the due time); a reopened case has a new due time,
so a new breach of it is escalated again.

Escalation goes to the case owner's manager (``users.manager_id``), else to
the first active admin. Notification hooks are plain callables taking an
:class:`Escalation`: the ``notify`` argument, the ``[cases] notify =
"module:function"`` setting, and every entry point in the group
``retain.case_escalations``. They run inside the transaction that records
the breach: if a hook raises, nothing is recorded and the next check tries
again (so a notification is never lost, but may repeat if a hook fails half
way).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import entry_points

from retain.errors import ConfigError, RetainError
from retain.service.calendar import require_aware
from retain.service.sla import TARGETS, SlaPolicy
from retain.store import Store
from retain.store import cases as db

ENTRY_POINT_GROUP = "retain.case_escalations"


@dataclass(frozen=True)
class Escalation:
    """One missed target of one case, as handed to notification hooks."""

    case_id: int
    customer: str | None
    subject: str
    priority: str
    target: str
    due_at: datetime
    detected_at: datetime
    owner: str | None
    escalated_to: str | None

    @property
    def late_hours(self) -> float:
        """Hours between the due time and the check that found the breach."""
        return (self.detected_at - self.due_at).total_seconds() / 3600

    def message(self) -> str:
        """One line for a person, e.g. ``case 7 (high) missed its first response ...``."""
        target = self.target.replace("_", " ")
        return (
            f"case {self.case_id} ({self.priority}) missed its {target} target due "
            f"{self.due_at:%Y-%m-%d %H:%M} UTC by {self.late_hours:.1f} h: {self.subject} "
            f"(owner {self.owner or 'nobody'})"
        )


Hook = Callable[[Escalation], object]


def breached_targets(case: dict, now: datetime) -> list[tuple[str, datetime]]:
    """The targets of ``case`` (a cases row) that are breached at ``now``, with their due times."""
    found = []
    for target in TARGETS:
        due = case[f"{target}_due_at"]
        if due is None or due >= now:
            continue
        met_at = case["first_responded_at"] if target == "first_response" else case["resolved_at"]
        if met_at is not None:
            continue
        paused = case["paused_since"] if case["status"] == "pending" else None
        if paused is not None and due >= paused:
            continue  # the clock stopped before the target fell due
        found.append((target, due))
    return found


def check_sla(
    store: Store,
    *,
    now: datetime,
    actor: str = "sla",
    policy: SlaPolicy | None = None,
    notify: Hook | Iterable[Hook] | None = None,
    notify_setting: str | None = None,
) -> list[Escalation]:
    """Record and escalate every new SLA breach at ``now``; returns the new escalations."""
    require_aware(now)
    hooks = load_hooks(notify, notify_setting)
    new: list[Escalation] = []
    with db.transaction(store) as tx:
        overdue = tx.overdue_cases(now)  # locks them: read what was recorded only after
        recorded = tx.recorded_breaches()
        admins = tx.admins()
        users: dict[int | None, dict | None] = {None: None}
        events: list[dict] = []

        def user(user_id: int | None) -> dict | None:
            if user_id not in users:
                users[user_id] = tx.user(user_id)
            return users[user_id]

        for case in overdue:
            for target, due in breached_targets(case, now):
                if (case["id"], target, due.isoformat()) in recorded:
                    continue
                owner = user(case["owner_id"])
                manager = user(owner["manager_id"]) if owner else None
                if manager is None or not manager["is_active"]:
                    manager = admins[0] if admins else None
                esc = Escalation(
                    case_id=case["id"],
                    customer=case["customer"],
                    subject=case["subject"],
                    priority=case["priority"],
                    target=target,
                    due_at=due,
                    detected_at=now,
                    owner=owner["username"] if owner else None,
                    escalated_to=manager["username"] if manager else None,
                )
                common = {"case_id": case["id"], "at": now, "actor": actor}
                events.append(
                    {
                        **common,
                        "kind": "sla_breach",
                        "field": target,
                        "old": due.isoformat(),
                        "new": now.isoformat(),
                        "body": esc.message(),
                    }
                )
                events.append(
                    {
                        **common,
                        "kind": "escalated",
                        "field": "manager",
                        "new": esc.escalated_to,
                        "body": None if manager else "no manager or active admin to escalate to",
                    }
                )
                new.append(esc)
        tx.add_events(events)
        for esc in new:
            for hook in hooks:
                try:
                    hook(esc)
                except Exception as exc:
                    name = getattr(hook, "__name__", repr(hook))
                    raise RetainError(
                        f"notification hook {name} failed on case {esc.case_id}: {exc}; "
                        "nothing was recorded, fix the hook and check again"
                    ) from exc
    return new


def load_hooks(notify: Hook | Iterable[Hook] | None, setting: str | None) -> list[Hook]:
    """The hooks to call: ``notify``, the ``module:function`` in ``setting``, entry points."""
    hooks: list[Hook] = []
    if callable(notify):
        hooks.append(notify)
    elif notify is not None:
        hooks.extend(notify)
    if setting:
        hooks.append(_import_hook(setting))
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        hooks.append(ep.load())
    return hooks


def _import_hook(spec: str) -> Hook:
    module_name, _, attr = spec.partition(":")
    try:
        target = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError, ValueError) as exc:
        raise ConfigError(
            f"retain.toml [cases] notify = {spec!r} cannot be loaded ({exc}); "
            "write it as 'package.module:function'"
        ) from exc
    if not callable(target):
        raise ConfigError(f"retain.toml [cases] notify = {spec!r} is not a function")
    return target
