"""How big a segment is and what it is worth, with a warning when it is too small or everyone.

"Nothing is worse than the assumption that anyone can be your client": a niche
must be big enough to deserve a message of its own (default: 50 customers,
``[audience] min_segment_size``) and narrower than the whole list (default:
at most 95%, ``max_segment_share``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from retain.errors import InvalidInputError

__all__ = ["DEFAULTS", "SegmentSize", "compare_segments", "segment_size"]

#: the ``[audience]`` section of retain.toml
DEFAULTS: dict[str, Any] = {
    "min_segment_size": 50,
    "max_segment_share": 0.95,
    "competitors": [],
    "competitor_domains": [],
    "competitor_match": 90,
    "dedupe_min_score": 0.5,
    "default_region": None,
}


@dataclass(frozen=True)
class SegmentSize:
    """Size and worth of a segment among ``total`` customers.

    ``share``, ``revenue_share`` and ``value_share`` are fractions 0-1;
    ``revenue`` (net, up to as_of) and ``clv`` (next 12 months) in currency units.
    """

    customers: int
    total: int
    share: float
    revenue: float
    revenue_share: float
    clv: float
    value_share: float
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The figures as a plain dict (warnings joined by '; ')."""
        out = dict(self.__dict__)
        out["warnings"] = "; ".join(self.warnings)
        return out


def _share(part: float, whole: float) -> float:
    return float(part / whole) if whole else 0.0


def segment_size(
    frame: pd.DataFrame,
    mask: Any,
    *,
    min_size: int = 50,
    max_share: float = 0.95,
) -> SegmentSize:
    """Size, share of customers, of revenue and of predicted value of the rows in ``mask``.

    ``frame``: the audience table (:func:`retain.audience.audience_frame`, with
    ``revenue`` and ``clv``); ``mask``: one boolean per row. Warns when the
    segment has fewer than ``min_size`` customers or at least ``max_share`` of them.
    """
    selected = np.asarray(mask, dtype=bool)
    if selected.shape != (len(frame),):
        raise InvalidInputError(f"mask has {selected.size} values for {len(frame)} customers")
    if min_size < 0 or not 0 < max_share <= 1:
        raise InvalidInputError("min_size must be >= 0 and max_share within (0, 1]")
    n, total = int(selected.sum()), len(frame)
    revenue = frame["revenue"].astype(float).fillna(0.0).to_numpy()
    clv = frame["clv"].astype(float).fillna(0.0).to_numpy()
    warnings = []
    if n == 0:
        warnings.append("empty: no customer matches")
    elif n < min_size:
        warnings.append(
            f"too small: {n} customers, fewer than {min_size}; a niche this small is rarely "
            "worth a message of its own (merge it with a neighbour or widen the filter)"
        )
    if total and n / total >= max_share:
        warnings.append(
            f"everyone: {n / total:.0%} of the customers; this is not a niche, narrow the filter"
        )
    return SegmentSize(
        customers=n,
        total=total,
        share=_share(n, total),
        revenue=float(revenue[selected].sum()),
        revenue_share=_share(revenue[selected].sum(), revenue.sum()),
        clv=float(clv[selected].sum()),
        value_share=_share(clv[selected].sum(), clv.sum()),
        warnings=warnings,
    )


def compare_segments(frame: pd.DataFrame, masks: dict[str, Any]) -> pd.DataFrame:
    """Per segment side by side: size, NPS, CLV, retention and stage mix.

    Columns: ``segment``, ``customers``, ``share`` (0-1), ``nps`` (-100..100 of
    the latest answers; missing when nobody answered), ``nps_answers``,
    ``mean_clv`` (currency units), ``repeat_rate`` (buyers with two or more
    purchase days / buyers), ``retained`` (buyers now new, active or loyal /
    buyers), then one ``stage_<name>`` share per life-cycle stage.
    """
    from retain.analytics import STAGES
    from retain.voice import nps

    rows = []
    for name, mask in masks.items():
        sel = frame[np.asarray(mask, dtype=bool)]
        buyers = sel[sel["purchases"] > 0]
        scores = sel["nps"].dropna().astype(int).to_numpy()
        row: dict[str, Any] = {
            "segment": name,
            "customers": len(sel),
            "share": _share(len(sel), len(frame)),
            "nps": nps(scores).score if len(scores) else None,
            "nps_answers": len(scores),
            "mean_clv": float(sel["clv"].mean()) if sel["clv"].notna().any() else None,
            "repeat_rate": _share((buyers["purchases"] >= 2).sum(), len(buyers)),
            "retained": _share(buyers["stage"].isin(("new", "active", "loyal")).sum(), len(buyers)),
        }
        for stage in STAGES:
            row[f"stage_{stage}"] = _share((sel["stage"] == stage).sum(), len(sel))
        rows.append(row)
    return pd.DataFrame(rows)
