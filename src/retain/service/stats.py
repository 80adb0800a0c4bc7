"""Small statistics the case metrics share: Wilson score intervals and percentiles."""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Rate:
    """``k`` of ``n`` with its Wilson score interval; ``rate`` etc. are None when ``n`` is 0."""

    k: int
    n: int
    rate: float | None
    lower: float | None
    upper: float | None


def wilson(k: int, n: int, z: float = Z95) -> Rate:
    """The share ``k / n`` and its Wilson score interval (95% by default).

    Wilson (1927), "Probable inference, the law of succession, and statistical
    inference", JASA 22: center ``(p + z²/2n) / (1 + z²/n)``, half-width
    ``z √(p(1-p)/n + z²/4n²) / (1 + z²/n)``. Unlike the normal approximation it
    stays within [0, 1] and is usable for small ``n``.
    """
    if n < 0 or k < 0 or k > n:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
    if n == 0:
        return Rate(k, n, None, None, None)
    p = k / n
    denom = 1 + z * z / n
    center = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    # clamp rounding (k = 0 gives a lower bound of 1e-18 instead of 0)
    return Rate(k, n, p, max(0.0, min(p, center - half)), min(1.0, max(p, center + half)))
