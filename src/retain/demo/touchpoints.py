"""Touchpoints of the demo business: newsletters opened, support questions, shop visits,
review requests, complaints and their follow-ups.

Everything is built as flat arrays (one entry per interaction) and joined into one table;
times are float days since the period start (see :mod:`retain.demo.timeline`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from retain.demo import names
from retain.demo.complaints import Complaints
from retain.demo.timeline import Period, at_daytime, local_datetimes

NEWSLETTER_OPENS_PER_DAY_ALIVE = 0.15 / 30.0
NEWSLETTER_OPENS_PER_DAY_GONE = 0.02 / 30.0
SUPPORT_QUESTION_SHARE = 0.06  # of orders
STORE_VISIT_SHARE = 0.6  # of in-store orders
REVIEW_REQUEST_SHARE = 0.1  # of online orders

COLUMNS = ("customer", "day", "channel", "direction", "kind", "note", "by_whom")


def _part(customer, day, channel, direction, kind, note, by_whom) -> pd.DataFrame:
    n = len(customer)

    def fill(value):
        return np.full(n, value, dtype=object) if isinstance(value, str) else value

    return pd.DataFrame(
        {
            "customer": customer,
            "day": day,
            "channel": fill(channel),
            "direction": fill(direction),
            "kind": fill(kind),
            "note": fill(note),
            "by_whom": fill(by_whom),
        }
    )


def _choice(rng: np.random.Generator, options: tuple, n: int) -> np.ndarray:
    return np.asarray(options, dtype=object)[rng.integers(0, len(options), n)]


def newsletter_opens(
    rng: np.random.Generator,
    period: Period,
    created_day: np.ndarray,
    dropout_day: np.ndarray,
    reachable: np.ndarray,
) -> pd.DataFrame:
    """Newsletters opened by reachable people: often while alive, rarely after dropping out."""
    horizon = float(period.days)
    begin = np.floor(created_day) + 1.0
    gone = np.where(np.isnan(dropout_day), horizon, np.maximum(dropout_day, begin))
    alive_span = np.where(reachable, np.maximum(gone - begin, 0.0), 0.0)
    dead_span = np.where(reachable, np.maximum(horizon - gone, 0.0), 0.0)
    n_alive = rng.poisson(alive_span * NEWSLETTER_OPENS_PER_DAY_ALIVE)
    n_dead = rng.poisson(dead_span * NEWSLETTER_OPENS_PER_DAY_GONE)
    who_a = np.repeat(np.arange(len(created_day)), n_alive)
    who_d = np.repeat(np.arange(len(created_day)), n_dead)
    day = np.concatenate(
        [
            begin[who_a] + rng.random(len(who_a)) * alive_span[who_a],
            gone[who_d] + rng.random(len(who_d)) * dead_span[who_d],
        ]
    )
    day = np.minimum(at_daytime(rng, day), horizon - 1.0 / 24.0)
    issue = np.datetime_as_string(local_datetimes(period, day).astype("datetime64[M]"))
    note = pd.Series(issue, dtype=object).radd("newsletter ").to_numpy()
    return _part(
        np.concatenate([who_a, who_d]), day, "newsletter", "outbound", "newsletter_open", note, ""
    )


def order_touchpoints(
    rng: np.random.Generator,
    horizon: float,
    created_day: np.ndarray,
    order_customer: np.ndarray,
    order_day: np.ndarray,
    order_channel: np.ndarray,
) -> list[pd.DataFrame]:
    """Support questions after orders, shop visits with in-store orders, review requests."""
    parts = []
    n = len(order_day)
    asks = rng.random(n) < SUPPORT_QUESTION_SHARE
    day = at_daytime(rng, order_day[asks] + rng.uniform(0.0, 6.0, asks.sum()))
    day = np.where(day > order_day[asks], day, order_day[asks] + 0.5 / 24.0)
    ok = day < horizon
    k = int(ok.sum())
    parts.append(
        _part(
            order_customer[asks][ok],
            day[ok],
            _choice(rng, ("email", "phone", "chat"), k),
            "inbound",
            "support_question",
            _choice(rng, names.SUPPORT_QUESTIONS, k),
            _choice(rng, names.STAFF, k),
        )
    )
    visits = (order_channel == "store") & (rng.random(n) < STORE_VISIT_SHARE)
    before = rng.uniform(5.0, 40.0, visits.sum()) / 1440.0
    day = np.maximum(order_day[visits] - before, created_day[order_customer[visits]])
    parts.append(_part(order_customer[visits], day, "visit", "inbound", "visit", "", ""))
    asked = (order_channel == "online") & (rng.random(n) < REVIEW_REQUEST_SHARE)
    day = at_daytime(rng, order_day[asked] + 3.0)
    ok = day < horizon
    parts.append(
        _part(
            order_customer[asked][ok],
            day[ok],
            "email",
            "outbound",
            "review_request",
            "please review your order",
            "",
        )
    )
    return parts


def complaint_touchpoints(
    rng: np.random.Generator, horizon: float, complaints: Complaints
) -> list[pd.DataFrame]:
    """The complaint itself (inbound) and the follow-up (``resolved: ...`` or still open)."""
    who = np.flatnonzero(complaints.complained)
    k = len(who)
    topic = _choice(rng, names.COMPLAINT_TOPICS, k)
    staff = _choice(rng, names.STAFF, k)
    parts = [
        _part(
            who,
            complaints.day[who],
            _choice(rng, ("email", "phone", "chat"), k),
            "inbound",
            "complaint",
            topic,
            staff,
        )
    ]
    solved = complaints.resolved[who]
    note = "resolved: " + pd.Series(_choice(rng, names.RESOLUTIONS, k), dtype=object)
    parts.append(
        _part(
            who[solved],
            complaints.resolved_day[who][solved],
            _choice(rng, ("phone", "email"), int(solved.sum())),
            "outbound",
            "follow_up",
            note[solved].to_numpy(),
            staff[solved],
        )
    )
    # Some open complaints got a follow-up that did not resolve them.
    pending = ~solved & (rng.random(k) < 0.4)
    day = at_daytime(rng, complaints.day[who] + rng.uniform(0.0, 3.0, k))
    day = np.where(day > complaints.day[who], day, complaints.day[who] + 1.0 / 24.0)
    pending &= day < horizon
    day = day[pending]
    parts.append(
        _part(
            who[pending],
            day,
            "phone",
            "outbound",
            "follow_up",
            "open: customer not reached, will call again",
            staff[pending],
        )
    )
    return parts
