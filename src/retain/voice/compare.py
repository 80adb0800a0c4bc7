"""Is a change in NPS real? A period against a baseline period.

The two periods are taken as independent samples (different answers). The
difference D = NPS_current - NPS_baseline (points) gets

* a normal interval from the unpooled variance Var1/n1 + Var2/n2;
* a MOVER interval (Zou & Donner 2008; Newcombe 1998, method 10) built from
  the two Tango score intervals, which behaves for small samples:
  L = D - sqrt((d1 - l1)^2 + (u2 - d2)^2), U = D + sqrt((u1 - d1)^2 + (d2 - l2)^2);
* a two-sided z test of "same distribution of promoters/passives/detractors",
  with the variance pooled under that null (as the pooled two-proportion test):
  z = D / sqrt(Var_pooled (1/n1 + 1/n2)).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from retain.voice.scores import NPSResult, _z, nps, tango_lower


@dataclass(frozen=True)
class NPSComparison:
    """NPS of ``current`` minus NPS of ``baseline`` (points) with intervals and a test."""

    current: float
    baseline: float
    difference: float
    n_current: int
    n_baseline: int
    standard_error: float
    margin_of_error: float
    low: float
    high: float
    mover_low: float
    mover_high: float
    z: float
    p_value: float
    significant: bool
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        """The fields as a plain dict."""
        return asdict(self)


def compare(
    current: Iterable[Any] | NPSResult,
    baseline: Iterable[Any] | NPSResult,
    *,
    confidence: float = 0.95,
) -> NPSComparison:
    """Compare the 0-10 scores of a period with those of a baseline period.

    ``significant`` is ``p_value < 1 - confidence``. Empty input is an error.
    """
    a = current if isinstance(current, NPSResult) else nps(current, confidence=confidence)
    b = baseline if isinstance(baseline, NPSResult) else nps(baseline, confidence=confidence)
    z_crit = _z(confidence)
    d1, d2 = a.score / 100, b.score / 100
    diff = d1 - d2
    var1 = (a.promoters + a.detractors) / a.n - d1 * d1
    var2 = (b.promoters + b.detractors) / b.n - d2 * d2
    se = math.sqrt(max(var1 / a.n + var2 / b.n, 0.0))
    moe = z_crit * se
    # MOVER from the score intervals (on the -1..1 scale)
    l1, u1 = _score_bounds(a, z_crit)
    l2, u2 = _score_bounds(b, z_crit)
    mover_low = diff - math.sqrt((d1 - l1) ** 2 + (u2 - d2) ** 2)
    mover_high = diff + math.sqrt((u1 - d1) ** 2 + (d2 - l2) ** 2)
    # pooled test
    n = a.n + b.n
    pp = (a.promoters + b.promoters) / n
    pd_ = (a.detractors + b.detractors) / n
    var0 = max(pp + pd_ - (pp - pd_) ** 2, 0.0)
    se0 = math.sqrt(var0 * (1 / a.n + 1 / b.n))
    if se0 == 0.0:
        zstat, p_value = 0.0, 1.0
    else:
        zstat = diff / se0
        p_value = math.erfc(abs(zstat) / math.sqrt(2))  # two-sided normal tail
    return NPSComparison(
        current=a.score,
        baseline=b.score,
        difference=100 * diff,
        n_current=a.n,
        n_baseline=b.n,
        standard_error=100 * se,
        margin_of_error=100 * moe,
        low=100 * max(diff - moe, -2.0),
        high=100 * min(diff + moe, 2.0),
        mover_low=100 * max(mover_low, -2.0),
        mover_high=100 * min(mover_high, 2.0),
        z=zstat,
        p_value=p_value,
        significant=p_value < 1 - confidence,
        confidence=confidence,
    )


def _score_bounds(r: NPSResult, z: float) -> tuple[float, float]:
    """Tango bounds of ``r`` at critical value ``z`` (without population correction)."""
    return (
        tango_lower(r.promoters, r.detractors, r.n, z),
        -tango_lower(r.detractors, r.promoters, r.n, z),
    )


def required_sample(
    margin_points: float, *, confidence: float = 0.95, variance: float = 1.0
) -> int:
    """Answers needed for a margin of error of ``margin_points`` NPS points.

    ``variance`` is Var(X) per answer (at most 1, the worst case of half promoters and
    half detractors; a typical business sees 0.4-0.7).
    """
    z = _z(confidence)
    m = margin_points / 100
    return math.ceil(z * z * variance / (m * m))
