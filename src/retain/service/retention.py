"""Do complainants come back? Repurchase after a case, resolved vs unresolved vs no complaint.

"70% of complainants stay if the complaint is resolved": this measures
whether that holds for this business. The groups:

- **resolved**: customers whose (first) case was resolved within the window;
- **unresolved**: customers whose (first) case was not resolved within it;
- **no complaint**: customers who never had a case.

Each complainant is followed from the moment the case opened (``t0``) for
``window_days``; they *came back* if they ordered in ``(t0, t0 + window]``.
Customers without a complaint are followed from one reference moment, the
median ``t0`` of the complainants counted (``as_of - window`` when there are
none), so the three groups cover about the same season. Only customers who
had bought before their start count (you cannot come *back* otherwise), and
only starts whose window has ended by ``as_of``. Rates carry Wilson 95%
intervals. This is an observational comparison, not an experiment: resolved
cases may differ from unresolved ones in other ways.
"""

from __future__ import annotations

import pandas as pd

from retain.errors import InvalidInputError
from retain.service.metrics import require_columns
from retain.service.stats import wilson

GROUPS = ("resolved", "unresolved", "no_complaint")


def retention_effect(
    cases: pd.DataFrame,
    orders: pd.DataFrame,
    customers: pd.Series | list[int],
    *,
    as_of: pd.Timestamp,
    window_days: int = 90,
) -> pd.DataFrame:
    """Repurchase rate within ``window_days`` per group, with Wilson 95% intervals.

    ``cases``: ``customer_id``, ``opened_at``, ``resolved_at``; ``orders``:
    ``customer_id``, ``ordered_at`` (counted purchases only); ``customers``:
    the ids of all customers. Returns rows ``group`` (resolved, unresolved,
    no_complaint) with ``customers``, ``came_back``, ``rate``, ``lower``,
    ``upper``, ``start`` (the no-complaint reference moment; None for the
    complainant groups) and ``window_days``.
    """
    require_columns(cases, "cases", ("customer_id", "opened_at", "resolved_at"))
    require_columns(orders, "orders", ("customer_id", "ordered_at"))
    if window_days <= 0:
        raise InvalidInputError(f"window_days must be positive, not {window_days}")
    as_of = pd.Timestamp(as_of)
    as_of = as_of.tz_localize("UTC") if as_of.tzinfo is None else as_of.tz_convert("UTC")
    window = pd.Timedelta(days=window_days)
    placed = orders.assign(ordered_at=pd.to_datetime(orders["ordered_at"], utc=True))

    first = cases.assign(
        opened_at=pd.to_datetime(cases["opened_at"], utc=True),
        resolved_at=pd.to_datetime(cases["resolved_at"], utc=True),
    )
    first = first.sort_values("opened_at").drop_duplicates("customer_id", keep="first")
    first = first[first["opened_at"] + window <= as_of]
    starts = first.set_index("customer_id")["opened_at"]
    bought_before, came_back = _outcomes(placed, starts, window)
    eligible = first[first["customer_id"].map(bought_before).fillna(False).astype(bool)]
    resolved = eligible["resolved_at"].notna() & (
        eligible["resolved_at"] <= eligible["opened_at"] + window
    )
    back = eligible["customer_id"].map(came_back).fillna(False).astype(bool)

    complainants = set(cases["customer_id"])
    if len(eligible):
        ref = (
            eligible["opened_at"].sort_values().iloc[0]
            + (eligible["opened_at"].sort_values() - eligible["opened_at"].min()).median()
        )
    else:
        ref = as_of - window
    others = pd.Index([c for c in pd.unique(pd.Series(list(customers))) if c not in complainants])
    other_starts = pd.Series(ref, index=others, dtype="datetime64[ns, UTC]")
    o_before, o_back = _outcomes(placed, other_starts, window)
    o_eligible = [c for c in others if o_before.get(c, False)]
    o_came = sum(bool(o_back.get(c, False)) for c in o_eligible)

    rows = []
    for group, k, n, start in (
        ("resolved", int((back & resolved).sum()), int(resolved.sum()), None),
        ("unresolved", int((back & ~resolved).sum()), int((~resolved).sum()), None),
        ("no_complaint", o_came, len(o_eligible), ref),
    ):
        r = wilson(k, n)
        rows.append(
            {
                "group": group,
                "customers": n,
                "came_back": k,
                "rate": r.rate,
                "lower": r.lower,
                "upper": r.upper,
                "start": start,
                "window_days": window_days,
            }
        )
    return pd.DataFrame(rows)


def _outcomes(orders: pd.DataFrame, starts: pd.Series, window: pd.Timedelta) -> tuple[dict, dict]:
    """Per customer in ``starts``: bought before the start? ordered within the window after it?"""
    if starts.empty:
        return {}, {}
    joined = orders.merge(
        starts.rename("start").rename_axis("customer_id").reset_index(), on="customer_id"
    )
    before = joined[joined["ordered_at"] < joined["start"]].groupby("customer_id").size() > 0
    within = (joined["ordered_at"] > joined["start"]) & (
        joined["ordered_at"] <= joined["start"] + window
    )
    back = joined[within].groupby("customer_id").size() > 0
    return before.to_dict(), back.to_dict()
