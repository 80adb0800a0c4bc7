"""Customer profitability: margin to date, expected future margin, and the list of
relationships that cost more than they bring ("know when to let a client go").

Pure functions on a per-customer table; nothing is ever deleted or changed, the
list is for a person to decide on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from retain.errors import InvalidInputError, MissingColumnsError

__all__ = ["profitability", "unprofitable"]

_OPTIONAL = ("cost", "refunds", "cases", "touchpoints")


def profitability(
    customers: pd.DataFrame,
    *,
    cost_per_case: float = 0.0,
    cost_per_touchpoint: float = 0.0,
    future_value: pd.Series | None = None,
    horizon: float | None = None,
) -> pd.DataFrame:
    """Margin per customer and expected future margin.

    ``customers``: ``customer_id`` and ``revenue`` (money, net of nothing), and
    optionally ``cost`` (cost of the goods sold), ``refunds`` (money), ``cases``
    and ``touchpoints`` (counts of service cases and contacts), ``tenure``
    (periods since the first purchase). Missing optional columns count as 0.

    cost_to_serve = cases * cost_per_case + touchpoints * cost_per_touchpoint;
    margin = revenue - cost - refunds - cost_to_serve.
    ``future_value``: expected future margin per customer (e.g. CLV with a
    margin, indexed by customer_id; 0 where missing). When ``horizon`` and
    ``tenure`` are given (same period unit), the cost to serve is projected at
    its past rate: future_cost_to_serve = cost_to_serve / tenure * horizon.
    future_margin = future_value - future_cost_to_serve.
    """
    missing = [c for c in ("customer_id", "revenue") if c not in customers.columns]
    if missing:
        raise MissingColumnsError("the customer table", missing, list(customers.columns))
    for name, value in (
        ("cost_per_case", cost_per_case),
        ("cost_per_touchpoint", cost_per_touchpoint),
    ):
        if not (np.isfinite(value) and value >= 0):
            raise InvalidInputError(f"{name} must be a number >= 0; got {value!r}.")
    out = pd.DataFrame({"customer_id": customers["customer_id"].to_numpy()})
    out["revenue"] = pd.to_numeric(customers["revenue"]).to_numpy(dtype=float)
    for col in _OPTIONAL:
        if col in customers.columns:
            out[col] = pd.to_numeric(customers[col]).astype(float).fillna(0.0).to_numpy()
        else:
            out[col] = 0.0
    out["cost_to_serve"] = out["cases"] * cost_per_case + out["touchpoints"] * cost_per_touchpoint
    out["margin"] = out["revenue"] - out["cost"] - out["refunds"] - out["cost_to_serve"]
    if future_value is not None:
        fv = pd.Series(future_value).reindex(out["customer_id"]).fillna(0.0).to_numpy(dtype=float)
    else:
        fv = np.zeros(len(out))
    out["future_value"] = fv
    future_cost = np.zeros(len(out))
    if horizon is not None and "tenure" in customers.columns:
        tenure = pd.to_numeric(customers["tenure"]).to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(tenure > 0, out["cost_to_serve"].to_numpy() / tenure, 0.0)
        future_cost = rate * float(horizon)
    out["future_cost_to_serve"] = future_cost
    out["future_margin"] = out["future_value"] - out["future_cost_to_serve"]
    return out


def unprofitable(table: pd.DataFrame) -> pd.DataFrame:
    """Relationships whose expected future margin is negative (or, when no future value
    was given, whose margin to date is), worst first, with the evidence in words."""
    forward = bool((table["future_value"] != 0).any())
    key = "future_margin" if forward else "margin"
    rows = table[table[key] < 0].sort_values(key).copy()

    def evidence(r: pd.Series) -> str:
        parts = [
            f"revenue {r['revenue']:.2f}",
            f"cost {r['cost']:.2f}",
            f"refunds {r['refunds']:.2f}",
            f"{r['cases']:.0f} cases and {r['touchpoints']:.0f} touchpoints cost "
            f"{r['cost_to_serve']:.2f}",
            f"margin to date {r['margin']:.2f}",
        ]
        if forward:
            parts.append(
                f"expected future value {r['future_value']:.2f} against "
                f"{r['future_cost_to_serve']:.2f} to serve"
            )
        return "; ".join(parts)

    rows["evidence"] = [evidence(r) for _, r in rows.iterrows()]
    return rows.reset_index(drop=True)
