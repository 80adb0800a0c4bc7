"""The rules of the action plan: each a small function of the customer facts.

A rule takes the facts table (one row per customer, see
:data:`FACT_COLUMNS`), the day ``as_of`` and the ``[outreach]`` settings, and
returns the customers it picks with ``rule``, ``channel``, a ``reason`` a
person can read and the ``numbers`` behind it (a dict). Rules neither rank
nor filter consent: :mod:`retain.outreach.plan` does that once for all.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pandas as pd

from retain.errors import MissingColumnsError

#: the per-customer facts every rule may use
FACT_COLUMNS = (
    "customer_id",
    "stage",
    "substage",
    "purchases",
    "days_since_last_order",
    "expected_gap_days",
    "days_since_first_order",
    "value_minor",
    "nps_score",
    "nps_days_ago",
    "silent_reason",
    "case_id",
    "case_subject",
    "case_due_hours",
    "case_due_kind",
    "letter_this_year",
)
RULE_COLUMNS = ("customer_id", "rule", "channel", "reason", "numbers")

Rule = Callable[[pd.DataFrame, date, dict[str, Any]], pd.DataFrame]


def _out(picked: pd.DataFrame, rule: str, channel: str, reasons, numbers) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": picked["customer_id"].astype("int64").to_numpy(),
            "rule": rule,
            "channel": channel,
            "reason": list(reasons),
            "numbers": list(numbers),
        },
        columns=list(RULE_COLUMNS),
    )


def _num(x: Any) -> Any:
    if x is None or (not isinstance(x, str) and pd.isna(x)):
        return None
    return round(float(x), 2) if isinstance(x, float) else int(x)


def loyal_lapsing(facts: pd.DataFrame, as_of: date, cfg: dict[str, Any]) -> pd.DataFrame:
    """A loyal customer (``loyal_purchases`` purchase days or more) passing his expected gap.

    Picked when ``days_since_last_order > loyal_gap_share * expected_gap_days`` and
    not yet beyond ``loyal_max_gap_multiple`` gaps (then win-back takes over).
    """
    f = facts
    d, g = f["days_since_last_order"], f["expected_gap_days"]
    picked = f[
        (f["purchases"] >= int(cfg["loyal_purchases"]))
        & (d > float(cfg["loyal_gap_share"]) * g)
        & (d <= float(cfg["loyal_max_gap_multiple"]) * g)
    ]
    reasons = [
        f"loyal customer ({int(r.purchases)} purchases) last bought {int(r.days_since_last_order)} "
        f"days ago; usually returns within {int(r.expected_gap_days)} days"
        for r in picked.itertuples()
    ]
    numbers = [
        {
            "purchases": _num(r.purchases),
            "days_since_last_order": _num(r.days_since_last_order),
            "expected_gap_days": _num(r.expected_gap_days),
        }
        for r in picked.itertuples()
    ]
    return _out(picked, "loyal_lapsing", "phone", reasons, numbers)


def new_follow_up(facts: pd.DataFrame, as_of: date, cfg: dict[str, Any]) -> pd.DataFrame:
    """The after-sale follow-up: one purchase, ``follow_up_after_days``..``until_days`` ago."""
    f = facts
    days = f["days_since_first_order"]
    picked = f[
        (f["purchases"] == 1)
        & (days >= int(cfg["follow_up_after_days"]))
        & (days <= int(cfg["follow_up_until_days"]))
    ]
    reasons = [
        f"new customer: first purchase {int(r.days_since_first_order)} days ago and no second "
        "yet; help them get started"
        for r in picked.itertuples()
    ]
    numbers = [
        {"days_since_first_order": _num(r.days_since_first_order)} for r in picked.itertuples()
    ]
    return _out(picked, "new_follow_up", "email", reasons, numbers)


def detractor(facts: pd.DataFrame, as_of: date, cfg: dict[str, Any]) -> pd.DataFrame:
    """Latest score ``detractor_max_score`` or lower, answered within ``detractor_days``."""
    f = facts
    picked = f[
        (f["nps_score"] <= int(cfg["detractor_max_score"]))
        & (f["nps_days_ago"] <= int(cfg["detractor_days"]))
    ]
    reasons = [
        f"detractor: scored {int(r.nps_score)}/10 {int(r.nps_days_ago)} days ago"
        for r in picked.itertuples()
    ]
    numbers = [
        {"nps_score": _num(r.nps_score), "nps_days_ago": _num(r.nps_days_ago)}
        for r in picked.itertuples()
    ]
    return _out(picked, "detractor", "phone", reasons, numbers)


def silent(facts: pd.DataFrame, as_of: date, cfg: dict[str, Any]) -> pd.DataFrame:
    """A silent customer (:func:`retain.voice.silent_customers`): never answers, buys less."""
    f = facts
    picked = f[f["silent_reason"].notna() & (f["silent_reason"].astype(str) != "")]
    reasons = [f"silent: {r.silent_reason}" for r in picked.itertuples()]
    numbers = [{} for _ in range(len(picked))]
    return _out(picked, "silent", "email", reasons, numbers)


def case_sla(facts: pd.DataFrame, as_of: date, cfg: dict[str, Any]) -> pd.DataFrame:
    """An open case whose next SLA time is within ``sla_warning_hours`` (or already past)."""
    f = facts
    picked = f[f["case_id"].notna() & (f["case_due_hours"] <= float(cfg["sla_warning_hours"]))]
    reasons = []
    for r in picked.itertuples():
        h = float(r.case_due_hours)
        when = f"overdue by {-h:.0f} h" if h < 0 else f"due in {h:.0f} h"
        reasons.append(f"open case #{int(r.case_id)} '{r.case_subject}': {r.case_due_kind} {when}")
    numbers = [
        {"case_id": _num(r.case_id), "due_hours": round(float(r.case_due_hours), 1)}
        for r in picked.itertuples()
    ]
    return _out(picked, "case_sla", "phone", reasons, numbers)


def win_back(facts: pd.DataFrame, as_of: date, cfg: dict[str, Any]) -> pd.DataFrame:
    """An inactive customer in the win-back substage (not do-not-contact)."""
    f = facts
    picked = f[(f["stage"] == "inactive") & (f["substage"] == "win_back")]
    reasons = [
        f"inactive: last bought {int(r.days_since_last_order)} days ago, "
        f"{r.days_since_last_order / r.expected_gap_days:.1f}x the expected gap of "
        f"{int(r.expected_gap_days)} days; a win-back candidate"
        for r in picked.itertuples()
    ]
    numbers = [
        {
            "days_since_last_order": _num(r.days_since_last_order),
            "expected_gap_days": _num(r.expected_gap_days),
        }
        for r in picked.itertuples()
    ]
    return _out(picked, "win_back", "email", reasons, numbers)


def _top(facts: pd.DataFrame, n: int) -> pd.DataFrame:
    buyers = facts[facts["value_minor"] > 0]
    return buyers.sort_values(["value_minor", "customer_id"], ascending=[False, True]).head(n)


def best_customer(facts: pd.DataFrame, as_of: date, cfg: dict[str, Any]) -> pd.DataFrame:
    """A top-value promoter: top ``best_top_share`` by value, latest score ``best_min_score``+.

    Consult them before a decision, or thank them.
    """
    buyers = int((facts["value_minor"] > 0).sum())
    n = max(1, round(buyers * float(cfg["best_top_share"]))) if buyers else 0
    top = _top(facts, n)
    picked = top[top["nps_score"] >= int(cfg["best_min_score"])]
    reasons = [
        f"best customer: top {float(cfg['best_top_share']):.0%} by value and a promoter "
        f"({int(r.nps_score)}/10); consult or thank"
        for r in picked.itertuples()
    ]
    numbers = [{"nps_score": _num(r.nps_score), "top_n": n} for r in picked.itertuples()]
    return _out(picked, "best_customer", "phone", reasons, numbers)


def yearly_letter(facts: pd.DataFrame, as_of: date, cfg: dict[str, Any]) -> pd.DataFrame:
    """The owner's yearly personal letter to the top ``letter_top_n``, in ``letter_month``."""
    if as_of.month != int(cfg["letter_month"]):
        return _out(facts.head(0), "yearly_letter", "letter", [], [])
    top = _top(facts, int(cfg["letter_top_n"]))
    picked = top[~top["letter_this_year"].fillna(False).astype(bool)]
    rank = {cid: i + 1 for i, cid in enumerate(top["customer_id"])}
    reasons = [
        f"yearly letter from the owner: number {rank[r.customer_id]} of the top "
        f"{int(cfg['letter_top_n'])} by value, no letter yet in {as_of.year}"
        for r in picked.itertuples()
    ]
    numbers = [{"value_rank": rank[r.customer_id]} for r in picked.itertuples()]
    return _out(picked, "yearly_letter", "letter", reasons, numbers)


RULES: dict[str, Rule] = {
    "case_sla": case_sla,
    "detractor": detractor,
    "loyal_lapsing": loyal_lapsing,
    "new_follow_up": new_follow_up,
    "best_customer": best_customer,
    "silent": silent,
    "win_back": win_back,
    "yearly_letter": yearly_letter,
}


def run_rules(facts: pd.DataFrame, as_of: date, cfg: dict[str, Any]) -> pd.DataFrame:
    """Every rule of ``cfg["rules"]`` on ``facts``: one row per (customer, rule) picked."""
    missing = [c for c in FACT_COLUMNS if c not in facts.columns]
    if missing:
        raise MissingColumnsError("customer facts", missing, list(facts.columns))
    parts = [RULES[name](facts, as_of, cfg) for name in cfg["rules"]]
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=list(RULE_COLUMNS))
    return pd.concat(parts, ignore_index=True)
