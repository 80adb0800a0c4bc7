"""Campaigns: an audience, a template, a channel, a held-out control group, a send log.

:func:`create_campaign` finds the audience (stage, segment, plan rule or a
list of customers), drops everyone the consent gate would never allow
(do-not-contact, withdrawn consent, unsubscribed, excluded), and draws the
control group at random (``control_share``, ``seed``) among the rest, so the
two arms are comparable. The control group is never sent anything.
Treated customers who are capped or quiet on the day stay in the treated
arm (intent to treat) with a ``skipped`` row in the send log.

Sending, exporting and single messages are in :mod:`retain.outreach.sending`.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from retain import analytics
from retain.errors import InvalidInputError, NotFoundError
from retain.outreach.consent import decide, excluded_ids
from retain.outreach.facts import stages_at
from retain.outreach.templates import Rendered, check, customer_fields, render
from retain.outreach.unsubscribe import unsubscribe_token, unsubscribe_url
from retain.store import Store
from retain.store import outreach as db

AUDIENCE_KEYS = ("stage", "segment", "rule", "customers")
CAMPAIGN_CHANNELS = ("email", "csv")


def draw_control(customer_ids: list[int], share: float, seed: int) -> tuple[list[int], list[int]]:
    """Split customers at random into (treated, control), ``round(share * n)`` in control.

    Repeatable: the same ids, share and seed give the same split.
    """
    if not 0 <= share < 1:
        raise InvalidInputError(f"control share {share!r}: use a share from 0 up to (not) 1")
    ids = np.array(sorted({int(c) for c in customer_ids}), dtype="int64")
    order = np.random.default_rng(seed).permutation(len(ids))
    k = round(share * len(ids))
    control = sorted(ids[order[:k]].tolist())
    treated = sorted(ids[order[k:]].tolist())
    return treated, control


def _stages(store: Store, day: Any, lifecycle: dict[str, Any] | None) -> pd.DataFrame:
    s = stages_at(store, day, lifecycle)
    return s[["customer_id", "stage", "substage"]].astype({"customer_id": "int64"})


def audience_ids(
    store: Store,
    audience: dict[str, Any],
    *,
    now: datetime,
    cfg: dict[str, Any],
    lifecycle: dict[str, Any] | None = None,
    stages: pd.DataFrame | None = None,
) -> list[int]:
    """The customers of ``audience`` at ``now`` (every criterion given must hold).

    ``stage``: ``lapsed`` or ``lapsed/short_term`` (a list for several);
    ``segment``: a saved segment of ``retain.audience``; ``rule``: a plan rule
    (e.g. ``win_back``); ``customers``: external ids.
    """
    unknown = sorted(set(audience) - set(AUDIENCE_KEYS))
    given = {k: v for k, v in audience.items() if v}
    if unknown or not given:
        raise InvalidInputError(
            f"an audience needs at least one of {', '.join(AUDIENCE_KEYS)}"
            + (f" (unknown: {', '.join(unknown)})" if unknown else "")
        )
    sets: list[set[int]] = []
    if "customers" in given:
        wanted = [str(x) for x in given["customers"]]
        found = db.customer_ids_by_external(store, wanted)
        missing = [x for x in wanted if x not in found]
        if missing:
            raise NotFoundError(f"no customer(s) {', '.join(missing[:5])}: use external ids")
        sets.append(set(found.values()))
    if "stage" in given:
        stages = _stages(store, now.date(), lifecycle) if stages is None else stages
        wanted = [given["stage"]] if isinstance(given["stage"], str) else list(given["stage"])
        keep = pd.Series(False, index=stages.index)
        for w in wanted:
            stage, _, sub = str(w).partition("/")
            if stage not in analytics.STAGES:
                raise InvalidInputError(f"unknown stage {stage!r}: use one of {analytics.STAGES}")
            hit = stages["stage"] == stage
            keep |= hit & (stages["substage"] == sub) if sub else hit
        sets.append(set(stages.loc[keep, "customer_id"]))
    if "rule" in given:
        from retain.outreach.facts import customer_facts
        from retain.outreach.rules import RULES

        if given["rule"] not in RULES:
            raise InvalidInputError(f"unknown rule {given['rule']!r}: use one of {list(RULES)}")
        facts = customer_facts(store, now, cfg, lifecycle)
        sets.append(set(RULES[given["rule"]](facts, now.date(), cfg)["customer_id"]))
    if "segment" in given:
        try:
            from retain.audience import segment_members  # type: ignore[attr-defined]
        except ImportError:
            raise InvalidInputError(
                "segments need retain.audience, not installed here; use stage, rule or customers"
            ) from None
        sets.append({int(x) for x in segment_members(store, given["segment"], now)})
    return sorted(set.intersection(*sets))


def _never(store: Store, ids: list[int], cfg: dict[str, Any], now: datetime) -> set[int]:
    """Customers the gate would never let an e-mail campaign reach (consent, not caps)."""
    people = db.customers(store, ids)
    table = decide(
        people,
        pd.DataFrame(columns=["customer_id", "channel", "occurred_at"]),
        db.suppressions(store),
        set(),
        channel="email",
        purpose="marketing",
        now=now,
        cfg=cfg,
        excluded=excluded_ids(store),
    )
    return set(table.loc[~table["allowed"], "customer_id"].astype(int))


def create_campaign(
    store: Store,
    *,
    name: str,
    subject: str,
    body: str,
    audience: dict[str, Any],
    now: datetime,
    cfg: dict[str, Any],
    channel: str = "email",
    control_share: float | None = None,
    seed: int | None = None,
    scheduled_at: datetime | None = None,
    window_days: int | None = None,
    lifecycle: dict[str, Any] | None = None,
    by: str | None = None,
) -> dict[str, Any]:
    """Create a campaign and draw its treated and control arms; returns the campaign row."""
    if channel not in CAMPAIGN_CHANNELS:
        raise InvalidInputError(f"unknown channel {channel!r}: use email (SMTP) or csv (export)")
    if not name.strip():
        raise InvalidInputError("a campaign needs a name")
    check(subject, body)
    share = float(cfg["control_share"] if control_share is None else control_share)
    seed = int(secrets.randbits(31) if seed is None else seed)
    stages = _stages(store, now.date(), lifecycle)
    ids = audience_ids(store, audience, now=now, cfg=cfg, lifecycle=lifecycle, stages=stages)
    ids = sorted(set(ids) - _never(store, ids, cfg, now))
    if not ids:
        raise InvalidInputError(
            "the audience is empty once do-not-contact, withdrawn consent and unsubscribes are "
            "left out; widen it"
        )
    treated, control = draw_control(ids, share, seed)
    cid = db.create_campaign(
        store,
        {
            "name": name.strip(),
            "channel": channel,
            "subject": subject,
            "body": body,
            "audience": audience,
            "control_share": share,
            "seed": seed,
            "status": "scheduled" if scheduled_at else "draft",
            "outcome_window_days": int(window_days or cfg["outcome_window_days"]),
            "scheduled_at": scheduled_at,
            "created_by": by,
            "created_at": now,
        },
    )
    stages = stages.set_index("customer_id")
    rows = []
    for arm, members in (("treated", treated), ("control", control)):
        for m in members:
            st = stages["stage"].get(m)
            sub = stages["substage"].get(m)
            rows.append(
                {
                    "campaign_id": cid,
                    "customer_id": m,
                    "arm": arm,
                    "stage": st if isinstance(st, str) else None,
                    "substage": sub if isinstance(sub, str) and sub else None,
                    "assigned_at": now,
                }
            )
    db.insert_members(store, rows)
    return db.campaign(store, cid)


def message_for(
    camp: dict[str, Any], person: dict[str, Any], cfg: dict[str, Any], secret: str
) -> tuple[Rendered, str]:
    """One customer's rendered message and unsubscribe link (``person``: a customer row)."""
    token = unsubscribe_token(person["customer_id"], person.get("email"), camp["id"], secret=secret)
    url = unsubscribe_url(cfg["unsubscribe_url"], token)
    return render(camp["subject"], camp["body"], customer_fields(person, unsubscribe_url=url)), url


def preview(
    store: Store,
    ref: int | str,
    *,
    cfg: dict[str, Any],
    secret: str,
    customers: list[str] | None = None,
    limit: int = 3,
) -> list[dict[str, Any]]:
    """The message as real treated customers would get it (first ``limit``, or ``customers``)."""
    camp = db.campaign(store, ref)
    m = db.members(store, camp["id"])
    ids = m.loc[m["arm"] == "treated", "customer_id"].astype(int).tolist()
    if customers:
        found = db.customer_ids_by_external(store, customers)
        ids = [found[c] for c in customers if c in found]
    people = db.customers(store, ids[: max(1, limit)] if not customers else ids)
    out = []
    for person in people.to_dict("records"):
        msg, url = message_for(camp, person, cfg, secret)
        out.append(
            {
                "customer_id": person["external_id"],
                "email": person["email"],
                "subject": msg.subject,
                "text": msg.text,
                "html": msg.html,
                "unsubscribe_url": url,
            }
        )
    return out


def record_bounce(
    store: Store, email: str, *, reason: str, now: datetime, campaign: int | str | None = None
) -> int:
    """Record a bounce reported later (a DSN) for ``email``: logged, address suppressed.

    Returns how many customers have that address.
    """
    people = db.customers(store)
    hit = people[people["email"].fillna("").str.lower() == email.strip().lower()]
    if hit.empty:
        raise NotFoundError(f"no customer has the address {email!r}")
    camp_id = db.campaign(store, campaign)["id"] if campaign is not None else None
    for cid in hit["customer_id"]:
        db.record_bounce(
            store, customer_id=int(cid), email=email, reason=reason, at=now, campaign_id=camp_id
        )
    return len(hit)
