"""What each demo order is: category, amount, cost, channel, refund status.

Spend follows the Gamma-Gamma model (Fader, Hardie and Lee 2005, "RFM and CLV: using
iso-value curves", Journal of Marketing Research 42(4)): a customer's order values are
``Gamma(p, nu)`` (shape p, rate nu, mean ``p / nu``) with ``nu ~ Gamma(q, v)`` across
customers (rate v), so the average customer mean is ``p v / (q - 1)``. Each category scales
the value by its spend factor (a Gamma-Gamma with ``v`` times that factor within the category).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from retain.demo import names

REGULAR = tuple(names.CATEGORIES)
CATEGORY_NAMES = (*REGULAR, names.SEASONAL_CATEGORY)
SEASONAL_INDEX = len(REGULAR)
SPEND_FACTOR = np.array([f for _, f in names.CATEGORIES.values()] + [names.SEASONAL_SPEND_FACTOR])
CYCLE_DAYS = np.array([c for c, _ in names.CATEGORIES.values()])

MAIN_CATEGORY_SHARE = 0.9  # of a regular customer's orders; the rest in another category
REFUNDED_SHARE = 0.03
PARTIALLY_REFUNDED_SHARE = 0.01
CHANNELS = ("online", "store", "phone")
CHANNEL_WEIGHTS = (0.65, 0.28, 0.07)
SAME_DAY_EXTRA_SHARE = 0.01  # orders followed by a second one the same day


def main_categories(rng: np.random.Generator, lam: np.ndarray) -> np.ndarray:
    """Each customer's main regular category: the one whose repurchase cycle is nearest (in
    log scale, with noise) to his own mean gap ``1 / lam``. Fast buyers buy coffee, slow ones
    furniture; the rate itself stays exactly Gamma distributed."""
    noisy = np.log(1.0 / lam) + rng.normal(0.0, 0.5, len(lam))
    distance = np.abs(noisy[:, None] - np.log(CYCLE_DAYS)[None, :])
    return distance.argmin(axis=1)


def mean_spend(nu: np.ndarray, main: np.ndarray, p: float) -> np.ndarray:
    """Expected order value per customer (currency units) given his ``nu`` and main category."""
    other = (SPEND_FACTOR[: len(REGULAR)].sum() - SPEND_FACTOR[main]) / (len(REGULAR) - 1)
    mixed = MAIN_CATEGORY_SHARE * SPEND_FACTOR[main] + (1 - MAIN_CATEGORY_SHARE) * other
    factor = np.where(main == SEASONAL_INDEX, SPEND_FACTOR[SEASONAL_INDEX], mixed)
    return p / nu * factor


def order_categories(rng: np.random.Generator, main: np.ndarray) -> np.ndarray:
    """Category of each order given its customer's main category (seasonal: always it)."""
    n = len(main)
    other = rng.integers(0, len(REGULAR) - 1, n)
    other = other + (other >= main)  # any regular category but the main one
    stray = (main != SEASONAL_INDEX) & (rng.random(n) >= MAIN_CATEGORY_SHARE)
    return np.where(stray, other, main)


def amounts_minor(rng: np.random.Generator, nu: np.ndarray, category: np.ndarray, p: float):
    """Order values in minor units (cents), at least 1.00."""
    value = rng.gamma(p, 1.0 / nu) * SPEND_FACTOR[category]
    return np.maximum(np.round(value * 100.0), 100).astype(np.int64)


def refunds(rng: np.random.Generator, amount: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Status code (0 paid, 1 refunded, 2 partially refunded) and refunded minor units."""
    u = rng.random(len(amount))
    status = np.where(u < REFUNDED_SHARE, 1, 0)
    status = np.where(
        (u >= REFUNDED_SHARE) & (u < REFUNDED_SHARE + PARTIALLY_REFUNDED_SHARE), 2, status
    )
    part = np.maximum(np.round(amount * rng.uniform(0.1, 0.6, len(amount))), 1).astype(np.int64)
    refunded = np.where(status == 1, amount, np.where(status == 2, part, 0))
    return status, refunded


def costs(rng: np.random.Generator, amount: np.ndarray) -> np.ndarray:
    """Cost of goods in minor units: 40-60% of the amount."""
    return np.round(amount * rng.uniform(0.4, 0.6, len(amount))).astype(np.int64)


def channels(rng: np.random.Generator, preferred: np.ndarray) -> np.ndarray:
    """Order channel index: the customer's preferred one 85% of the time."""
    n = len(preferred)
    random = rng.choice(len(CHANNELS), n, p=CHANNEL_WEIGHTS)
    return np.where(rng.random(n) < 0.85, preferred, random)


def money_text(minor: np.ndarray) -> pd.Series:
    """Minor units as decimal strings with two decimals ("49.90"), as a string Series."""
    minor = np.asarray(minor, dtype=np.int64)
    whole = pd.Series(np.abs(minor) // 100).astype(str)
    cents = pd.Series(np.abs(minor) % 100).astype(str).str.zfill(2)
    text = whole + "." + cents
    return text.where(minor >= 0, "-" + text)
