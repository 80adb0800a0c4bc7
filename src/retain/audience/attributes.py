"""The attribute table segments are written against: who each customer is and how he behaves.

:func:`audience_frame` joins, per customer, the demographics of the records
with behaviour computed as of a date: life-cycle stage, RFM segment, revenue,
product categories, predicted value (CLV) and the latest NPS answer. Every
column is a field of the filter language (:mod:`retain.audience.filters`).

Money fields (``revenue``, ``clv``) are in currency units (minor units / 100).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from retain.errors import InvalidInputError, MissingColumnsError, RetainError

__all__ = ["AGE_BANDS", "FIELDS", "age_bands", "audience_frame", "nps_group"]

#: (lowest age, label) of the derived age bands
AGE_BANDS = (
    (0, "under 18"),
    (18, "18-24"),
    (25, "25-34"),
    (35, "35-44"),
    (45, "45-54"),
    (55, "55-64"),
    (65, "65+"),
)
#: the fields of the filter language and what they hold
FIELDS = {
    "customer_id": "the customer's external id",
    "name": "name",
    "gender": "gender as recorded",
    "profession": "profession",
    "income_band": "income band as recorded",
    "city": "city",
    "region": "region or state",
    "country": "ISO country code, e.g. DE",
    "postal_code": "postal code",
    "acquisition_channel": "how the customer first came",
    "company": "company",
    "age": "whole years at as_of (from birth_year)",
    "age_band": "the recorded band, else derived from age: 18-24, 25-34, ... 65+",
    "tags": 'list of tags (use: tags has "vip")',
    "email_consent": "true when the customer agreed to e-mail",
    "do_not_contact": "true when the customer must not be contacted",
    "competitor_status": "none, suspected or confirmed",
    "stage": "life-cycle stage: prospect, new, active, loyal, lapsed, inactive",
    "substage": "short_term, long_term, seasonal, win_back, do_not_contact or empty",
    "purchases": "days with a purchase up to as_of",
    "days_since_last_order": "days since the last purchase",
    "revenue": "revenue net of refunds up to as_of (currency units)",
    "rfm_segment": "RFM segment: Champions, Loyal, ... Lost",
    "r_score": "RFM recency score 1-5",
    "f_score": "RFM frequency score 1-5",
    "m_score": "RFM monetary score 1-5",
    "main_category": "the product category of most purchase days",
    "categories": 'list of product categories bought (use: categories has "Shoes")',
    "clv": "expected revenue of the next 12 months (BG/NBD x Gamma-Gamma, currency units)",
    "p_alive": "probability the customer is still active (BG/NBD)",
    "nps": "latest NPS answer 0-10",
    "nps_group": "promoter (9-10), passive (7-8), detractor (0-6) or empty",
}
_CUSTOMER = ("customer_id",)
_ORDER = ("customer_id", "ordered_at", "amount")


def age_bands(age: pd.Series) -> pd.Series:
    """The band of each age (see :data:`AGE_BANDS`); missing age: missing band."""
    bins = [low for low, _ in AGE_BANDS] + [200]
    labels = [label for _, label in AGE_BANDS]
    return pd.cut(age.astype("Float64"), bins=bins, labels=labels, right=False).astype("string")


def nps_group(score: pd.Series) -> pd.Series:
    """promoter (9-10), passive (7-8) or detractor (0-6) of each 0-10 score."""
    s = score.astype("Float64")
    out = pd.Series(pd.NA, index=score.index, dtype="string")
    out[(s >= 9).fillna(False)] = "promoter"
    out[((s >= 7) & (s < 9)).fillna(False)] = "passive"
    out[(s < 7).fillna(False)] = "detractor"
    return out


def _as_of(as_of: date | datetime | str) -> date:
    if isinstance(as_of, datetime):
        return as_of.date()
    if isinstance(as_of, date):
        return as_of
    try:
        return date.fromisoformat(str(as_of))
    except ValueError:
        raise InvalidInputError(f"as_of must be a date YYYY-MM-DD, not {as_of!r}") from None


def _pandas(table: Any) -> pd.DataFrame:
    return table if isinstance(table, pd.DataFrame) else table.to_pandas()


def _predicted_value(summary: pd.DataFrame) -> pd.DataFrame:
    """12-month expected revenue and P(alive) per customer (NaN when the models cannot be fit)."""
    from retain.clv import BetaGeo, GammaGamma

    out = pd.DataFrame({"customer_id": summary["customer_id"]})
    out["clv"], out["p_alive"] = np.nan, np.nan
    if summary.empty:
        return out
    f, r, t = summary["frequency"], summary["recency"], summary["T"]
    # customers whose first purchase is on as_of (T = 0) cannot inform the fit; they are
    # left out of it and valued as one day old (as retain.clv.scores does)
    seen = t > 0
    t = t.clip(lower=1)
    try:
        bg = BetaGeo().fit(f[seen], r[seen], t[seen])
        purchases = bg.conditional_expected_purchases(365.0, f, r, t)
        out["p_alive"] = bg.probability_alive(f, r, t)
        spend_raw = summary["monetary_value"].to_numpy(dtype=float)
        try:
            gg = GammaGamma().fit(f, np.where(f > 0, spend_raw, 1.0))
            spend = gg.conditional_expected_average_spend(f, np.where(f > 0, spend_raw, 1.0))
        except RetainError:
            spend = np.full(len(f), np.nan)
        mean_order = summary["revenue"] / summary["orders"].clip(lower=1)
        spend = np.where(f > 0, spend, mean_order)
        out["clv"] = np.asarray(purchases) * np.asarray(spend, dtype=float) / 100.0
    except RetainError:
        pass
    return out


def audience_frame(
    customers: Any,
    orders: Any,
    as_of: date | datetime | str,
    feedback: Any = None,
    *,
    settings: dict[str, Any] | None = None,
    value: bool = True,
    stages: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per customer known by ``as_of`` with the fields of :data:`FIELDS`.

    ``customers`` (pandas or Arrow) needs ``customer_id`` (the store id) and
    may have ``external_id`` and the demographic columns of the store;
    ``orders`` needs ``customer_id``, ``ordered_at``, ``amount`` (minor units)
    and may have ``refunded``, ``status``, ``product_category``; ``feedback``
    (optional) ``customer_id``, ``responded_at``, ``nps_score``. ``value=False``
    skips the CLV models (``clv`` and ``p_alive`` are then missing).
    ``stages``: the customers' life-cycle stages as of ``as_of`` already
    computed from the same records (:func:`retain.analytics.store_stages`),
    instead of computing them here.
    Extra column ``id``: the store id; ``customer_id`` is the external id when given.
    """
    from retain import analytics

    day = _as_of(as_of)
    people = _pandas(customers).copy()
    missing = [c for c in _CUSTOMER if c not in people.columns]
    if missing:
        raise MissingColumnsError("the customers table", missing, list(people.columns))
    bought = _pandas(orders)
    missing = [c for c in _ORDER if c not in bought.columns]
    if missing:
        raise MissingColumnsError("the orders table", missing, list(bought.columns))
    if "first_seen_at" in people.columns:
        people["first_seen_at"] = pd.to_datetime(people["first_seen_at"], utc=True)
    for flag in ("email_consent", "do_not_contact", "let_go"):
        if flag in people.columns:
            people[flag] = people[flag].astype("boolean")
    if "merged_into_id" in people.columns:
        people = people[people["merged_into_id"].isna()]
    flags = [
        c
        for c in ("email_consent", "do_not_contact", "let_go", "competitor_status", "first_seen_at")
        if c in people.columns
    ]
    if stages is None:
        stages = analytics.customer_stages(bought, day, people[["customer_id", *flags]], settings)
    frame = people.merge(
        stages[
            [
                "customer_id",
                "stage",
                "substage",
                "purchases",
                "days_since_last_order",
                "main_category",
                "revenue",
                "orders",
            ]
        ],
        on="customer_id",
        how="inner",
    )
    frame["revenue"] = frame["revenue"].fillna(0) / 100.0
    frame["purchases"] = frame["purchases"].fillna(0).astype("int64")
    # RFM from the stage table's summary columns (computing the summary once)
    import ibis

    buyers = stages.loc[
        stages["purchases"] > 0,
        ["customer_id", "days_since_last_order", "purchase_days", "revenue"],
    ]
    rfm = analytics.tables.to_pandas(
        analytics.rfm_table(None, day, summary=ibis.memtable(buyers.reset_index(drop=True)))
    )
    frame = frame.merge(
        rfm[["customer_id", "segment", "r_score", "f_score", "m_score"]].rename(
            columns={"segment": "rfm_segment"}
        ),
        on="customer_id",
        how="left",
    )
    upto = pd.to_datetime(bought["ordered_at"], utc=True).dt.date <= day
    if "product_category" in bought.columns:
        cats = (
            bought.loc[
                upto & bought["product_category"].notna(), ["customer_id", "product_category"]
            ]
            .drop_duplicates()
            .sort_values("product_category")
            .groupby("customer_id")["product_category"]
            .agg(list)
        )
        frame["categories"] = frame["customer_id"].map(cats)
    frame["categories"] = frame.get("categories", pd.Series(index=frame.index, dtype=object))
    frame["categories"] = frame["categories"].map(lambda v: v if isinstance(v, list) else [])
    if value:
        summary = analytics.customer_summary(bought, day)
        frame = frame.merge(_predicted_value(summary), on="customer_id", how="left")
    else:
        frame["clv"], frame["p_alive"] = np.nan, np.nan
    frame["nps"] = pd.Series(pd.NA, index=frame.index, dtype="Int64")
    if feedback is not None:
        answers = _pandas(feedback)
        answers = answers[answers["nps_score"].notna()].copy()
        answers["day"] = pd.to_datetime(answers["responded_at"], utc=True).dt.date
        answers = answers[answers["day"] <= day].sort_values(["customer_id", "responded_at"])
        latest = answers.groupby("customer_id")["nps_score"].last()
        frame["nps"] = frame["customer_id"].map(latest).astype("Int64")
    frame["nps_group"] = nps_group(frame["nps"])
    if "birth_year" in frame.columns:
        frame["age"] = (day.year - frame["birth_year"].astype("Int64")).astype("Int64")
    else:
        frame["age"] = pd.Series(pd.NA, index=frame.index, dtype="Int64")
    derived = age_bands(frame["age"])
    if "age_band" in frame.columns:
        given = frame["age_band"].astype("string")
        frame["age_band"] = given.mask(given.fillna("") == "", derived)
    else:
        frame["age_band"] = derived
    if "tags" in frame.columns:
        frame["tags"] = frame["tags"].map(_tag_list)
    else:
        frame["tags"] = [[] for _ in range(len(frame))]
    frame = frame.rename(columns={"customer_id": "id"})
    frame["customer_id"] = frame["external_id"] if "external_id" in frame.columns else frame["id"]
    return frame.sort_values("id").reset_index(drop=True)


def _tag_list(value: Any) -> list[str]:
    if isinstance(value, list | tuple | np.ndarray):
        return [str(v) for v in value]
    if isinstance(value, str) and value.strip():
        return [t.strip() for t in value.replace(",", ";").split(";") if t.strip()]
    return []
