"""When each customer buys: a buy-till-you-die process, and a winter-only variant.

The process is MBG/NBD (Batislam, Denizel and Filiztekin 2007, "Empirical validation and
comparison of models for customer base analysis", IJRM 24(3)), the BG/NBD of Fader, Hardie
and Lee (2005, "Counting your customers the easy way", Marketing Science 24(2)) with a dropout
chance after the first purchase too: while alive a customer buys as a Poisson process with
rate ``lambda`` per day, ``lambda ~ Gamma(r, alpha)`` (shape r, rate alpha, so
``E[lambda] = r / alpha``); after every purchase, the first included, he drops out for good
with probability ``p ~ Beta(a, b)``. The first purchase is at acquisition (the model's time 0).
So one-off buyers can be gone, as in a real shop. (Under plain BG/NBD nobody drops out before
a repeat purchase; fitting BG/NBD to these data gives r and alpha near 0.5 and 41 instead of
0.9 and 60, while an MBG/NBD fit recovers them.)

Simulation without a loop over purchases: the number of purchases before dropout is
``K ~ Geometric(p)`` (the last one included); the number of repeat purchases a customer would
make in his window if he never dropped out is ``M ~ Poisson(lambda * window)``, and given
``M`` their times are uniform order statistics. He keeps the first ``min(M, K - 1)`` of
them (drawn directly as normalised exponential spacings) and is alive at the end when
``K > M + 1``; otherwise he dropped out right after his last purchase.

Seasonal customers (the winter category) buy once per winter, November to February, while
alive, and drop out after each purchase with probability ``p``; now and then they buy a second
time in the same winter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from retain.demo.timeline import Period, at_daytime, day_of, group_starts, local_datetimes

SEASONAL_EXTRA_SHARE = 0.1


@dataclass
class Purchases:
    """Purchase times of a set of customers.

    ``customer`` and ``day`` have one entry per purchase (customer position, float days since
    the period start); ``alive`` and ``dropout_day`` one per customer (``dropout_day`` is the
    time of the last purchase for those who dropped out, NaN for the alive).
    """

    customer: np.ndarray
    day: np.ndarray
    alive: np.ndarray
    dropout_day: np.ndarray


def _group_sums(values: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Running sum within each group of stacked rows, and each group's total."""
    padded = np.concatenate([[0.0], np.cumsum(values)])
    starts = group_starts(counts)
    ends = starts + counts
    within = padded[1:] - np.repeat(padded[starts], counts)
    return within, padded[ends] - padded[starts]


def mbg_nbd_purchases(
    rng: np.random.Generator,
    first_day: np.ndarray,
    horizon: float,
    lam: np.ndarray,
    p_drop: np.ndarray,
) -> Purchases:
    """Purchases of MBG/NBD customers whose first purchase is at ``first_day`` (float days).

    ``lam`` is the purchase rate per day and ``p_drop`` the dropout probability after each
    purchase; nothing happens at or after ``horizon`` (days since the period start). Repeat
    purchases are moved to a daytime moment of the same day (never before the first purchase).
    """
    n = len(first_day)
    window = horizon - first_day
    would_buy = rng.poisson(lam * window)
    purchases_until_dropout = rng.geometric(np.clip(p_drop, 1e-12, 1.0))
    kept = np.minimum(would_buy, purchases_until_dropout - 1)
    alive = purchases_until_dropout > would_buy + 1

    spacing = rng.exponential(size=int(kept.sum()))
    running, total = _group_sums(spacing, kept)
    # The (M+1)-th spacing sum: the kept part plus a Gamma for the spacings not drawn.
    total = total + rng.gamma(would_buy - kept + 1.0)
    owner = np.repeat(np.arange(n), kept)
    repeat_day = first_day[owner] + window[owner] * running / total[owner]
    moved = at_daytime(rng, repeat_day)
    repeat_day = np.where(moved > first_day[owner], moved, repeat_day)

    customer = np.concatenate([np.arange(n), owner])
    day = np.concatenate([first_day, repeat_day])
    last = first_day.copy()
    np.maximum.at(last, owner, repeat_day)
    dropout_day = np.where(alive, np.nan, last)
    return Purchases(customer=customer, day=day, alive=alive, dropout_day=dropout_day)


def _season_year(period: Period, days: np.ndarray) -> np.ndarray:
    """The winter each time belongs to, named by the year its November falls in."""
    local = local_datetimes(period, days)
    year = local.astype("datetime64[Y]").astype(np.int64) + 1970
    month = local.astype("datetime64[M]").astype(np.int64) % 12 + 1
    return year - (month < 11)


def _winter_bounds(period: Period, years: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First day (1 November) and end (1 March) of the winters named by ``years``."""
    low = int(years.min()) if len(years) else period.start.year
    high = int(years.max()) if len(years) else period.start.year
    span = np.arange(low, high + 1)
    opens = np.array([day_of(period, dt.date(int(y), 11, 1)) for y in span], dtype=float)
    closes = np.array([day_of(period, dt.date(int(y) + 1, 3, 1)) for y in span], dtype=float)
    return opens[years - low], closes[years - low]


def winter_purchases(
    rng: np.random.Generator,
    period: Period,
    first_day: np.ndarray,
    p_drop: np.ndarray,
) -> Purchases:
    """Purchases of seasonal customers whose first purchase (in a winter) is at ``first_day``.

    One purchase per later winter while alive (uniform over November to February), a dropout
    chance ``p_drop`` after each; ``SEASONAL_EXTRA_SHARE`` of the purchases after which the
    customer stays get a second purchase later in the same winter.
    """
    n = len(first_day)
    horizon = float(period.days)
    first_season = _season_year(period, first_day)
    last_season = (
        period.end.year if period.end > dt.date(period.end.year, 11, 1) else (period.end.year - 1)
    )
    later_winters = np.maximum(last_season - first_season, 0)
    purchases_until_dropout = rng.geometric(np.clip(p_drop, 1e-12, 1.0))
    planned = np.minimum(later_winters, purchases_until_dropout - 1)

    owner = np.repeat(np.arange(n), planned)
    rank = np.arange(len(owner)) - np.repeat(group_starts(planned), planned)
    years = first_season[owner] + rank + 1
    opens, closes = _winter_bounds(period, years)
    day = at_daytime(rng, opens + rng.random(len(owner)) * (closes - opens))
    happened = day < horizon
    owner, day, rank = owner[happened], day[happened], rank[happened]
    made = np.bincount(owner, minlength=n)  # later purchases that happened
    alive = purchases_until_dropout - 1 > made

    customer = np.concatenate([np.arange(n), owner])
    days = np.concatenate([first_day, day])
    position = np.concatenate([np.zeros(n, np.int64), rank + 1])  # 0 = first purchase
    stays = position + 1 < purchases_until_dropout[customer]
    extra = stays & (rng.random(len(days)) < SEASONAL_EXTRA_SHARE)
    season_end = _winter_bounds(period, _season_year(period, days[extra]))[1]
    extra_day = at_daytime(rng, days[extra] + rng.random(extra.sum()) * (season_end - days[extra]))
    fits = (extra_day > days[extra]) & (extra_day < np.minimum(season_end, horizon))
    customer = np.concatenate([customer, customer[extra][fits]])
    days = np.concatenate([days, extra_day[fits]])

    last = np.full(n, -np.inf)
    np.maximum.at(last, customer, days)
    dropout_day = np.where(alive, np.nan, last)
    return Purchases(customer=customer, day=days, alive=alive, dropout_day=dropout_day)
