"""The synthetic demo business: customers who buy by a known process, and its ground truth.

``generate_business`` draws a whole business (customers, orders, touchpoints, feedback) from
processes whose parameters it records, so analytics can be checked against the truth:

- customers are acquired over the period (more each month, a bump before Christmas); 5% are
  prospects who never buy;
- buyers follow MBG/NBD (see :mod:`retain.demo.purchases`, r=0.9, alpha=60 days, a=0.8, b=4),
  spend follows Gamma-Gamma (see :mod:`retain.demo.orders`, p=6, q=4, v=15), the main
  category follows the customer's rate; winter-acquired customers of the seasonal category
  buy once per winter instead;
- complaints (resolved ones keep customers more often), NPS answers and reviews that follow
  each customer's fate, with planted comment themes (:mod:`retain.demo.voice`);
- optional planted duplicates (:mod:`retain.demo.duplicates`).

Nothing reads the clock: the period ends the day before ``end``. Same arguments, same frames.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from retain.demo import names
from retain.demo import orders as od
from retain.demo.complaints import plant_complaints
from retain.demo.duplicates import ORDERING_SHARE, plant_duplicates
from retain.demo.people import make_people
from retain.demo.purchases import mbg_nbd_purchases, winter_purchases
from retain.demo.settings import PARAMETERS, check_arguments, describe
from retain.demo.tables import (
    CUSTOMER_COLUMNS,
    DUPLICATE_COLUMNS,
    FEEDBACK_COLUMNS,
    INTERACTION_COLUMNS,
    ORDER_COLUMNS,
    TRUTH_COLUMNS,
    customers_table,
    feedback_table,
    interactions_table,
    orders_table,
    truth_table,
)
from retain.demo.timeline import Period, at_daytime, months, time_of_day
from retain.demo.touchpoints import complaint_touchpoints, newsletter_opens, order_touchpoints
from retain.demo.voice import assign_themes, nps_surveys, online_reviews

__all__ = ["DemoBusiness", "generate_business", "write_business"]


@dataclass
class DemoBusiness:
    """A generated business: the four importable tables, the ground truth and the parameters.

    Timestamps are time-zone aware (Europe/Berlin); money columns are decimal strings with two
    decimals, exactly as written to CSV. ``truth`` has one row per customer, ``duplicate_pairs``
    one row per planted duplicate (``customer_id_a`` the original, ``customer_id_b`` the copy).
    """

    customers: pd.DataFrame
    orders: pd.DataFrame
    interactions: pd.DataFrame
    feedback: pd.DataFrame
    truth: pd.DataFrame
    duplicate_pairs: pd.DataFrame
    params: dict


def _acquisition_days(rng: np.random.Generator, period: Period, n: int) -> np.ndarray:
    """Registration times (float days): growing over the period, busier in Nov and Dec."""
    day = np.arange(period.days)
    weight = np.exp(np.log(PARAMETERS["acquisition_growth"]) * day / period.days)
    weight = weight * np.where(np.isin(months(period, day), (11, 12)), 1.35, 1.0)
    chosen = rng.choice(period.days, n, p=weight / weight.sum())
    return chosen + time_of_day(rng, n)


def generate_business(
    n_customers: int = 5000,
    *,
    years: float = 3.0,
    end: dt.date,
    seed: int = 7,
    duplicate_share: float = 0.0,
    currency: str = "EUR",
) -> DemoBusiness:
    """Draw a demo business of ``n_customers`` customer records over ``years`` before ``end``.

    ``duplicate_share`` of the records (at most half) are planted duplicates of other
    customers. ``end`` is exclusive: the last events happen the day before. Raises
    ``InvalidInputError`` for arguments out of range.
    """
    end = check_arguments(n_customers, years, end, duplicate_share, currency)
    P = PARAMETERS
    rng = np.random.default_rng(seed)
    period = Period.ending(end, years)
    horizon = float(period.days)
    n_dup = round(n_customers * duplicate_share)
    n = n_customers - n_dup

    created = _acquisition_days(rng, period, n)
    prospect = rng.random(n) < P["prospect_share"]
    lam = rng.gamma(P["r"], 1.0 / P["alpha"], n)
    p_drop = rng.beta(P["a"], P["b"], n)
    nu = rng.gamma(P["q"], 1.0 / P["v"], n)
    winter = np.isin(months(period, created), names.WINTER_MONTHS)
    seasonal = ~prospect & winter & (rng.random(n) < P["seasonal_share_of_winter_acquired"])
    main = np.where(seasonal, od.SEASONAL_INDEX, od.main_categories(rng, lam))
    first_day = np.where(prospect, np.nan, created + rng.uniform(1.0, 45.0, n) / 1440.0)

    regular = np.flatnonzero(~prospect & ~seasonal)
    winterly = np.flatnonzero(seasonal)
    pr = mbg_nbd_purchases(rng, first_day[regular], horizon, lam[regular], p_drop[regular])
    ps = winter_purchases(rng, period, first_day[winterly], p_drop[winterly])
    customer = np.concatenate([regular[pr.customer], winterly[ps.customer]])
    day = np.concatenate([pr.day, ps.day])
    alive = np.zeros(n, dtype=bool)
    alive[regular], alive[winterly] = pr.alive, ps.alive
    dropout = np.full(n, np.nan)
    dropout[regular], dropout[winterly] = pr.dropout_day, ps.dropout_day

    complaints = plant_complaints(rng, horizon, customer, day, n, dropout)
    cut = complaints.churned[customer] & (day > complaints.day[customer])
    customer, day = customer[~cut], day[~cut]
    alive &= ~complaints.churned
    dropout = np.where(complaints.churned, complaints.day, dropout)

    extra = rng.random(len(day)) < od.SAME_DAY_EXTRA_SHARE
    later = np.minimum(
        day[extra] + rng.uniform(10.0, 55.0, extra.sum()) / 1440.0,
        np.floor(day[extra]) + 1439.0 / 1440.0,
    )
    customer = np.concatenate([customer, customer[extra]])
    day = np.concatenate([day, later])

    # Planted duplicates: rows n .. n + n_dup - 1, copies of the people at `original`.
    people = make_people(rng, n)
    original = np.sort(rng.choice(n, n_dup, replace=False)) if n_dup else np.zeros(0, np.int64)
    dups = plant_duplicates(rng, people, original)
    room = np.maximum(horizon - 1.0 - created[original], 0.0)
    dup_created = at_daytime(rng, created[original] + rng.random(n_dup) * room)
    dup_created = np.where(
        dup_created > created[original], dup_created, created[original] + 1.0 / 1440.0
    )
    limit = np.where(np.isnan(dropout[original]), horizon, dropout[original])
    buys = (
        (rng.random(n_dup) < ORDERING_SHARE)
        & (limit > dup_created)
        & ~prospect[original]
        & ~seasonal[original]
    )
    count = np.where(buys, rng.integers(1, 3, n_dup), 0)
    who = np.repeat(np.arange(n_dup), count)
    span = (limit - dup_created)[who]
    dup_day = dup_created[who] + rng.uniform(0.0, 1.0, len(who)) * span
    moved = at_daytime(rng, dup_day)
    dup_day = np.where(moved > dup_created[who], moved, dup_day)

    row_customer = np.concatenate([customer, n + who])
    row_day = np.concatenate([day, dup_day])
    person_of_row = np.concatenate([np.arange(n), original])
    spend_owner = person_of_row[row_customer]
    category = od.order_categories(rng, main[spend_owner])
    amount = od.amounts_minor(rng, nu[spend_owner], category, P["p"])
    status, refunded = od.refunds(rng, amount)
    cost = od.costs(rng, amount)
    preferred = rng.choice(len(od.CHANNELS), n, p=od.CHANNEL_WEIGHTS)
    channel = np.asarray(od.CHANNELS, dtype=object)[od.channels(rng, preferred[spend_owner])]

    all_created = np.concatenate([created, dup_created])
    reachable = people["email_consent"].to_numpy() & ~people["do_not_contact"].to_numpy()
    parts = [newsletter_opens(rng, period, created, dropout, reachable)]
    parts += order_touchpoints(rng, horizon, all_created, row_customer, row_day, channel)
    parts += complaint_touchpoints(rng, horizon, complaints)
    touch = pd.concat(parts, ignore_index=True)

    unresolved_day = np.where(complaints.complained & ~complaints.resolved, complaints.day, np.nan)
    bad_fate = ~alive | ~np.isnan(unresolved_day)
    theme = assign_themes(rng, bad_fate)
    nps = nps_surveys(rng, period, first_day, dropout, reachable, unresolved_day, theme)
    reviews = online_reviews(rng, horizon, customer, day, n, bad_fate, theme)

    records = pd.concat([people, dups], ignore_index=True)
    records["created_day"] = all_created
    customers, ids = customers_table(records, period)
    themed = np.concatenate(
        [
            nps["customer"].to_numpy()[nps["themed"].to_numpy(dtype=bool)],
            reviews["customer"].to_numpy()[reviews["themed"].to_numpy(dtype=bool)],
        ]
    ).astype(np.int64)
    truth = truth_table(
        ids,
        period,
        original,
        lam=np.where(seasonal, 1.0 / 365.25, np.where(prospect, 0.0, lam)),
        p_drop=np.where(prospect, np.nan, p_drop),
        alive=alive,
        dropout_day=dropout,
        mean_spend=np.where(prospect, np.nan, od.mean_spend(nu, main, P["p"])),
        main=np.where(prospect, -1, main),
        seasonal=seasonal,
        prospect=prospect,
        n_orders=np.bincount(row_customer, minlength=n + n_dup),
        complaints=complaints,
        theme=theme,
        themed_people=themed,
    )
    return DemoBusiness(
        customers=customers,
        orders=orders_table(
            ids,
            period,
            row_customer,
            row_day,
            amount,
            currency,
            category,
            channel,
            cost,
            status,
            refunded,
        ),
        interactions=interactions_table(ids, period, touch),
        feedback=feedback_table(ids, period, nps, reviews),
        truth=truth,
        duplicate_pairs=pd.DataFrame(
            {"customer_id_a": ids[original], "customer_id_b": ids[n + np.arange(n_dup)]},
            columns=list(DUPLICATE_COLUMNS),
        ),
        params=describe(
            seed=seed,
            period=period,
            years=years,
            n_customers=n_customers,
            n_duplicates=n_dup,
            currency=currency,
        ),
    )


FILES = {
    "customers": ("customers.csv", CUSTOMER_COLUMNS),
    "orders": ("orders.csv", ORDER_COLUMNS),
    "interactions": ("interactions.csv", INTERACTION_COLUMNS),
    "feedback": ("feedback.csv", FEEDBACK_COLUMNS),
    "truth": ("ground_truth.csv", TRUTH_COLUMNS),
    "duplicate_pairs": ("duplicate_pairs.csv", DUPLICATE_COLUMNS),
}


def _arrow_table(frame: pd.DataFrame) -> pa.Table:
    """``frame`` as Arrow with CSV-ready columns: timestamps as ISO 8601 with the offset
    (``2025-03-04T10:15:00+01:00``), dates as ``2025-03-04``, booleans as true/false."""
    columns = {}
    for name in frame.columns:
        column = frame[name]
        array = pa.array(column, from_pandas=True)
        if pa.types.is_timestamp(array.type) and array.type.tz is not None:
            array = pc.strftime(
                array.cast(pa.timestamp("s", array.type.tz)), format="%Y-%m-%dT%H:%M:%S%Ez"
            )
        elif pa.types.is_timestamp(array.type):
            array = pc.strftime(array.cast(pa.timestamp("s")), format="%Y-%m-%d")
        columns[name] = array
    return pa.table(columns)


def write_business(business: DemoBusiness, folder: Path) -> dict[str, Path]:
    """Write the business as CSV files (UTF-8, header row) plus ``truth.json`` into ``folder``.

    Returns the path of each file by kind: ``customers``, ``orders``, ``interactions``,
    ``feedback`` (the importable four), ``truth`` (ground_truth.csv), ``duplicate_pairs``
    and ``params`` (truth.json). The folder is created if missing; files are overwritten.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    # Arrow would quote the header; write it plainly (the names need no quotes).
    options = pacsv.WriteOptions(include_header=False, quoting_style="needed")
    for kind, (file_name, columns) in FILES.items():
        frame = getattr(business, kind).loc[:, list(columns)]
        path = folder / file_name
        with pa.OSFile(str(path), "wb") as sink:
            sink.write((",".join(columns) + "\n").encode("utf-8"))
            pacsv.write_csv(_arrow_table(frame), sink, write_options=options)
        written[kind] = path
    path = folder / "truth.json"
    path.write_text(json.dumps(business.params, indent=2, ensure_ascii=False) + "\n", "utf-8")
    written["params"] = path
    return written
