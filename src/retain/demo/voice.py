"""What the demo customers say: a yearly NPS survey and imported online reviews.

Scores follow each customer's fate: people who drop out within a year of the survey (or
whose complaint was never resolved) are mostly detractors, the others mostly promoters.
Every customer carries one planted comment theme (see ``names.THEMES``), of the bad tone for
those whose relationship ends and of the good tone for the rest (with some noise); about half
of the comments voice it, in varied wording. Some answers are low-effort ("fine", "ok").
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from retain.demo import names
from retain.demo.timeline import Period, at_daytime, day_of

SURVEY_MONTH_DAY = (3, 10)  # the survey goes out every year on 10 March
SURVEY_RESPONSE_RATE = 0.25
SURVEY_RESPONSE_RATE_GONE = 0.1
REVIEW_SHARE = 0.05  # of buyers leave one online review
THEME_NOISE = 0.15  # chance a customer's theme has the tone opposite to his fate

# NPS score weights 0..10: fate bad (about 55% detractors) and good (about 60% promoters).
NPS_BAD = np.array([4, 3, 4, 6, 7, 9, 12, 13, 12, 6, 4], dtype=float)
NPS_GOOD = np.array([0.5, 0.5, 0.5, 1, 1, 2, 4, 12, 18, 28, 32], dtype=float)
STARS_BAD = np.array([30, 20, 22, 17, 11], dtype=float)
STARS_GOOD = np.array([2, 3, 8, 27, 60], dtype=float)

THEME_NAMES = tuple(names.THEMES)
_BAD = [i for i, t in enumerate(THEME_NAMES) if names.THEMES[t][1] == "bad"]
_GOOD = [i for i, t in enumerate(THEME_NAMES) if names.THEMES[t][1] == "good"]


def assign_themes(rng: np.random.Generator, bad_fate: np.ndarray) -> np.ndarray:
    """Each person's planted theme (index into ``THEME_NAMES``), by the tone of his fate."""
    n = len(bad_fate)
    flip = rng.random(n) < THEME_NOISE
    bad_tone = bad_fate ^ flip
    bad = np.asarray(_BAD)[rng.integers(0, len(_BAD), n)]
    good = np.asarray(_GOOD)[rng.integers(0, len(_GOOD), n)]
    return np.where(bad_tone, bad, good)


def _scores(rng: np.random.Generator, bad: np.ndarray, weights_bad, weights_good, low: int):
    pb, pg = weights_bad / weights_bad.sum(), weights_good / weights_good.sum()
    draw_bad = rng.choice(len(pb), len(bad), p=pb)
    draw_good = rng.choice(len(pg), len(bad), p=pg)
    return np.where(bad, draw_bad, draw_good) + low


def _comments(rng, theme: np.ndarray, themed_share: float, low_effort_share: float):
    """Comment text, feedback category and whether the planted theme is voiced."""
    n = len(theme)
    u = rng.random(n)
    themed = u < themed_share
    low = (u >= themed_share) & (u < themed_share + low_effort_share)
    text = np.full(n, "", dtype=object)
    category = np.full(n, "", dtype=object)
    for i, name in enumerate(THEME_NAMES):
        mine = themed & (theme == i)
        wordings = np.asarray(names.THEMES[name][2], dtype=object)
        text[mine] = wordings[rng.integers(0, len(wordings), mine.sum())]
        category[mine] = names.THEMES[name][0]
    text[low] = np.asarray(names.LOW_EFFORT_COMMENTS, dtype=object)[
        rng.integers(0, len(names.LOW_EFFORT_COMMENTS), low.sum())
    ]
    other = ~themed & (rng.random(n) < 0.5)
    category[other] = np.asarray(("Service", "Support", "Product", "Delivery"), dtype=object)[
        rng.integers(0, 4, other.sum())
    ]
    return text, category, themed


def nps_surveys(
    rng: np.random.Generator,
    period: Period,
    first_day: np.ndarray,
    dropout_day: np.ndarray,
    reachable: np.ndarray,
    unresolved_complaint_day: np.ndarray,
    theme: np.ndarray,
) -> pd.DataFrame:
    """Responses to the yearly NPS survey ("NPS 2025"), sent to reachable buyers.

    ``first_day`` is NaN for people who never bought. Returns one row per response with
    ``customer``, ``day``, ``score``, ``comment``, ``category``, ``survey``, ``themed``.
    """
    horizon = float(period.days)
    parts = []
    for year in range(period.start.year, period.end.year + 1):
        sent = day_of(period, dt.date(year, *SURVEY_MONTH_DAY))
        if sent < 0 or sent >= horizon:
            continue
        invited = reachable & (first_day < sent)
        gone = dropout_day < sent
        rate = np.where(gone, SURVEY_RESPONSE_RATE_GONE, SURVEY_RESPONSE_RATE)
        who = np.flatnonzero(invited & (rng.random(len(first_day)) < rate))
        day = at_daytime(rng, sent + np.minimum(rng.exponential(4.0, len(who)), 21.0))
        keep = day < horizon
        who, day = who[keep], day[keep]
        bad = (dropout_day[who] <= sent + 365.0) | (unresolved_complaint_day[who] < sent)
        score = _scores(rng, bad, NPS_BAD, NPS_GOOD, 0)
        low_effort = np.where(bad, 0.2, 0.08)
        text, category, themed = _comments(rng, theme[who], 0.5, 0.0)
        lazy = ~themed & (rng.random(len(who)) < low_effort / 0.5)
        text[lazy] = np.asarray(names.LOW_EFFORT_COMMENTS, dtype=object)[
            rng.integers(0, len(names.LOW_EFFORT_COMMENTS), lazy.sum())
        ]
        parts.append(
            pd.DataFrame(
                {
                    "customer": who,
                    "day": day,
                    "score": score,
                    "comment": text,
                    "category": category,
                    "survey": f"NPS {year}",
                    "themed": themed,
                }
            )
        )
    if not parts:
        return pd.DataFrame(
            {
                "customer": [],
                "day": [],
                "score": [],
                "comment": [],
                "category": [],
                "survey": [],
                "themed": [],
            }
        )
    return pd.concat(parts, ignore_index=True)


def online_reviews(
    rng: np.random.Generator,
    horizon: float,
    order_customer: np.ndarray,
    order_day: np.ndarray,
    n_people: int,
    bad_fate: np.ndarray,
    theme: np.ndarray,
) -> pd.DataFrame:
    """One star review (google or trustpilot) from ``REVIEW_SHARE`` of the buyers."""
    n_orders = len(order_day)
    if n_orders == 0:
        return pd.DataFrame(
            {
                "customer": [],
                "day": [],
                "score": [],
                "comment": [],
                "category": [],
                "source": [],
                "themed": [],
            }
        )
    # One random order per reviewing buyer: shuffle, keep each customer's first.
    shuffled = rng.permutation(n_orders)
    first = np.unique(order_customer[shuffled], return_index=True)[1]
    orders = shuffled[first]
    orders = orders[rng.random(len(orders)) < REVIEW_SHARE]
    who = order_customer[orders]
    day = at_daytime(rng, order_day[orders] + rng.uniform(2.0, 14.0, len(orders)))
    keep = day < horizon
    who, day = who[keep], day[keep]
    score = _scores(rng, bad_fate[who], STARS_BAD, STARS_GOOD, 1)
    text, category, themed = _comments(rng, theme[who], 0.8, 0.1)
    source = np.where(rng.random(len(who)) < 0.6, "google", "trustpilot").astype(object)
    return pd.DataFrame(
        {
            "customer": who,
            "day": day,
            "score": score,
            "comment": text,
            "category": category,
            "source": source,
            "themed": themed,
        }
    )
