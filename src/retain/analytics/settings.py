"""The thresholds of the life cycle: one ``[lifecycle]`` section of retain.toml.

Every threshold the stages, flows and scores use is here with its default;
``docs/lifecycle.md`` documents them. :func:`lifecycle_settings` checks a
user's values and says which one is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from retain.errors import ConfigError

DEFAULTS: dict[str, Any] = {
    # Loyal: at least this many purchase days (Active: 2 up to one less)
    "loyal_purchases": 3,
    # the expected repurchase gap is this quantile of observed gaps
    "gap_quantile": 0.8,
    # a category with fewer gaps than this uses the quantile over all categories
    "min_category_gaps": 30,
    # a customer with at least this many gaps of his own uses his own quantile
    "own_history_min_gaps": 5,
    # the gap when the business has no repeat purchase at all (days)
    "default_gap_days": 90,
    # no expected gap is shorter than this (days)
    "min_gap_days": 7,
    # lapsed short-term up to this many gaps since the last order, long-term beyond
    "short_term_multiple": 2.0,
    # inactive beyond this many gaps since the last order
    "inactive_multiple": 4.0,
    # ... or sooner, for a repeat buyer whose silence would be this unlikely were he still
    # buying at his own pace: exp(-days_since * frequency / recency) < this (0: off)
    "inactive_silence_probability": 0.01,
    # ... when he has at least this many purchase days
    "silence_min_purchases": 2,
    # seasonal: at least this many purchase days ...
    "seasonal_min_purchases": 3,
    # ... spread over at least this many days (two seasons of the year) ...
    "seasonal_min_span_days": 300,
    # ... whose days of the year have a mean resultant length at least this (0..1)
    "seasonal_min_concentration": 0.8,
    # a season is its centre day plus or minus two circular standard deviations,
    # clamped to these half widths (days)
    "season_min_half_width_days": 30,
    "season_max_half_width_days": 91,
}

_POSITIVE_INT = (
    "loyal_purchases",
    "min_category_gaps",
    "own_history_min_gaps",
    "default_gap_days",
    "min_gap_days",
    "seasonal_min_purchases",
    "silence_min_purchases",
    "seasonal_min_span_days",
    "season_min_half_width_days",
    "season_max_half_width_days",
)


def lifecycle_settings(given: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The life-cycle thresholds: ``DEFAULTS`` overridden by ``given``, checked.

    Raises ConfigError naming the setting and its allowed range.
    """
    given = dict(given or {})
    unknown = sorted(set(given) - set(DEFAULTS))
    if unknown:
        raise ConfigError(
            f"[lifecycle]: unknown setting(s) {', '.join(unknown)}; known: {', '.join(DEFAULTS)}"
        )
    cfg = {**DEFAULTS, **given}
    for key in _POSITIVE_INT:
        value = cfg[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"[lifecycle] {key} must be a whole number >= 1, not {value!r}")
    if cfg["loyal_purchases"] < 2:
        raise ConfigError("[lifecycle] loyal_purchases must be at least 2 (a repeat purchase)")
    q = cfg["gap_quantile"]
    if isinstance(q, bool) or not isinstance(q, int | float) or not 0 < q <= 1:
        raise ConfigError(f"[lifecycle] gap_quantile must be in (0, 1], such as 0.8, not {q!r}")
    sp = cfg["inactive_silence_probability"]
    if isinstance(sp, bool) or not isinstance(sp, int | float) or not 0 <= sp < 1:
        raise ConfigError(
            f"[lifecycle] inactive_silence_probability must be in [0, 1), such as 0.01, not {sp!r}"
        )
    c = cfg["seasonal_min_concentration"]
    if isinstance(c, bool) or not isinstance(c, int | float) or not 0 < c <= 1:
        raise ConfigError(f"[lifecycle] seasonal_min_concentration must be in (0, 1], not {c!r}")
    short, inactive = cfg["short_term_multiple"], cfg["inactive_multiple"]
    for key in ("short_term_multiple", "inactive_multiple"):
        v = cfg[key]
        if isinstance(v, bool) or not isinstance(v, int | float) or v < 1:
            raise ConfigError(f"[lifecycle] {key} must be a number >= 1, not {v!r}")
    if short > inactive:
        raise ConfigError(
            f"[lifecycle] short_term_multiple ({short}) must not exceed inactive_multiple "
            f"({inactive})"
        )
    if cfg["season_min_half_width_days"] > cfg["season_max_half_width_days"]:
        raise ConfigError(
            "[lifecycle] season_min_half_width_days must not exceed season_max_half_width_days"
        )
    return cfg
