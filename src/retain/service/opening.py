"""Opening a case: owner, priority from value, SLA due times, audit events.

Called by people (CLI, web) and by the closed loop (a detractor answer or a
bad review opens a case by itself, once per feedback record).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from retain.config import load_settings
from retain.errors import InvalidInputError, NotFoundError
from retain.service.assignment import choose_owner
from retain.service.calendar import require_aware
from retain.service.priority import CustomerValue, ValueCuts, priority_for, value_cuts
from retain.service.sla import SlaPolicy, cases_settings, policy_from_settings
from retain.store import Store
from retain.store import cases as db
from retain.store.schema import CASE_SOURCES

SUBJECT_MAX = 500


def open_case(
    store: Store,
    *,
    customer_id: int,
    subject: str,
    source: str = "manual",
    description: str | None = None,
    category: str | None = None,
    feedback_id: int | None = None,
    actor: str = "system",
    now: datetime,
    policy: SlaPolicy | None = None,
    loyal_orders: int | None = None,
) -> int:
    """Open a case and return its id.

    Assigns the owner (the customer's dedicated rep, else round-robin by
    load among active agents), sets the priority from the customer's value
    (:mod:`retain.service.priority`) and the SLA due times
    (:mod:`retain.service.sla`), and records ``created``, ``priority`` and
    ``assigned`` events. Idempotent per ``feedback_id``: a second call with
    the same feedback returns the existing case and writes nothing. A
    customer merged into another (a duplicate) gets the case on the survivor.
    """
    require_aware(now)
    subject = (subject or "").strip()
    if not subject:
        raise InvalidInputError("a case needs a subject: say in a few words what is wrong")
    if len(subject) > SUBJECT_MAX:
        raise InvalidInputError(
            f"subject is {len(subject)} characters; keep it under {SUBJECT_MAX} "
            "and put the rest in the description"
        )
    if source not in CASE_SOURCES:
        raise InvalidInputError(
            f"unknown case source {source!r}; use one of {', '.join(CASE_SOURCES)}"
        )
    if policy is None or loyal_orders is None:
        settings = load_settings()
        policy = policy or policy_from_settings(settings)
        loyal_orders = loyal_orders or int(cases_settings(settings)["loyal_orders"])
    with db.transaction(store) as tx:
        if feedback_id is not None:
            existing = tx.case_id_for_feedback(feedback_id)
            if existing is not None:
                return existing
            if not tx.feedback_exists(feedback_id):
                raise NotFoundError(f"feedback {feedback_id} does not exist")
        customer = tx.customer(customer_id)
        seen = {customer_id}
        while customer is not None and customer["merged_into_id"] not in (None, *seen):
            seen.add(customer["merged_into_id"])  # a duplicate merged away: use the survivor
            customer = tx.customer(customer["merged_into_id"])
        if customer is None:
            raise NotFoundError(f"customer {customer_id} does not exist")
        customer_id = customer["id"]
        priority = priority_for(_customer_value(tx, customer_id, now), loyal_orders=loyal_orders)
        owner = choose_owner(tx.user(customer["owner_id"]), tx.agent_loads())
        case_id = tx.insert_case(
            {
                "customer_id": customer_id,
                "source": source,
                "subject": subject,
                "description": description,
                "category": category,
                "priority": priority.level,
                "priority_reason": priority.reason,
                "owner_id": owner.owner_id,
                "status": "open",
                "feedback_id": feedback_id,
                "opened_at": now,
                "first_response_due_at": policy.due(priority.level, "first_response", now),
                "resolution_due_at": policy.due(priority.level, "resolution", now),
                "paused_seconds": 0,
                "reopen_count": 0,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
        )
        if case_id is None:  # another process opened it for the same feedback just now
            existing = tx.case_id_for_feedback(feedback_id)  # type: ignore[arg-type]
            assert existing is not None
            return existing
        tx.add_event(case_id, now, actor, "created", field="status", new="open", body=subject)
        tx.add_event(
            case_id,
            now,
            actor,
            "priority",
            field="priority",
            new=priority.level,
            body=priority.reason,
        )
        tx.add_event(
            case_id, now, actor, "assigned", field="owner", new=owner.username, body=owner.reason
        )
        return case_id


def _customer_value(tx: db.CaseTx, customer_id: int, now: datetime) -> CustomerValue:
    """What the priority rule needs: the stored CLV score when there is one, else revenue."""
    value = tx.customer_value(customer_id)
    score = tx.customer_score(customer_id)
    if score is not None:
        basis = f"clv:{score['model']}:{score['fitted_at'].isoformat()}"
        cuts = _value_cuts(tx, now, basis, lambda: tx.model_clvs(score["model"]))
        return CustomerValue(
            **value,
            value_band=cuts.band(score["clv_minor"]),
            clv=score["clv_minor"] / 100,
            p_alive=score["p_alive"],
        )
    band = None
    if value["orders"]:
        band = _value_cuts(tx, now, "revenue", tx.buyer_revenues).band(value["revenue_minor"])
    return CustomerValue(**value, value_band=band)


def _value_cuts(
    tx: db.CaseTx, now: datetime, basis: str, values: Callable[[], list[int]]
) -> ValueCuts:
    """The value cut-offs of the priority rule: cached for a day, or computed from ``values``."""
    cached = tx.cached_value_cuts(now, basis)
    if cached is not None:
        return ValueCuts(cached["buyers"], cached["median_cut"], cached["top_cut"])
    cuts = value_cuts(values())
    tx.save_value_cuts(
        {"buyers": cuts.buyers, "median_cut": cuts.median_cut, "top_cut": cuts.top_cut},
        now,
        basis,
    )
    return cuts
