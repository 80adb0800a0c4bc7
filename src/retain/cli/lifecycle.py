"""``retain lifecycle``, ``retain cohorts``, ``retain rfm``: the life cycle from the CLI.

Each command reads the records through :mod:`retain.store.frames` (DuckDB
in-process over ADBC, or the PostgreSQL server), calls the analytics
functions and prints their table. ``--as-of`` defaults to today (UTC).

``--segment NAME`` restricts a command to the members of a saved segment
(:func:`retain.audience.segment_members`) while the population figures the
rules need (expected gaps per category, RFM quintiles) stay those of every
customer; ``retain lifecycle --by segment`` counts stages per saved segment.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import ibis
import pandas as pd
import typer

from retain import analytics
from retain.cli.common import (
    DbOption,
    FormatOption,
    OutputFormat,
    cli_store,
    console,
    emit,
    parse_day,
)
from retain.config import load_settings, section
from retain.errors import NotFoundError
from retain.store.frames import analytics_tables


class By(StrEnum):
    category = "category"
    channel = "channel"
    country = "country"
    segment = "segment"


class Engine(StrEnum):
    duckdb = "duckdb"
    postgres = "postgres"


AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="The date to look from, YYYY-MM-DD (default: today, UTC)."),
]
EngineOption = Annotated[
    Engine | None,
    typer.Option(
        "--engine",
        help="Where the analytics run: duckdb (in-process) or postgres (on the server of a "
        "PostgreSQL store). Default: postgres for a PostgreSQL store, else duckdb.",
    ),
]
SegmentOption = Annotated[
    str | None,
    typer.Option(
        "--segment",
        help="Only the members of this saved segment (retain segments list) as of --as-of.",
    ),
]
ChartOption = Annotated[
    Path | None,
    typer.Option("--chart", help="Also write a chart to FILE (.png or .svg)."),
]

#: columns of ``retain lifecycle --customers`` (the first five are a public surface)
CUSTOMER_COLUMNS = (
    "customer_id",
    "stage",
    "substage",
    "expected_gap_days",
    "days_since_last_order",
    "purchases",
    "last_order_date",
    "main_category",
    "gap_source",
    "seasonal",
)
BY_COLUMN = {By.category: "main_category", By.channel: "acquisition_channel", By.country: "country"}


def _load(
    ctx: typer.Context,
    db: str | None,
    engine: Engine | None,
    kinds=("orders", "customers"),
    *,
    segment: str | None = None,
    day: date | None = None,
    restrict: tuple[str, ...] = ("customers",),
):
    """The records as analytics tables (closed when the command ends), the settings and the
    store. With ``segment``, the tables named in ``restrict`` keep only its members as of
    ``day`` (the others stay whole, so population figures do not change)."""
    settings = analytics.lifecycle_settings(
        section(load_settings(), "lifecycle", analytics.DEFAULTS)
    )
    store = cli_store(db)
    ctx.call_on_close(store.dispose)
    members = None
    if segment is not None:
        from retain import audience

        members = sorted(audience.segment_members(store, segment, day or date.today()))
    tables = analytics_tables(store, kinds, engine=engine.value if engine else None)
    ctx.call_on_close(tables.close)
    if members is not None:
        keep = ibis.memtable(pd.DataFrame({"customer_id": pd.Series(members, dtype="int64")}))
        for kind in restrict:
            t = tables[kind]
            tables[kind] = t.filter(t.customer_id.isin(keep.customer_id))
    return tables, settings, store


def _external(stages: pd.DataFrame, customers: Any) -> pd.DataFrame:
    """Replace the store's customer ids by the external ids (and add country, channel)."""
    ids = customers.select(
        "customer_id", "external_id", "country", "acquisition_channel"
    ).to_pandas()
    out = stages.merge(ids, on="customer_id", how="left")
    out["customer_id"] = out.pop("external_id")
    return out


def _ints(frame: pd.DataFrame, cols: tuple[str, ...]) -> pd.DataFrame:
    for c in cols:
        if c in frame.columns:
            frame[c] = frame[c].astype("Int64")
    return frame


def lifecycle(
    ctx: typer.Context,
    as_of: AsOfOption = None,
    by: Annotated[
        By | None,
        typer.Option(
            "--by",
            help="Count stages per main category, channel, country or saved segment (a customer "
            "in several segments counts in each; customers in none are not shown).",
        ),
    ] = None,
    flows: Annotated[
        tuple[str, str] | None,
        typer.Option("--flows", help="Stage transitions between two dates: --flows FROM TO."),
    ] = None,
    explain: Annotated[
        str | None,
        typer.Option("--explain", help="Print the rule and numbers behind one customer's stage."),
    ] = None,
    customers: Annotated[
        bool, typer.Option("--customers", help="List every customer with his stage.")
    ] = False,
    ring: Annotated[
        bool,
        typer.Option(
            "--ring", help="Count customers per ring: visitor, audience, customer, community."
        ),
    ] = False,
    segment: SegmentOption = None,
    chart: ChartOption = None,
    engine: EngineOption = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Life-cycle stages of the customers as of a date: counts, lists, flows, explanations.

    With --segment, only the members of that saved segment are shown (their stages are those
    of the whole business: the expected gaps still come from every customer).
    """
    day = parse_day(as_of, "--as-of")
    kinds = ("orders", "customers", "interactions", "feedback") if ring else None
    tables, cfg, store = _load(
        ctx, db, engine, kinds or ("orders", "customers"), segment=segment, day=day
    )
    orders, people = tables["orders"], tables["customers"]
    if ring:
        rings = analytics.relationship_ring(
            orders, people, day, tables["interactions"], tables["feedback"], cfg
        )
        emit(analytics.ring_counts(rings), fmt, title=f"relationship ring as of {day}")
        return
    if flows:
        start, end = parse_day(flows[0], "--flows FROM"), parse_day(flows[1], "--flows TO")
        moved = analytics.stage_flows(orders, start, end, people, cfg)
        if chart:
            from retain.analytics import charts

            charts.save(charts.flow_figure(moved, f"Stage flows {start} -> {end}"), chart)
        emit(moved, fmt, title=f"stage flows {start} -> {end}")
        return
    raw = analytics.customer_stages(orders, day, people, cfg)
    stages = _ints(
        _external(raw, people), ("days_since_last_order", "expected_gap_days", "purchases")
    )
    if explain is not None:
        match = stages[stages.customer_id == explain]
        if match.empty:
            raise NotFoundError(
                f"no customer {explain!r} as of {day}: use the external id of an imported "
                "customer known by that date"
            )
        lines = analytics.explain(match.iloc[0].to_dict(), day, cfg)
        if fmt is OutputFormat.table:
            console.print(f"customer {explain}", highlight=False)
            for line in lines:
                console.print("  " + line, highlight=False, markup=False)
        else:
            emit([{"customer_id": explain, "explanation": "\n".join(lines)}], fmt)
        return
    if chart:
        from retain.analytics import charts

        start = date(day.year - 1, day.month, 1)
        history = analytics.stage_history(orders, start, day, people, cfg)
        charts.save(charts.history_figure(history), chart)
    if customers:
        rows = stages.sort_values("customer_id")[list(CUSTOMER_COLUMNS)]
        rows["last_order_date"] = pd.to_datetime(rows["last_order_date"]).dt.date
        emit(rows, fmt, title=f"customers as of {day}")
        return
    if by is By.segment:
        from retain import audience

        per_segment = raw.merge(audience.segment_memberships(store, day), on="customer_id")
        emit(
            analytics.stage_counts(per_segment, "segment"),
            fmt,
            title=f"life-cycle stages per segment as of {day} "
            "(a customer in several segments counts in each)",
        )
        return
    emit(
        analytics.stage_counts(stages, BY_COLUMN[by] if by else None),
        fmt,
        title=f"life-cycle stages as of {day}" + (f", segment {segment}" if segment else ""),
    )


class CohortValue(StrEnum):
    retained_pct = "retained_pct"
    retained_or_later_pct = "retained_or_later_pct"
    customers = "customers"
    revenue = "revenue"
    revenue_retained_pct = "revenue_retained_pct"


class Interval(StrEnum):
    month = "month"
    week = "week"


def cohorts(
    ctx: typer.Context,
    as_of: AsOfOption = None,
    value: Annotated[
        CohortValue,
        typer.Option("--value", help="What the cohort table shows in its cells."),
    ] = CohortValue.retained_pct,
    intervals: Annotated[
        Interval | None,
        typer.Option(
            "--intervals",
            help="Instead: new, returning, resurrecting and dormant customers per month or week.",
        ),
    ] = None,
    months: Annotated[
        int, typer.Option("--months", min=1, help="Months since first purchase shown (table).")
    ] = 12,
    second_purchase: Annotated[
        bool,
        typer.Option("--second-purchase", help="Instead: days from first to second purchase."),
    ] = False,
    segment: SegmentOption = None,
    chart: ChartOption = None,
    engine: EngineOption = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Acquisition cohorts by month of first purchase, and other retention measures.

    The table format shows one row per cohort and one column per month since the first
    purchase; CSV and JSON give the long form with every measure. With --segment, only the
    orders of that saved segment's members count.
    """
    day = parse_day(as_of, "--as-of")
    tables, _cfg, _store = _load(
        ctx, db, engine, ("orders",), segment=segment, day=day, restrict=("orders",)
    )
    orders = tables["orders"]
    if intervals:
        emit(
            analytics.retention_intervals(orders, day, intervals.value),
            fmt,
            title=f"customers per {intervals.value} up to {day}",
        )
        return
    if second_purchase:
        dist = analytics.second_purchase_distribution(
            analytics.time_to_second_purchase(orders, day)
        )
        rate = analytics.repeat_purchase_rate(orders, day)
        emit(dist, fmt, title=f"days to second purchase; repeat purchase rate {rate:.1%}")
        return
    table = analytics.cohort_table(orders, day)
    if chart:
        from retain.analytics import charts

        matrix = analytics.cohort_matrix(table, value.value)
        charts.save(charts.cohort_figure(matrix, value.value), chart)
    if fmt is OutputFormat.table:
        matrix = analytics.cohort_matrix(table, value.value)
        matrix = matrix[[c for c in matrix.columns if c <= months]]
        size = table.groupby("cohort").cohort_customers.first()
        shown = matrix.reset_index()
        shown.insert(1, "size", shown.cohort.map(size))
        shown.columns = [str(c) for c in shown.columns]
        emit(shown, fmt, title=f"cohorts ({value.value}) as of {day}")
        return
    emit(table, fmt)


def rfm(
    ctx: typer.Context,
    as_of: AsOfOption = None,
    customers: Annotated[
        bool, typer.Option("--customers", help="List every customer's scores and segment.")
    ] = False,
    segment: SegmentOption = None,
    engine: EngineOption = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """RFM scores (quintiles 1-5) and the named segments (Champions ... Lost).

    With --segment, only that saved segment's members are shown; their scores are quintiles
    of every customer, and the shares are of the segment.
    """
    day = parse_day(as_of, "--as-of")
    tables, _cfg, _store = _load(ctx, db, engine, segment=segment, day=day)
    scores = analytics.rfm_scores(tables["orders"], day)
    if segment is not None:
        members = tables["customers"].customer_id.to_pyarrow().to_pylist()
        scores = scores[scores["customer_id"].isin(members)].reset_index(drop=True)
    if customers:
        emit(_external(scores, tables["customers"])[list(analytics.RFM_COLUMNS)], fmt)
        return
    emit(analytics.segment_counts(scores), fmt, title=f"RFM segments as of {day}")
