"""The true parameters of the demo business, the argument checks, and their record.

``describe`` gives the JSON-ready record written to ``truth.json``: the process parameters
with their units, the seed and the period, so a model fitted to the demo can be compared with
what generated it.
"""

from __future__ import annotations

import datetime as dt
import re

from retain.demo import complaints, names, orders, purchases, touchpoints, voice
from retain.demo.timeline import BUSINESS_TZ, Period
from retain.errors import InvalidInputError

PARAMETERS = {
    # MBG/NBD: lambda ~ Gamma(shape r, rate alpha per day); p ~ Beta(a, b).
    "r": 0.9,
    "alpha": 60.0,
    "a": 0.8,
    "b": 4.0,
    # Gamma-Gamma spend: value ~ Gamma(p, nu), nu ~ Gamma(q, rate v); mean p v / (q - 1) = 30.
    "p": 6.0,
    "q": 4.0,
    "v": 15.0,
    "prospect_share": 0.05,
    "seasonal_share_of_winter_acquired": 0.2,
    "acquisition_growth": 2.0,  # new customers per day at the end / at the start
}

MAX_CUSTOMERS = 20_000_000
MAX_YEARS = 30.0


def check_arguments(
    n_customers: int, years: float, end: dt.date, duplicate_share: float, currency: str
) -> dt.date:
    """Check ``generate_business``'s arguments; return ``end`` as a plain date."""
    if isinstance(n_customers, bool) or not isinstance(n_customers, int):
        raise InvalidInputError(f"n_customers must be a whole number, got {n_customers!r}")
    if not 1 <= n_customers <= MAX_CUSTOMERS:
        raise InvalidInputError(
            f"n_customers must be between 1 and {MAX_CUSTOMERS:,}, got {n_customers:,}"
        )
    if not 0.1 <= years <= MAX_YEARS:
        raise InvalidInputError(f"years must be between 0.1 and {MAX_YEARS:g}, got {years!r}")
    if not 0.0 <= duplicate_share <= 0.5:
        raise InvalidInputError(
            f"duplicate_share must be between 0 and 0.5, got {duplicate_share!r}"
        )
    if not re.fullmatch(r"[A-Z]{3}", currency or ""):
        raise InvalidInputError(
            f"currency must be a three-letter ISO 4217 code such as EUR, got {currency!r}"
        )
    if isinstance(end, dt.datetime):
        return end.date()
    if not isinstance(end, dt.date):
        raise InvalidInputError(f"end must be a date such as 2026-11-26, got {end!r}")
    return end


def describe(
    *, seed: int, period: Period, years: float, n_customers: int, n_duplicates: int, currency: str
) -> dict:
    """The true process parameters and the run's settings, ready for ``json.dumps``."""
    p = PARAMETERS
    return {
        "seed": seed,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "end_is_exclusive": True,
        "years": years,
        "time_zone": BUSINESS_TZ,
        "currency": currency,
        "n_customers": n_customers,
        "n_duplicates": n_duplicates,
        "purchases": {
            "model": "MBG/NBD",
            "note": "dropout possible after every purchase, the first included",
            "r": p["r"],
            "alpha": p["alpha"],
            "a": p["a"],
            "b": p["b"],
            "time_unit": "day",
            "applies_to": "non-seasonal buyers",
        },
        "gamma_gamma": {
            "p": p["p"],
            "q": p["q"],
            "v": p["v"],
            "note": "order value is multiplied by the category's spend factor",
        },
        "categories": {
            name: {"cycle_days": cycle, "spend_factor": factor}
            for name, (cycle, factor) in names.CATEGORIES.items()
        },
        "main_category_share": orders.MAIN_CATEGORY_SHARE,
        "seasonal_category": {
            "name": names.SEASONAL_CATEGORY,
            "months": list(names.WINTER_MONTHS),
            "spend_factor": names.SEASONAL_SPEND_FACTOR,
            "share_of_winter_acquired": p["seasonal_share_of_winter_acquired"],
            "extra_purchase_share": purchases.SEASONAL_EXTRA_SHARE,
            "lambda_per_day_in_truth": 1.0 / 365.25,
        },
        "prospect_share": p["prospect_share"],
        "acquisition_growth": p["acquisition_growth"],
        "same_day_extra_share": orders.SAME_DAY_EXTRA_SHARE,
        "refunded_share": orders.REFUNDED_SHARE,
        "partially_refunded_share": orders.PARTIALLY_REFUNDED_SHARE,
        "cost_share_of_amount": [0.4, 0.6],
        "complaints": {
            "share_of_buyers": complaints.COMPLAINT_SHARE,
            "resolved_share": complaints.RESOLVED_SHARE,
            "churn_if_resolved": complaints.CHURN_IF_RESOLVED,
            "churn_if_unresolved": complaints.CHURN_IF_UNRESOLVED,
        },
        "touchpoints": {
            "newsletter_opens_per_day_alive": touchpoints.NEWSLETTER_OPENS_PER_DAY_ALIVE,
            "newsletter_opens_per_day_gone": touchpoints.NEWSLETTER_OPENS_PER_DAY_GONE,
            "support_question_share_of_orders": touchpoints.SUPPORT_QUESTION_SHARE,
            "review_request_share_of_online_orders": touchpoints.REVIEW_REQUEST_SHARE,
        },
        "surveys": {
            "sent_on": "{}-{:02d}".format(*voice.SURVEY_MONTH_DAY),
            "response_rate": voice.SURVEY_RESPONSE_RATE,
            "response_rate_after_dropout": voice.SURVEY_RESPONSE_RATE_GONE,
            "review_share_of_buyers": voice.REVIEW_SHARE,
        },
        "themes": {
            name: {"category": category, "tone": tone}
            for name, (category, tone, _) in names.THEMES.items()
        },
        "low_effort_comments": list(names.LOW_EFFORT_COMMENTS),
    }
