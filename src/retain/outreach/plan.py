"""The action plan: whom to contact this cycle, why, and in which order.

Ranking (documented in docs/outreach.md)::

    value at stake = value x uplift(rule)
    score          = value at stake / effort(channel)

``value`` is the relationship's yearly value in major currency units (see
:mod:`retain.outreach.facts`), ``uplift`` the share of it a contact could
change (``uplift_<rule>``), ``effort`` the staff minutes a contact takes on
the rule's channel (``effort_minutes_<channel>``). The score reads as
"money at stake per minute of work". Ties: the order of ``rules``, then the
customer id.

One action per customer per cycle (the ISO week of ``as_of``): when several
rules pick a customer, the best-scoring one the consent gate allows wins and
the reason names the others. Customers the gate blocks, snoozed ones and
those whose action was done in the last ``done_cooldown_days`` are left out.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from retain.errors import InvalidInputError
from retain.outreach.consent import clear
from retain.outreach.facts import customer_facts
from retain.outreach.rules import run_rules
from retain.store import Store
from retain.store import outreach as db

PLAN_COLUMNS = (
    "id",
    "customer_id",
    "name",
    "owner",
    "rule",
    "reason",
    "score",
    "channel",
    "value",
    "status",
    "assignee",
)
SERVICE_RULES = ("case_sla",)
#: how each value source is named in a reason
VALUE_WORDS = {
    "revenue_per_year": "past revenue; no stored CLV",
    "clv_model": "CLV model, next 12 months",
    "stored_clv": "stored CLV score",
}


def cycle_of(at: datetime) -> str:
    """The plan cycle of ``at``: its ISO week, e.g. ``2026-W48``."""
    year, week, _ = at.isocalendar()
    return f"{year}-W{week:02d}"


def rank(candidates: pd.DataFrame, facts: pd.DataFrame, cfg: dict[str, Any]) -> pd.DataFrame:
    """Score every (customer, rule) candidate and keep the best one per customer (pure).

    ``candidates``: output of :func:`retain.outreach.rules.run_rules` (optionally
    with an ``allowed`` column from the consent gate; disallowed rows are dropped).
    Adds ``value_minor``, ``uplift``, ``effort_minutes``, ``score``; the
    ``reason`` gets the numbers of the formula and the other rules that fired.
    """
    if candidates.empty:
        return candidates.assign(value_minor=[], uplift=[], effort_minutes=[], score=[])
    c = candidates.merge(
        facts[["customer_id", "value_minor", "value_source"]], on="customer_id", how="left"
    )
    fired = c.groupby("customer_id")["rule"].agg(list).to_dict()
    if "allowed" in c.columns:
        c = c[c["allowed"].astype(bool)]
    c = c.assign(
        uplift=[float(cfg[f"uplift_{r}"]) for r in c["rule"]],
        effort_minutes=[float(cfg[f"effort_minutes_{ch}"]) for ch in c["channel"]],
        order=[cfg["rules"].index(r) for r in c["rule"]],
    )
    c["value_minor"] = c["value_minor"].fillna(0).astype("int64")
    c["score"] = (c["value_minor"] / 100 * c["uplift"] / c["effort_minutes"]).round(2)
    c = c.sort_values(["score", "order", "customer_id"], ascending=[False, True, True])
    best = c.drop_duplicates("customer_id").copy()
    reasons, numbers = [], []
    for r in best.itertuples():
        others = [x for x in fired[r.customer_id] if x != r.rule]
        value = r.value_minor / 100
        text = (
            f"{r.reason}. Value {value:,.0f}/yr ({VALUE_WORDS.get(r.value_source, '?')}) x "
            f"uplift {r.uplift:.0%} / {r.effort_minutes:g} min by {r.channel} = {r.score:g}"
        )
        if others:
            text += f" (also: {', '.join(others)})"
        reasons.append(text)
        numbers.append(
            {
                **(r.numbers or {}),
                "value_minor": int(r.value_minor),
                "value_source": r.value_source,
                "uplift": r.uplift,
                "effort_minutes": r.effort_minutes,
                "also": others,
            }
        )
    best["reason"], best["numbers"] = reasons, numbers
    return best.drop(columns=["order", "value_source"]).reset_index(drop=True)


def _gate(store: Store, cands: pd.DataFrame, as_of: datetime, cfg: dict, tz: ZoneInfo):
    allowed = pd.Series(False, index=cands.index)
    for (channel, service), part in cands.groupby(
        [cands["channel"], cands["rule"].isin(SERVICE_RULES)]
    ):
        ok = clear(
            store,
            part["customer_id"].tolist(),
            channel=str(channel),
            purpose="service" if service else "marketing",
            now=as_of,
            cfg=cfg,
            tz=tz,
            sending=False,
        )
        allowed[part.index] = [ok.allows(c) for c in part["customer_id"]]
    return cands.assign(allowed=allowed)


def build_plan(
    store: Store,
    *,
    as_of: datetime,
    cfg: dict[str, Any],
    lifecycle: dict[str, Any] | None = None,
    tz: ZoneInfo | None = None,
) -> pd.DataFrame:
    """The ranked actions at ``as_of`` (not saved): one row per customer, best first."""
    if as_of.tzinfo is None:
        raise InvalidInputError("as_of must carry a time zone (UTC)")
    facts = customer_facts(store, as_of, cfg, lifecycle)
    cands = run_rules(facts, as_of.date(), cfg)
    if cands.empty:
        return rank(cands, facts, cfg)
    rest = db.snoozed_or_done(store, as_of, as_of - timedelta(days=int(cfg["done_cooldown_days"])))
    cands = cands[~cands["customer_id"].isin(rest)]
    cands = _gate(store, cands.reset_index(drop=True), as_of, cfg, tz or ZoneInfo("UTC"))
    return rank(cands, facts, cfg)


def plan(
    store: Store,
    *,
    as_of: datetime,
    cfg: dict[str, Any],
    lifecycle: dict[str, Any] | None = None,
    owner: str | None = None,
    limit: int | None = None,
    save: bool = True,
    tz: ZoneInfo | None = None,
) -> list[dict[str, Any]]:
    """This cycle's actions, best first, as rows of :data:`PLAN_COLUMNS` (external ids).

    ``save``: keep new actions in the store (one per customer per cycle; a
    customer who has an action this cycle keeps it) and list the cycle's open
    and assigned actions; otherwise only compute. ``owner``: the customers'
    rep or the action's assignee (username).
    """
    ranked = build_plan(store, as_of=as_of, cfg=cfg, lifecycle=lifecycle, tz=tz)
    cycle = cycle_of(as_of)
    if save:
        rows = [
            {
                "customer_id": int(r.customer_id),
                "cycle": cycle,
                "rule": r.rule,
                "reason": r.reason,
                "score": float(r.score),
                "value_minor": int(r.value_minor),
                "numbers": r.numbers,
                "channel": r.channel,
            }
            for r in ranked.itertuples()
        ]
        db.save_actions(store, rows, as_of)
        saved = [a for a in db.actions(store, cycle=cycle) if a["status"] in ("open", "assigned")]
        out = [_row(a) for a in saved]
    else:
        people = db.customers(store, ranked["customer_id"].tolist())
        who = {int(p["customer_id"]): p for p in people.to_dict("records")}
        out = [
            {
                "id": None,
                "customer_id": who[r.customer_id]["external_id"],
                "name": who[r.customer_id]["name"],
                "owner": who[r.customer_id]["owner"],
                "rule": r.rule,
                "reason": r.reason,
                "score": float(r.score),
                "channel": r.channel,
                "value": round(r.value_minor / 100, 2),
                "status": "proposed",
                "assignee": None,
            }
            for r in ranked.itertuples()
        ]
    if owner:
        out = [r for r in out if owner in (r["owner"], r["assignee"])]
    out.sort(key=lambda r: (-r["score"], str(r["customer_id"])))
    return out[:limit] if limit else out


def _row(a: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": a["id"],
        "customer_id": a["external_id"],
        "name": a["customer_name"],
        "owner": a["owner"],
        "rule": a["rule"],
        "reason": a["reason"],
        "score": float(a["score"]),
        "channel": a["channel"],
        "value": round(a["value_minor"] / 100, 2),
        "status": a["status"],
        "assignee": a["assignee"],
    }
