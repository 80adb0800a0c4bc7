"""``retain clv fit|predict|evaluate|profit``: customer value from the CLI.

``fit`` fits a purchase model (BG/NBD, MBG/NBD or Pareto/NBD) and Gamma-Gamma on the
store's orders as of a date and stores every customer's P(alive), expected purchases,
expected spend and CLV (:mod:`retain.clv.scores`); ``predict`` prints the stored scores;
``evaluate`` compares the models on a calibration/holdout split; ``profit`` lists the
relationships with a negative expected margin, with the evidence. Defaults come from the
``[clv]`` section of retain.toml; ``--as-of`` defaults to today (UTC).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from retain.cli.common import (
    DbOption,
    FormatOption,
    OutputFormat,
    cli_store,
    console,
    emit,
    err_console,
    new_app,
    parse_day,
)
from retain.clv import scores as service
from retain.config import load_settings, section
from retain.errors import NotFoundError

app = new_app("Customer value: P(alive), expected purchases, CLV and unprofitable relationships.")

#: the [clv] section of retain.toml
DEFAULTS: dict[str, Any] = {
    "model": "bgnbd",
    "horizon_months": 12,
    "discount_rate": 0.10,
    "holdout_months": 6,
    "cost_per_case": 15.0,
    "cost_per_touchpoint": 2.5,
}
#: columns of ``retain clv predict`` (JSON fields)
PREDICT_COLUMNS = (
    "customer_id",
    "p_alive",
    "expected_purchases",
    "expected_spend_minor",
    "clv_minor",
    "currency",
    "horizon_months",
    "model",
    "model_version",
    "as_of",
)

INTERVAL_COLUMNS = (
    "p_alive_low",
    "p_alive_high",
    "expected_purchases_low",
    "expected_purchases_high",
)


class Model(StrEnum):
    bgnbd = "bgnbd"
    mbgnbd = "mbgnbd"
    pareto = "pareto"


AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="Use the orders up to this date, YYYY-MM-DD (default: today)."),
]
ChartOption = Annotated[
    Path | None, typer.Option("--chart", help="Also write a chart to FILE (.png or .svg).")
]
ModelOption = Annotated[
    Model | None,
    typer.Option("--model", help="Purchase model: bgnbd (BG/NBD), mbgnbd or pareto (Pareto/NBD)."),
]


def _settings() -> tuple[Any, dict[str, Any]]:
    settings = load_settings()
    return settings, section(settings, "clv", DEFAULTS)


def _currency(settings: Any) -> str | None:
    """The business currency when one is configured; None: the orders' own (one only)."""
    configured = settings.sections.get("business", {}).get("currency")
    return settings.currency if configured or os.environ.get("RETAIN_CURRENCY") else None


def _tell(level: str, message: str, fmt: OutputFormat) -> None:
    """The trust message: on stdout under a table, on stderr beside CSV/JSON when not good."""
    if fmt is OutputFormat.table:
        console.print(f"trust: {level}. {message}", highlight=False, markup=False, soft_wrap=True)
    elif level != "good":
        err_console.print(
            f"trust: {level}. {message}", highlight=False, markup=False, soft_wrap=True
        )


def fit(
    as_of: AsOfOption = None,
    model: ModelOption = None,
    horizon: Annotated[
        int | None, typer.Option("--horizon", help="CLV horizon in months (default 12).")
    ] = None,
    discount: Annotated[
        float | None,
        typer.Option("--discount", help="Yearly discount rate, e.g. 0.10 for 10% (default)."),
    ] = None,
    chart: ChartOption = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Fit the CLV models on the orders as of a date and store every customer's scores."""
    settings, cfg = _settings()
    day = parse_day(as_of)
    run = service.fit_scores(
        cli_store(db),
        as_of=day,
        model=(model.value if model else str(cfg["model"])),
        horizon_months=horizon if horizon is not None else int(cfg["horizon_months"]),
        discount_rate=discount if discount is not None else float(cfg["discount_rate"]),
        currency=_currency(settings),
        fitted_at=datetime.now(UTC),
    )
    if chart:
        from retain.clv.charts import plot_period_transactions

        seen = run.summary[run.summary["T"] > 0]
        plot_period_transactions(run.model, seen["frequency"], seen["T"], chart)
    f = run.fit
    row: dict[str, Any] = {k: f[k] for k in ("model", "model_version", "as_of")}
    row.update({k: round(v, 6) for k, v in f["params"]["purchases"].items()})
    for k, v in (f["params"]["spend"] or {}).items():
        row[f"spend_{k}"] = round(v, 6)
    row.update(
        log_likelihood=round(f["log_likelihood"], 3),
        customers=f["customers"],
        repeat_buyers=f["repeat_buyers"],
        scored=len(run.scores),
        total_clv_minor=int(run.scores["clv_minor"].sum()),
        currency=f["currency"],
        horizon_months=f["horizon_months"],
        discount_rate=f["discount_rate"],
        trust_level=f["trust_level"],
        trust_message=f["trust_message"],
        fitted_at=f["fitted_at"],
    )
    if fmt is OutputFormat.table:
        emit(
            [{"field": k, "value": v} for k, v in row.items() if k != "trust_message"],
            fmt,
            title=f"CLV fit as of {day}",
        )
    else:
        emit([row], fmt)
    _tell(f["trust_level"], f["trust_message"], fmt)


def predict(
    model: ModelOption = None,
    customer: Annotated[
        str | None, typer.Option("--customer", help="Only this customer (external id).")
    ] = None,
    top: Annotated[
        int | None, typer.Option("--top", min=1, help="Only the N customers of highest CLV.")
    ] = None,
    intervals: Annotated[
        bool,
        typer.Option(
            "--intervals",
            help="Add 90% bounds of P(alive) and expected purchases from the parameter "
            "uncertainty (recomputes the shown customers' histories; use with --top).",
        ),
    ] = False,
    chart: ChartOption = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Print the stored scores: P(alive), expected purchases, expected spend and CLV."""
    store = cli_store(db)
    fit_row, transaction, _ = service.load_models(store, model.value if model else None)
    rows = service.latest_scores(store, fit_row["model"])
    rows["store_id"] = rows["customer_id"]
    rows["customer_id"] = rows.pop("external_id")
    if customer is not None:
        rows = rows[rows["customer_id"] == customer]
        if rows.empty:
            raise NotFoundError(f"no stored score for customer {customer!r}: use an external id")
    rows = rows.sort_values(["clv_minor", "customer_id"], ascending=[False, True])
    if top is not None:
        rows = rows.head(top)
    if chart:
        from retain.clv.charts import plot_frequency_recency

        horizon_days = fit_row["horizon_months"] * service.DAYS_PER_MONTH
        plot_frequency_recency(transaction, chart, T=365.0, t=horizon_days)
    columns = list(PREDICT_COLUMNS)
    if intervals:
        bounds = service.stored_intervals(store, fit_row, transaction, rows["store_id"])
        rows = rows.merge(bounds.rename(columns={"customer_id": "store_id"}), on="store_id")
        columns[3:3] = INTERVAL_COLUMNS
    rows = rows[columns].round({c: 4 for c in ("p_alive", "expected_purchases", *INTERVAL_COLUMNS)})
    narrow = (
        [c for c in columns if c not in PREDICT_COLUMNS[6:]] if fmt is OutputFormat.table else None
    )
    emit(rows, fmt, title=f"CLV scores ({fit_row['model_version']})", columns=narrow)
    _tell(fit_row["trust_level"], fit_row["trust_message"], fmt)


def evaluate(
    as_of: AsOfOption = None,
    holdout: Annotated[
        int | None,
        typer.Option("--holdout", help="Months before --as-of held out for the test (6)."),
    ] = None,
    chart: ChartOption = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Which model fits this business best: calibration/holdout errors of every model."""
    settings, cfg = _settings()
    day = parse_day(as_of)
    log = service.purchases_log(service.read_orders(cli_store(db), _currency(settings)))
    months = holdout if holdout is not None else int(cfg["holdout_months"])
    table, buckets, failed = service.evaluate_models(log, as_of=day, holdout_months=months)
    for name, why in failed.items():
        err_console.print(f"{name} could not be fitted: {why}", highlight=False, markup=False)
    if chart:
        from retain.clv.charts import plot_calibration_holdout

        best = next(m for m in table["model"] if m in buckets)
        plot_calibration_holdout(buckets[best], chart)
    emit(table.round(4), fmt, title=f"models on the {months} months before {day}")


def profit(
    as_of: AsOfOption = None,
    model: ModelOption = None,
    cost_per_case: Annotated[
        float | None,
        typer.Option("--cost-per-case", help="Cost of one service case, money units (15)."),
    ] = None,
    cost_per_touchpoint: Annotated[
        float | None,
        typer.Option("--cost-per-touchpoint", help="Cost of one touchpoint (2.5)."),
    ] = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Relationships that cost more than they bring, with the evidence (nothing is changed).

    Uses the stored CLV of --model (or the newest fit) as the future value; without a
    stored fit, the margin to date.
    """
    settings, cfg = _settings()
    day = parse_day(as_of)
    worst = service.unprofitable_relationships(
        cli_store(db),
        as_of=day,
        currency=_currency(settings),
        cost_per_case=cost_per_case if cost_per_case is not None else cfg["cost_per_case"],
        cost_per_touchpoint=(
            cost_per_touchpoint if cost_per_touchpoint is not None else cfg["cost_per_touchpoint"]
        ),
        model=model.value if model else None,
    )
    worst["customer_id"] = worst.pop("external_id")
    cols = ["customer_id", "margin", "future_value", "future_margin", "currency", "evidence"]
    emit(
        worst[cols].round(2),
        fmt,
        title=f"relationships with a negative expected margin as of {day}",
    )


app.command("fit")(fit)
app.command("predict")(predict)
app.command("evaluate")(evaluate)
app.command("profit")(profit)
