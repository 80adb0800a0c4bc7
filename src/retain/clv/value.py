"""Customer lifetime value over a horizon: expected purchases x expected spend, discounted.

CLV_i = margin * spend_i * sum_{m=1..M} (E[Y_i(m s)] - E[Y_i((m-1) s)]) / (1 + d)^m

with E[Y_i(t)] the transaction model's expected purchases in the next t periods
given customer i's history, s = periods per month (30 for a model fitted in
days, 4.35 in weeks), d the monthly discount rate and spend_i the expected value
per transaction (Gamma-Gamma, Fader, Hardie & Lee 2005 JMR, eq. 5; or a number
per customer). The discounted-cash-flow form follows Fader, Hardie & Lee (2005)
"RFM and CLV", section 4, in monthly steps.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from retain.clv._inputs import as_column, unique_rows
from retain.clv.gamma_gamma import GammaGamma
from retain.errors import InvalidInputError

__all__ = ["customer_lifetime_value"]


class TransactionModel(Protocol):
    def conditional_expected_purchases(
        self, t: Any, frequency: Any, recency: Any, T: Any
    ) -> np.ndarray: ...


def customer_lifetime_value(
    transaction_model: TransactionModel,
    spend: GammaGamma | Any,
    frequency: Any,
    recency: Any,
    T: Any,
    monetary_value: Any = None,
    *,
    months: int = 12,
    discount_rate: float = 0.01,
    periods_per_month: float = 30.0,
    margin: float = 1.0,
) -> np.ndarray:
    """Discounted expected value of each customer over the next ``months`` months.

    ``transaction_model``: a fitted BetaGeo, ModifiedBetaGeo, ParetoNBD (or
    BetaGeoBetaBinom with whole ``periods_per_month``); ``spend``: a fitted
    GammaGamma (then ``monetary_value`` is needed) or the expected spend per
    transaction, one number or one per customer, in money units. Inputs in the
    model's period unit. ``discount_rate`` is per month (0.01 = 1%/month);
    ``margin`` the share of revenue kept. Returns money units, >= 0.
    """
    if months < 1 or int(months) != months:
        raise InvalidInputError(f"months must be a whole number >= 1; got {months!r}.")
    if not (discount_rate > -1 and np.isfinite(discount_rate)):
        raise InvalidInputError(f"discount_rate must be above -1; got {discount_rate!r}.")
    if not periods_per_month > 0:
        raise InvalidInputError(f"periods_per_month must be positive; got {periods_per_month!r}.")
    x = as_column(frequency, "frequency")
    if isinstance(spend, GammaGamma):
        if monetary_value is None:
            raise InvalidInputError("monetary_value is needed to predict spend with GammaGamma.")
        per_purchase = spend.conditional_expected_average_spend(x, monetary_value)
    else:
        per_purchase = as_column(spend, "spend")
        if per_purchase.size == 1:
            per_purchase = np.full(x.size, per_purchase[0])
        elif per_purchase.size != x.size:
            raise InvalidInputError(
                f"spend must be one number or one per customer ({x.size}); got {per_purchase.size}."
            )
    rec = as_column(recency, "recency")
    big_t = as_column(T, "T")
    if not (rec.size == big_t.size == x.size):
        raise InvalidInputError("frequency, recency and T must have the same length.")
    # customers with the same history have the same expected purchases: compute once
    (ux, ur, ut), inverse = unique_rows(x, rec, big_t)
    total = np.zeros(ux.size)
    previous = np.zeros(ux.size)
    for month in range(1, int(months) + 1):
        t = month * periods_per_month
        current = transaction_model.conditional_expected_purchases(t, ux, ur, ut)
        total += np.maximum(current - previous, 0.0) / (1.0 + discount_rate) ** month
        previous = current
    return margin * per_purchase * total[inverse]
