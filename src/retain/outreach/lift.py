"""Lift of a campaign: treated minus control, with a 95% interval, said plainly.

The interval of a difference of two proportions is Newcombe's hybrid score
interval (Newcombe 1998, "Interval estimation for the difference between
independent proportions: comparison of eleven methods", Statistics in
Medicine 17, method 10): with Wilson intervals ``(l1, u1)`` of ``p1 = k1/n1``
and ``(l2, u2)`` of ``p2 = k2/n2`` and ``d = p1 - p2``::

    lower = d - sqrt((p1 - l1)^2 + (u2 - p2)^2)
    upper = d + sqrt((u1 - p1)^2 + (p2 - l2)^2)

It stays within [-1, 1] and behaves well for small groups and rates near 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from retain.errors import MissingColumnsError
from retain.service.stats import Z95, wilson

LIFT_COLUMNS = (
    "outcome",
    "treated",
    "treated_n",
    "treated_rate",
    "control",
    "control_n",
    "control_rate",
    "lift",
    "lower",
    "upper",
    "verdict",
)


@dataclass(frozen=True)
class Lift:
    """``lift = p_treated - p_control`` with its interval; None where a group is empty."""

    lift: float | None
    lower: float | None
    upper: float | None


def newcombe(k1: int, n1: int, k2: int, n2: int, z: float = Z95) -> Lift:
    """Difference ``k1/n1 - k2/n2`` with Newcombe's hybrid score interval (method 10)."""
    a, b = wilson(k1, n1, z), wilson(k2, n2, z)
    if a.rate is None or b.rate is None:
        return Lift(None, None, None)
    assert a.lower is not None and a.upper is not None
    assert b.lower is not None and b.upper is not None
    d = a.rate - b.rate
    lower = d - math.sqrt((a.rate - a.lower) ** 2 + (b.upper - b.rate) ** 2)
    upper = d + math.sqrt((a.upper - a.rate) ** 2 + (b.rate - b.lower) ** 2)
    return Lift(d, max(-1.0, lower), min(1.0, upper))


def verdict(outcome: str, lift: Lift) -> str:
    """One sentence on the lift: real gain, real loss, or not distinguishable from zero."""
    if lift.lift is None or lift.lower is None or lift.upper is None:
        return f"{outcome}: no lift can be measured (a group is empty)"
    span = f"{lift.lift * 100:+.1f} points (95% interval {lift.lower * 100:+.1f} to "
    span += f"{lift.upper * 100:+.1f})"
    if lift.lower > 0:
        return f"{outcome}: the campaign raised it by {span}"
    if lift.upper < 0:
        return f"{outcome}: the campaign lowered it by {span}"
    return f"{outcome}: lift {span} is not distinguishable from zero"


def lift_table(outcomes: pd.DataFrame, names: tuple[str, ...]) -> pd.DataFrame:
    """Per outcome in ``names``: counts and rates per arm, lift, interval and verdict.

    ``outcomes``: one row per member with ``arm`` (``treated``/``control``) and a
    boolean column per outcome; a missing value (NA) means the outcome does not
    apply to that member (e.g. "returned to an earlier stage" for a member who
    was not lapsed) and leaves him out of that outcome's groups.
    """
    missing = [c for c in ("arm", *names) if c not in outcomes.columns]
    if missing:
        raise MissingColumnsError("campaign outcomes", missing, list(outcomes.columns))
    rows = []
    for name in names:
        col = outcomes[["arm", name]].dropna()
        t = col.loc[col["arm"] == "treated", name].astype(bool)
        c = col.loc[col["arm"] == "control", name].astype(bool)
        lift = newcombe(int(t.sum()), len(t), int(c.sum()), len(c))
        rows.append(
            {
                "outcome": name,
                "treated": int(t.sum()),
                "treated_n": len(t),
                "treated_rate": t.mean() if len(t) else None,
                "control": int(c.sum()),
                "control_n": len(c),
                "control_rate": c.mean() if len(c) else None,
                "lift": lift.lift,
                "lower": lift.lower,
                "upper": lift.upper,
                "verdict": verdict(name, lift),
            }
        )
    return pd.DataFrame(rows, columns=list(LIFT_COLUMNS))
