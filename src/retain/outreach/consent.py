"""The consent gate: the one place that decides whether a customer may be contacted.

Every path that reaches a customer (campaign send, single send, CSV export,
the action plan) asks :func:`clear` and only contacts the customers it
allows; :mod:`retain.outreach.delivery` refuses a recipient that has no
clearance. The checks, in order (the first that fails is the reason):

1. merged duplicate or excluded (confirmed competitor, ``retain.audience``);
2. do-not-contact (with its reason) and let go;
3. withdrawn consent (``email_consent`` False): no e-mail at all, and no
   marketing on any channel;
4. a suppression (unsubscribe link, hard bounce) for the channel;
5. e-mail only: no address, or no explicit yes when ``email_requires_opt_in``;
6. marketing only: an open case (``quiet_while_case_open``);
7. quiet period: any outbound contact in the last ``quiet_after_contact_days``;
8. frequency cap: ``cap_<channel>`` outbound contacts in ``cap_<channel>_days``;
9. quiet hours (sending only): nobody is contacted inside ``quiet_hours``.

Nothing here overrides 1-4: there is no "force" option.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pandas as pd

from retain.errors import InvalidInputError
from retain.outreach.settings import CHANNELS, quiet_window
from retain.store import Store
from retain.store import outreach as db

PURPOSES = ("marketing", "service")


@dataclass(frozen=True)
class Clearance:
    """The gate's answer for some customers on one channel at one time.

    ``allowed``: customer ids that may be contacted; ``blocked``: customer id ->
    the reason a person can read.
    """

    channel: str
    purpose: str
    at: datetime
    allowed: frozenset[int]
    blocked: dict[int, str] = field(default_factory=dict)

    def allows(self, customer_id: int) -> bool:
        """True if this clearance lets ``customer_id`` be contacted."""
        return int(customer_id) in self.allowed


def quiet_until(now: datetime, quiet_hours: str, tz: ZoneInfo) -> datetime | None:
    """The end of the quiet hours ``now`` falls in (UTC), or None outside them."""
    window = quiet_window(quiet_hours)
    if window is None:
        return None
    start, end = window
    local = now.astimezone(tz)
    minute = local.hour * 60 + local.minute
    inside = start <= minute < end if start < end else (minute >= start or minute < end)
    if not inside:
        return None
    day = local.date() if minute < end else local.date() + timedelta(days=1)
    finish = datetime.combine(day, time(end // 60, end % 60), tzinfo=tz)
    return finish.astimezone(now.tzinfo)


def decide(
    people: pd.DataFrame,
    contacts: pd.DataFrame,
    suppressed: pd.DataFrame,
    open_case_customers: set[int],
    *,
    channel: str,
    purpose: str,
    now: datetime,
    cfg: dict,
    excluded: set[int] | frozenset[int] = frozenset(),
) -> pd.DataFrame:
    """Per customer of ``people``: ``customer_id, allowed, reason`` (pure; see module doc).

    ``people``: rows of :data:`retain.store.outreach.CUSTOMER_COLUMNS`;
    ``contacts``: outbound interactions ``customer_id, channel, occurred_at``;
    ``suppressed``: ``customer_id, email, channel, reason``.
    """
    if channel not in CHANNELS:
        raise InvalidInputError(f"unknown channel {channel!r}: use one of {', '.join(CHANNELS)}")
    if purpose not in PURPOSES:
        raise InvalidInputError(f"unknown purpose {purpose!r}: use marketing or service")
    sup_ids: dict[int, str] = {}
    sup_mail: dict[str, str] = {}
    for r in suppressed.itertuples(index=False):
        if r.channel not in (channel, "all"):
            continue
        if r.customer_id is not None and not pd.isna(r.customer_id):
            sup_ids.setdefault(int(r.customer_id), r.reason)
        if isinstance(r.email, str) and r.email:
            sup_mail.setdefault(r.email.strip().lower(), r.reason)
    quiet_days = int(cfg["quiet_after_contact_days"])
    cap, cap_days = int(cfg[f"cap_{channel}"]), int(cfg[f"cap_{channel}_days"])
    last_any: dict[int, datetime] = {}
    on_channel: dict[int, int] = {}
    if len(contacts):
        t = pd.to_datetime(contacts["occurred_at"], utc=True)
        past = contacts[t <= now].assign(_t=t[t <= now])
        last_any = past.groupby("customer_id")["_t"].max().to_dict()
        recent = past[(past["channel"] == channel) & (past["_t"] > now - timedelta(days=cap_days))]
        on_channel = recent.groupby("customer_id").size().to_dict()
    out = []
    for p in people.itertuples(index=False):
        cid = int(p.customer_id)
        reason = _hard_reason(p, channel, purpose, cfg, excluded, sup_ids, sup_mail)
        marketing = purpose == "marketing" and cfg["quiet_while_case_open"]
        if reason is None and marketing and cid in open_case_customers:
            reason = "open case: no marketing until it is resolved"
        if reason is None and cid in last_any and quiet_days > 0:
            ago = now - last_any[cid].to_pydatetime()
            if ago < timedelta(days=quiet_days):
                reason = (
                    f"quiet period: contacted {ago.days} day(s) ago "
                    f"(quiet_after_contact_days = {quiet_days})"
                )
        if reason is None and on_channel.get(cid, 0) >= cap:
            reason = (
                f"frequency cap: {on_channel[cid]} {channel} contact(s) in the last "
                f"{cap_days} days (cap {cap})"
            )
        out.append({"customer_id": cid, "allowed": reason is None, "reason": reason or ""})
    return pd.DataFrame(out, columns=["customer_id", "allowed", "reason"])


def _hard_reason(p, channel, purpose, cfg, excluded, sup_ids, sup_mail) -> str | None:
    """The never-overridden reasons: exclusion, do-not-contact, consent, suppression."""
    cid = int(p.customer_id)
    if p.merged_into_id is not None and not pd.isna(p.merged_into_id):
        return "merged into another customer"
    if p.competitor_status == "confirmed":
        return "confirmed competitor"
    if cid in excluded:
        return "excluded from outreach (retain.audience)"
    if bool(p.do_not_contact):
        why = p.do_not_contact_reason if hasattr(p, "do_not_contact_reason") else None
        return "do-not-contact" + (f": {why}" if isinstance(why, str) and why else "")
    if bool(p.let_go):
        return "let go: the business decided to end this relationship"
    consent = None if pd.isna(p.email_consent) else bool(p.email_consent)
    if consent is False and (channel == "email" or purpose == "marketing"):
        return "withdrew consent"
    email = p.email.strip().lower() if isinstance(p.email, str) and p.email.strip() else None
    if cid in sup_ids:
        return f"suppressed for {channel}: {sup_ids[cid]}"
    if channel == "email":
        if email and email in sup_mail:
            return f"address suppressed: {sup_mail[email]}"
        if email is None:
            return "no e-mail address"
        if consent is None and cfg["email_requires_opt_in"]:
            return "never opted in to e-mail (email_requires_opt_in)"
    return None


def excluded_ids(store: Store) -> set[int]:
    """Customers ``retain.audience`` excludes (competitors, merged), when it is installed."""
    try:
        from retain.audience import excluded_customer_ids  # type: ignore[attr-defined]
    except ImportError:
        return set()
    return {int(x) for x in excluded_customer_ids(store)}


def clear(
    store: Store,
    customer_ids: list[int],
    *,
    channel: str,
    purpose: str,
    now: datetime,
    cfg: dict,
    tz: ZoneInfo,
    sending: bool = True,
) -> Clearance:
    """Ask the gate about ``customer_ids`` on ``channel`` at ``now``, reading the store.

    ``sending``: also apply the quiet hours (the plan, which only lists whom to
    contact, passes False).
    """
    ids = sorted({int(x) for x in customer_ids})
    people = db.customers(store, ids)
    unknown = set(ids) - set(people["customer_id"].astype(int))
    longest = max(int(cfg["quiet_after_contact_days"]), int(cfg[f"cap_{channel}_days"]))
    contacts = db.contacts_since(store, now - timedelta(days=longest), ids)
    cases = db.open_cases(store, now)
    table = decide(
        people,
        contacts,
        db.suppressions(store),
        set(cases["customer_id"].astype(int)),
        channel=channel,
        purpose=purpose,
        now=now,
        cfg=cfg,
        excluded=excluded_ids(store),
    )
    blocked = dict(zip(table["customer_id"], table["reason"], strict=True))
    allowed = {int(c) for c, ok in zip(table["customer_id"], table["allowed"], strict=True) if ok}
    for cid in allowed:
        blocked.pop(cid, None)
    for cid in unknown:
        blocked[cid] = "unknown customer"
    if sending and allowed:
        until = quiet_until(now, cfg["quiet_hours"], tz)
        if until is not None:
            for cid in allowed:
                blocked[cid] = f"quiet hours until {until.astimezone(tz):%H:%M} (quiet_hours)"
            allowed = set()
    return Clearance(channel, purpose, now, frozenset(allowed), blocked)
