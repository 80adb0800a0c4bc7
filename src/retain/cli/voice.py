"""``retain nps`` and ``retain surveys ...``: the voice of the customer from the CLI.

Survey links are signed with the secret in ``RETAIN_SECRET_KEY`` (the same
one the web app uses to check them).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import click
import pandas as pd
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
)
from retain.config import load_settings, section
from retain.errors import ConfigError, InvalidInputError
from retain.store import Store
from retain.store import voice as db
from retain.voice import (
    Scope,
    close_loop,
    create_survey,
    export_invitations,
    invitation_table,
    invite,
    low_effort_answers,
    open_link,
    promoter_report,
    response_rates,
    score_report,
    silent_report,
    theme_report,
    trend_chart,
)
from retain.voice.scores import MIN_SAMPLE

#: the [voice] section of retain.toml
DEFAULTS = {"min_sample": MIN_SAMPLE, "base_url": "http://localhost:8000", "recontact_days": 90}


class By(StrEnum):
    overall = "overall"
    month = "month"
    quarter = "quarter"
    year = "year"
    category = "category"
    segment = "segment"
    stage = "stage"
    product = "product"
    survey = "survey"
    source = "source"


class Kind(StrEnum):
    nps = "nps"
    csat = "csat"
    review = "review"
    all = "all"


def _opened(db_url: str | None) -> Store:
    """The store of ``--db``, closed (its pooled connections too) when the command ends."""
    store = cli_store(db_url)
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.call_on_close(store.dispose)
    return store


def _when(text: str | None, what: str) -> datetime | None:
    """A date or time from the command line, in UTC (a date means its midnight)."""
    if text is None:
        return None
    try:
        ts = pd.Timestamp(text)
    except ValueError:
        raise InvalidInputError(f"{what}: cannot read {text!r} as a date; use 2026-03-10") from None
    ts = ts.tz_localize(UTC) if ts.tzinfo is None else ts.tz_convert(UTC)
    return ts.to_pydatetime()


def _secret() -> str:
    secret = os.environ.get("RETAIN_SECRET_KEY", "")
    if not secret:
        raise ConfigError(
            "survey links need a secret: set RETAIN_SECRET_KEY (the web app uses the same), "
            'e.g. export RETAIN_SECRET_KEY=$(python -c "import secrets; '
            'print(secrets.token_urlsafe(32))")'
        )
    return secret


def _segments(store: Store, path: Path | None) -> pd.DataFrame | None:
    """A ``customer_id, segment`` table from a CSV of ``customer_id`` or ``external_id``."""
    if path is None:
        return None
    try:
        table = pd.read_csv(path, dtype=str)
    except (OSError, ValueError) as exc:
        raise InvalidInputError(f"cannot read the segments file {path}: {exc}") from None
    if "segment" not in table.columns or not {"customer_id", "external_id"} & set(table.columns):
        raise InvalidInputError(
            f"{path}: a segments file needs the columns segment and customer_id "
            f"(Retain's id) or external_id; it has {', '.join(table.columns)}"
        )
    if "customer_id" in table.columns:
        ids = pd.to_numeric(table["customer_id"], errors="coerce")
        return pd.DataFrame({"customer_id": ids, "segment": table["segment"]}).dropna()
    known = db.customer_ids_by_external(store, table["external_id"].dropna().tolist())
    ids = table["external_id"].map(known)
    return pd.DataFrame({"customer_id": ids, "segment": table["segment"]}).dropna()


#: short headers of the readable table (CSV and JSON keep the full names)
SHORT = {
    "promoters": "prom",
    "passives": "pass",
    "detractors": "detr",
    "satisfied": "sat",
    "score": "score",
    "margin_of_error": "+-",
    "score_low": "low",
    "score_high": "high",
    "baseline_score": "base",
    "baseline_n": "base_n",
    "difference": "diff",
    "difference_low": "diff_low",
    "difference_high": "diff_high",
    "p_value": "p",
    "significant": "real",
}
LEGEND = {
    False: "score: NPS points; +-: 95% margin of error; low..high: 95% score interval",
    True: "score: % satisfied (4-5 of 5); +-: 95% margin of error; low..high: Wilson interval",
}
BASELINE_LEGEND = (
    "diff: against the baseline, with its interval; p: test of no change; real: p < 0.05"
)


def nps(
    by: Annotated[By, typer.Option("--by", help="Group the answers.")] = By.overall,
    baseline: Annotated[
        str | None,
        typer.Option(
            "--baseline",
            help="Compare each group with this period: 2025, 2025Q1, 2025-03 or A..B.",
        ),
    ] = None,
    survey: Annotated[
        str | None, typer.Option("--survey", help="Only this survey (id or name).")
    ] = None,
    kind: Annotated[
        Kind,
        typer.Option(
            "--kind",
            help="nps answers, csat answers (% satisfied), reviews (on the 0-10 scale) or all.",
        ),
    ] = Kind.nps,
    since: Annotated[str | None, typer.Option("--since", help="Answers from this date.")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Answers before this date.")] = None,
    segments: Annotated[
        Path | None,
        typer.Option("--segments", help="CSV of customer_id (or external_id) and segment."),
    ] = None,
    segment: Annotated[
        list[str] | None,
        typer.Option(
            "--segment",
            help="With --by segment: this saved segment (repeatable; default: every saved "
            "segment when no --segments file is given). A customer in several counts in each.",
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Date of the life-cycle stages and saved segments' members (default: today).",
        ),
    ] = None,
    population: Annotated[
        int | None,
        typer.Option(
            "--population",
            help="Customers who could answer, for the finite-population correction "
            "(overall only; 0 = the customers in the store).",
        ),
    ] = None,
    chart: Annotated[
        Path | None,
        typer.Option(
            "--chart", help="Draw the scores with their interval band to FILE (.png/.svg)."
        ),
    ] = None,
    db_url: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """NPS with counts, margin of error and intervals, by period, category, segment or stage.

    The denominator is answers, not invitations. Groups under the minimum sample
    ([voice] min_sample, default 30) carry a warning.
    """
    store = _opened(db_url)
    cfg = section(load_settings(), "voice", DEFAULTS)
    now = datetime.now(UTC)
    pop = db.customer_count(store) if population == 0 else population
    scope = Scope(
        survey=survey,
        kind=kind.value,
        since=_when(since, "--since"),
        until=_when(until, "--until"),
    )
    day = _when(as_of, "--as-of") or now
    if segment and (by is not By.segment or segments is not None):
        raise InvalidInputError(
            "--segment NAME scores saved segments: use it with --by segment and without "
            "--segments FILE"
        )
    if by is By.segment and segments is None:
        from retain.audience.by_segment import segment_scores

        table = segment_scores(
            store,
            scope,
            as_of=day,
            names=segment or None,
            baseline=baseline,
            min_n=int(cfg["min_sample"]),
        )
    else:
        table = score_report(
            store,
            scope,
            by=by.value,
            baseline=baseline,
            segments=_segments(store, segments),
            as_of=day,
            population=pop,
            min_n=int(cfg["min_sample"]),
        )
    if chart is not None:
        if kind is Kind.csat:
            raise InvalidInputError("--chart draws NPS; leave out --kind csat")
        trend_chart(table, chart, title=f"NPS by {by.value}" + (f" ({survey})" if survey else ""))
    if fmt is OutputFormat.table:
        hidden = ["low", "high", "standard_error", "population", "fpc", "warning"]
        if baseline is not None:  # keep the table readable in 80 columns
            hidden += ["promoters", "passives", "detractors", "baseline_n"]
        shown = table.drop(columns=hidden, errors="ignore")
        shown = shown.rename(columns=SHORT).round(1)
        for col in shown.select_dtypes("float").columns:
            shown[col] = shown[col] + 0.0  # no "-0.0"
        if "p" in shown:
            shown["p"] = table["p_value"].round(4)
        emit(shown, fmt, title=f"{kind.value.upper()} by {by.value} (n = answers)")
        console.print(LEGEND[kind is Kind.csat])
        if baseline is not None and kind is not Kind.csat:
            console.print(BASELINE_LEGEND)
        for group, warning in zip(table["group"], table["warning"], strict=True):
            if isinstance(warning, str) and warning:
                err_console.print(f"warning: {group}: {warning}")
        if chart is not None:
            console.print(f"chart written to {chart}")
        return
    emit(table, fmt)


surveys_app = new_app("NPS and CSAT surveys: create, invite, import answers and reviews, list.")


@surveys_app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="The survey's name, e.g. 'NPS 2026'.")],
    kind: Annotated[str, typer.Option("--kind", help="nps (0-10) or csat (1-5).")] = "nps",
    question: Annotated[
        str | None, typer.Option("--question", help="The question (default: the standard one).")
    ] = None,
    follow_up: Annotated[
        str | None, typer.Option("--follow-up", help="An optional open follow-up question.")
    ] = None,
    category: Annotated[
        list[str] | None,
        typer.Option("--category", help="A category scored separately (repeatable)."),
    ] = None,
    open_link_: Annotated[
        bool, typer.Option("--open-link", help="Add an anonymous link anyone can answer.")
    ] = False,
    closes_at: Annotated[
        str | None, typer.Option("--closes-at", help="Stop taking answers at this date.")
    ] = None,
    db_url: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Create an NPS or CSAT survey."""
    store = _opened(db_url)
    sid = create_survey(
        store,
        name,
        now=datetime.now(UTC),
        kind=kind,
        question=question,
        follow_up_question=follow_up,
        categories=category or (),
        open_link=open_link_,
        closes_at=_when(closes_at, "--closes-at"),
    )
    row = db.get_survey(store, sid)
    base = section(load_settings(), "voice", DEFAULTS)["base_url"]
    emit(
        [
            {
                "id": sid,
                "name": row["name"],
                "kind": row["kind"],
                "categories": ", ".join(row["categories"] or []),
                "open_link": open_link(base, row["open_link_key"])
                if row["open_link_key"]
                else None,
            }
        ],
        fmt,
        title="survey created",
    )


@surveys_app.command("invite")
def invite_(
    survey: Annotated[str, typer.Argument(help="The survey (id or name).")],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write the invitations with their links to this CSV."),
    ] = None,
    expires_in_days: Annotated[
        int, typer.Option("--expires-in-days", help="Days a link stays valid.")
    ] = 30,
    recontact_days: Annotated[
        int | None,
        typer.Option(
            "--recontact-days",
            help="Skip customers invited or answering within this many days (default 90).",
        ),
    ] = None,
    sample: Annotated[
        float | None,
        typer.Option("--sample", help="Invite a random sample: a count, or a share below 1."),
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Seed of the random sample.")] = None,
    base_url: Annotated[
        str | None,
        typer.Option("--base-url", help="Address of the web app for the links ([voice] base_url)."),
    ] = None,
    all_: Annotated[
        bool,
        typer.Option("--all", help="Export every invitation of the survey, not only new ones."),
    ] = False,
    segment: Annotated[
        str | None,
        typer.Option("--segment", help="Only the members of this saved segment (as of today)."),
    ] = None,
    db_url: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Invite the eligible customers to a survey and export their links as CSV for a mail tool.

    Left out: do-not-contact customers, withdrawn e-mail consent, confirmed competitors,
    merged duplicates, customers invited or answering within the recontact window, and
    those already invited. --segment narrows the audience to a saved segment.
    """
    store = _opened(db_url)
    cfg = section(load_settings(), "voice", DEFAULTS)
    secret = _secret()
    survey_id = db.get_survey(store, survey)["id"]
    count = sample
    if sample is not None and sample >= 1:
        if sample != int(sample):
            raise InvalidInputError(f"--sample {sample}: give a whole count or a share below 1")
        count = int(sample)
    now = datetime.now(UTC)
    members = None
    if segment is not None:
        from retain.audience import segment_members

        members = sorted(segment_members(store, segment, now))
    new = invite(
        store,
        survey_id,
        now=now,
        customer_ids=members,
        expires_in_days=expires_in_days,
        recontact_days=int(cfg["recontact_days"] if recontact_days is None else recontact_days),
        sample=count,
        seed=seed,
        secret=secret,
        channel="export" if out else None,
    )
    table = invitation_table(store, survey_id, secret=secret, base_url=base_url or cfg["base_url"])
    if not all_:
        table = table[table["invitation_id"].isin([i.id for i in new])]
    if out is not None:
        export_invitations(table, out)
    summary = {"survey": survey_id, "invited": len(new), "exported": len(table) if out else 0}
    summary["file"] = str(out) if out else None
    emit([summary], fmt, title="invitations")


@surveys_app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="CSV or Parquet of answers or reviews.")],
    map_: Annotated[
        list[str] | None,
        typer.Option("--map", help="Map a column to a field: SOURCE=FIELD (repeatable)."),
    ] = None,
    skip_bad: Annotated[
        bool, typer.Option("--skip-bad", help="Import the good rows, write the bad ones aside.")
    ] = False,
    date_format: Annotated[
        str | None, typer.Option("--date-format", help="strptime format of dates.")
    ] = None,
    open_cases_within: Annotated[
        int,
        typer.Option(
            "--open-cases-within",
            help="Open follow-up cases for detractors and bad reviews of the last DAYS (0: none).",
        ),
    ] = 30,
    db_url: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Import survey answers and reviews collected elsewhere (Google, Trustpilot...).

    Ratings on their own scale (e.g. 1-5 stars) are mapped to the 0-10 scale;
    customers are matched by id or e-mail. Recent detractors and reviews of 2
    stars or less open a follow-up case.
    """
    from retain.cli.records import run_import, show_import
    from retain.ingest.mapping import parse_map_options

    store = _opened(db_url)
    report = run_import(
        store,
        "feedback",
        file,
        load_settings(),
        parse_map_options(map_),
        skip_bad,
        date_format,
        quiet=fmt is not OutputFormat.table,
    )
    cases: dict[int, int] = {}
    if open_cases_within > 0:
        # all recent feedback, not only this batch: a re-import changes no rows but the
        # loop must still hold (open_case never opens a second case for one feedback)
        cases = close_loop(store, now=datetime.now(UTC), max_age_days=open_cases_within)
    show_import(report, fmt)
    if fmt is OutputFormat.table:
        console.print(
            f"follow-up cases for detractors and bad reviews of the last {open_cases_within} "
            f"days: {len(cases)}"
        )


@surveys_app.command("list")
def list_(db_url: DbOption = None, fmt: FormatOption = OutputFormat.table) -> None:
    """List the surveys with invitations, answers and the response rate (answered / invited)."""
    store = _opened(db_url)
    table = response_rates(store)
    if fmt is OutputFormat.table:
        table = table.drop(columns=["created_at", "closes_at"])
    emit(table, fmt, title="surveys (response_rate = answered / invited)")


@surveys_app.command("themes")
def themes(
    survey: Annotated[str | None, typer.Option("--survey", help="Only this survey.")] = None,
    kind: Annotated[Kind, typer.Option("--kind", help="Which feedback to read.")] = Kind.all,
    since: Annotated[str | None, typer.Option("--since", help="Comments from this date.")] = None,
    min_count: Annotated[
        int | None, typer.Option("--min-count", help="Comments a phrase needs (default 1%, >= 3).")
    ] = None,
    db_url: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Recurring themes in comments, ranked by how much they pull NPS down (nps_drag)."""
    store = _opened(db_url)
    table = theme_report(
        store,
        Scope(survey=survey, kind=kind.value, since=_when(since, "--since")),
        min_count=min_count,
    )
    if fmt is OutputFormat.table:
        table = table.round({"share": 3, "nps": 1, "nps_rest": 1, "nps_drag": 1})
        table["phrases"] = [", ".join(p.split(", ")[:4]) for p in table["phrases"]]
        cols = ["theme", "mentions", "share", "nps", "nps_drag", "detractors", "phrases"]
        emit(table, fmt, title="comment themes (nps_drag: points the theme costs)", columns=cols)
        return
    emit(table, fmt)


@surveys_app.command("low-effort")
def low_effort(
    survey: Annotated[str | None, typer.Option("--survey", help="Only this survey.")] = None,
    db_url: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Answers whose comment says nothing ("fine", "ok", "good"): quiet customers at risk."""
    store = _opened(db_url)
    emit(
        low_effort_answers(store, Scope(survey=survey, kind="all")), fmt, title="low-effort answers"
    )


@surveys_app.command("silent")
def silent(
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date (default: today).")] = None,
    window_days: Annotated[
        int, typer.Option("--window-days", help="Compare buying in the last DAYS with before.")
    ] = 180,
    db_url: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Silent customers: invited at least twice, never answered, and buying less."""
    store = _opened(db_url)
    when = _when(as_of, "--as-of") or datetime.now(UTC)
    emit(silent_report(store, as_of=when, window_days=window_days), fmt, title="silent customers")


@surveys_app.command("promoters")
def promoters(
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date (default: today).")] = None,
    within_days: Annotated[
        int, typer.Option("--within-days", help="Promoters who answered in the last DAYS.")
    ] = 90,
    db_url: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Promoters (9-10) with no review since: the ones to ask for a review or a referral."""
    store = _opened(db_url)
    when = _when(as_of, "--as-of") or datetime.now(UTC)
    emit(promoter_report(store, as_of=when, within_days=within_days), fmt, title="promoters")
