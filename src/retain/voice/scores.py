"""NPS and CSAT from answers, with honest intervals.

NPS is the share of promoters (9-10) minus the share of detractors (0-6), in
points from -100 to 100. The denominator is the answers, never the
invitations. Each answer is a draw X from {+1 (promoter), 0 (passive),
-1 (detractor)}; NPS/100 is the mean of X and its variance per answer is

    Var(X) = p_P + p_D - (p_P - p_D)^2

so the standard error is ``sqrt(Var(X) / n)`` (times the finite-population
correction ``(N - n) / (N - 1)`` inside the root when ``N`` customers could
have answered). Two 95% intervals are given:

* the normal (Wald) interval, score +- 1.96 SE, clipped to [-100, 100];
* the score interval of Tango (1998, Stat Med 17:891-908, eq. 5-7): the
  difference of the promoter and detractor shares is exactly the difference
  of two paired proportions (promoters and detractors are the discordant
  cells), so Tango's score interval for paired differences applies. It keeps
  its coverage for small samples and does not collapse to a point when all
  answers agree (a single promoter gives [-58.7, 100], not [100, 100]).

CSAT is the share of satisfied answers (4-5 on a 1-5 scale) with the Wilson
(1927) score interval.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from statistics import NormalDist
from typing import Any

import numpy as np

from retain.errors import InvalidInputError

#: below this many answers a score carries a warning (settings: [voice] min_sample)
MIN_SAMPLE = 30
PROMOTER_FROM = 9
DETRACTOR_UP_TO = 6


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise InvalidInputError(f"confidence must be between 0 and 1, got {confidence!r}")
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def validate_scores(
    scores: Iterable[Any], *, low: int = 0, high: int = 10, what: str = "NPS score"
) -> np.ndarray:
    """``scores`` as an int array; every value must be a whole number in ``low..high``.

    The error names the first offending positions and values.
    """
    dtype = getattr(scores, "dtype", None)
    if dtype is not None and getattr(dtype, "kind", "") in "iuf":
        arr = np.asarray(scores, dtype=float)  # fast path for numeric arrays and Series
        if np.all((arr >= low) & (arr <= high) & (arr == np.floor(arr))):
            return arr.astype(np.int64)
    values = list(scores.tolist() if hasattr(scores, "tolist") else scores)
    bad: list[str] = []
    out = np.empty(len(values), dtype=np.int64)
    for i, v in enumerate(values):
        ok = False
        try:
            f = float(v)
            ok = not math.isnan(f) and f == int(f) and low <= f <= high and not isinstance(v, bool)
        except (TypeError, ValueError):
            ok = False
        if not ok:
            bad.append(f"#{i} = {v!r}")
            if len(bad) >= 5:
                break
            continue
        out[i] = int(f)
    if bad:
        raise InvalidInputError(
            f"{what}s must be whole numbers {low}..{high}; bad value(s) at position "
            f"{', '.join(bad)}. Remove or correct them (map other scales with the importer)."
        )
    return out


@dataclass(frozen=True)
class NPSResult:
    """An NPS with its counts and intervals; every score and bound is in NPS points.

    ``low``/``high`` is the normal interval, ``score_low``/``score_high`` the
    Tango score interval (better below ~100 answers). ``population`` is the
    number of customers who could have answered (None: a large base), ``fpc``
    the finite-population factor applied to the variance (1.0 without one).
    """

    score: float
    margin_of_error: float
    n: int
    promoters: int
    passives: int
    detractors: int
    standard_error: float
    low: float
    high: float
    score_low: float
    score_high: float
    confidence: float
    population: int | None
    fpc: float
    warning: str | None

    @property
    def promoter_share(self) -> float:
        """Promoters / answers (0..1)."""
        return self.promoters / self.n

    @property
    def detractor_share(self) -> float:
        """Detractors / answers (0..1)."""
        return self.detractors / self.n

    def to_dict(self) -> dict[str, Any]:
        """The fields as a plain dict (what ``retain nps --format json`` prints)."""
        return asdict(self)


def counts(scores: np.ndarray) -> tuple[int, int, int]:
    """(promoters, passives, detractors) of 0-10 scores."""
    promoters = int((scores >= PROMOTER_FROM).sum())
    detractors = int((scores <= DETRACTOR_UP_TO).sum())
    return promoters, len(scores) - promoters - detractors, detractors


def _fpc(n: int, population: int | None) -> float:
    if population is None:
        return 1.0
    if population < n:
        raise InvalidInputError(
            f"population {population} is smaller than the {n} answers; give the number of "
            "customers who could have answered (or none for a large base)"
        )
    return (population - n) / (population - 1) if population > 1 else 0.0


def tango_lower(b: int, c: int, n: int, z: float, fpc: float = 1.0) -> float:
    """Lower score bound of (b - c) / n for b promoters and c detractors among n.

    Tango (1998) eq. 5-7: Z(d) = (b - c - n d) / sqrt(n (2 q + d (1 - d)) fpc),
    q the constrained ML detractor share given the difference d,
    q = (sqrt(W^2 + 8 n c d (1 - d)) - W) / (4 n), W = -b - c + (2n - b + c) d.
    """
    est = (b - c) / n
    if est <= -1.0 or fpc == 0.0:
        return est

    def f(d: float) -> float:
        w = -b - c + (2 * n - b + c) * d
        q = (math.sqrt(max(w * w + 8 * n * c * d * (1 - d), 0.0)) - w) / (4 * n)
        var = max(n * (2 * q + d * (1 - d)) * fpc, 1e-300)
        return (b - c - n * d) / math.sqrt(var) - z

    lo, hi = -1.0 + 1e-12, est
    if f(lo) <= 0:
        return -1.0
    # Z(d) falls as d rises: bisection keeps f(lo) > 0 >= f(hi)
    for _ in range(200):
        mid = (lo + hi) / 2
        if f(mid) > 0:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-12:
            break
    return (lo + hi) / 2


def nps(
    scores: Iterable[Any],
    *,
    population: int | None = None,
    confidence: float = 0.95,
    min_n: int = MIN_SAMPLE,
) -> NPSResult:
    """The NPS of 0-10 ``scores`` (answers only) with its margin of error and intervals.

    ``population``: customers who could have answered; when given, the
    finite-population correction shrinks the error (a census has none).
    A ``warning`` is set below ``min_n`` answers. Empty input is an error.
    """
    values = validate_scores(scores)
    n = len(values)
    if n == 0:
        raise InvalidInputError(
            "no answers: an NPS needs at least one 0-10 score (the denominator is answers, "
            "not invitations); widen the period or the group"
        )
    z = _z(confidence)
    fpc = _fpc(n, population)
    promoters, passives, detractors = counts(values)
    p, d = promoters / n, detractors / n
    est = p - d
    se = math.sqrt(max(p + d - est * est, 0.0) / n * fpc)
    moe = z * se
    warning = None
    if n < min_n:
        warning = (
            f"only {n} answer(s), below the minimum of {min_n}: the score can move by "
            f"+-{100 * moe:.0f} points or more; read it as indicative"
        )
    return NPSResult(
        score=100 * est,
        margin_of_error=100 * moe,
        n=n,
        promoters=promoters,
        passives=passives,
        detractors=detractors,
        standard_error=100 * se,
        low=100 * max(est - moe, -1.0),
        high=100 * min(est + moe, 1.0),
        score_low=100 * tango_lower(promoters, detractors, n, z, fpc),
        score_high=-100 * tango_lower(detractors, promoters, n, z, fpc),
        confidence=confidence,
        population=population,
        fpc=fpc,
        warning=warning,
    )


@dataclass(frozen=True)
class CSATResult:
    """CSAT as % satisfied (``satisfied_from`` or above) with its Wilson interval (in %)."""

    score: float
    n: int
    satisfied: int
    margin_of_error: float
    low: float
    high: float
    confidence: float
    warning: str | None

    def to_dict(self) -> dict[str, Any]:
        """The fields as a plain dict."""
        return asdict(self)


def wilson(k: int, n: int, z: float) -> tuple[float, float]:
    """Wilson score interval of the proportion k/n (0..1)."""
    phat = k / n
    denom = 1 + z * z / n
    centre = (phat + z * z / (2 * n)) / denom
    half = z * math.sqrt(phat * (1 - phat) / n + z * z / (4 * n * n)) / denom
    return max(centre - half, 0.0), min(centre + half, 1.0)


def csat(
    scores: Iterable[Any],
    *,
    scale: tuple[int, int] = (1, 5),
    satisfied_from: int = 4,
    confidence: float = 0.95,
    min_n: int = MIN_SAMPLE,
) -> CSATResult:
    """CSAT of ``scores`` on ``scale`` (default 1-5): % of answers at ``satisfied_from`` or up."""
    values = validate_scores(scores, low=scale[0], high=scale[1], what="CSAT score")
    n = len(values)
    if n == 0:
        raise InvalidInputError("no answers: CSAT needs at least one score")
    z = _z(confidence)
    k = int((values >= satisfied_from).sum())
    lo, hi = wilson(k, n, z)
    share = k / n
    moe = z * math.sqrt(share * (1 - share) / n)
    warning = None if n >= min_n else f"only {n} answer(s), below the minimum of {min_n}"
    return CSATResult(
        score=100 * share,
        n=n,
        satisfied=k,
        margin_of_error=100 * moe,
        low=100 * lo,
        high=100 * hi,
        confidence=confidence,
        warning=warning,
    )
