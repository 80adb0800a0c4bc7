"""Proof: what a campaign changed, treated against its held-out control group.

Outcomes, per member, in the window ``(start, start + outcome_window_days]``
where ``start`` is when the campaign went out (its creation for a campaign
not sent yet):

- ``repurchase``: at least one order (not cancelled) in the window;
- ``returned``: a member who was lapsed or inactive when drawn is new,
  active or loyal at the end of the window (members who were not lapsed
  are left out of this outcome);
- ``response``: any inbound interaction (an unsubscribe does not count) or
  feedback in the window.

Every member counts in the arm he was drawn into, sent or not (intent to
treat), so the comparison stays randomised.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pandas as pd

from retain.outreach.campaigns import _stages
from retain.outreach.lift import lift_table
from retain.store import Store
from retain.store import outreach as db
from retain.store import voice as voice_db

OUTCOMES = ("repurchase", "returned", "response")
EARLIER = {"new", "active", "loyal"}
SLIPPED = {"lapsed", "inactive"}


@dataclass(frozen=True)
class CampaignReport:
    """A campaign's send counts, its lift table and the plain-language summary."""

    campaign: str
    start: datetime
    end: datetime
    complete: bool
    sends: dict[str, int]
    lifts: pd.DataFrame

    def lines(self) -> list[str]:
        """The report as sentences a person can read."""
        out = [
            f"campaign {self.campaign}: outcomes from {self.start:%Y-%m-%d} to {self.end:%Y-%m-%d}"
            + ("" if self.complete else " (window not over yet: figures can still change)"),
            "send log: " + (", ".join(f"{k} {v}" for k, v in sorted(self.sends.items())) or "none"),
        ]
        out += list(self.lifts["verdict"])
        return out


def member_outcomes(
    members: pd.DataFrame,
    orders: pd.DataFrame,
    responses: pd.DataFrame,
    end_stages: pd.DataFrame,
    *,
    start: datetime,
    end: datetime,
) -> pd.DataFrame:
    """Per member: ``arm`` and the three outcomes (pure; see module doc).

    ``members``: ``customer_id, arm, stage``; ``orders``: ``customer_id, ordered_at``;
    ``responses``: ``customer_id, at``; ``end_stages``: ``customer_id, stage`` at ``end``.
    """
    m = members[["customer_id", "arm", "stage"]].copy()
    t = pd.to_datetime(orders["ordered_at"], utc=True)
    window = (t > pd.Timestamp(start)) & (t <= pd.Timestamp(end))
    bought = set(orders.loc[window, "customer_id"].astype(int))
    r = pd.to_datetime(responses["at"], utc=True) if len(responses) else pd.Series([], dtype=object)
    spoke = (
        set(
            responses.loc[
                (r > pd.Timestamp(start)) & (r <= pd.Timestamp(end)), "customer_id"
            ].astype(int)
        )
        if len(responses)
        else set()
    )
    after = dict(zip(end_stages["customer_id"].astype(int), end_stages["stage"], strict=True))
    m["repurchase"] = m["customer_id"].isin(bought)
    m["response"] = m["customer_id"].isin(spoke)
    returned = [
        (after.get(int(c)) in EARLIER) if s in SLIPPED else pd.NA
        for c, s in zip(m["customer_id"], m["stage"], strict=True)
    ]
    m["returned"] = pd.array(returned, dtype="boolean")
    return m


def campaign_report(
    store: Store,
    ref: int | str,
    *,
    as_of: datetime,
    window_days: int | None = None,
    lifecycle: dict[str, Any] | None = None,
) -> CampaignReport:
    """Treated against control for campaign ``ref``, measured up to ``as_of``."""
    camp = db.campaign(store, ref)
    start = camp["started_at"] or camp["created_at"]
    days = int(window_days or camp["outcome_window_days"])
    full_end = start + timedelta(days=days)
    end = min(full_end, as_of)
    members = db.members(store, camp["id"])
    ids = members["customer_id"].astype(int).tolist()
    orders = voice_db.order_frame(store, ids)
    responses = db.responses(store, ids, start, end)
    stages = _stages(store, end.date(), lifecycle)
    outcomes = member_outcomes(members, orders, responses, stages, start=start, end=end)
    log = db.sends(store, camp["id"])
    counts = log["status"].value_counts().to_dict() if len(log) else {}
    return CampaignReport(
        campaign=camp["name"],
        start=start,
        end=end,
        complete=as_of >= full_end,
        sends={str(k): int(v) for k, v in counts.items()},
        lifts=lift_table(outcomes, OUTCOMES),
    )
