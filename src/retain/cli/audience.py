"""``retain segments``, ``retain dedupe``, ``retain competitors``: audiences and a clean list.

Thin layer over :mod:`retain.audience`: each command parses its options,
calls one service function and prints the result as a table, CSV or JSON.
"""

from __future__ import annotations

import getpass
from datetime import UTC, date, datetime
from typing import Annotated

import numpy as np
import pandas as pd
import typer

from retain import audience
from retain.cli.common import (
    DbOption,
    FormatOption,
    OutputFormat,
    cli_store,
    console,
    emit,
    new_app,
    parse_day,
)
from retain.store import audience as db

segments_app = new_app(
    "Segments: named audiences by demographics and behaviour, sized and profiled."
)
dedupe_app = new_app("Duplicate customers: find likely pairs, merge them, undo a merge.")
competitors_app = new_app("Competitors in the customer list: flag, review, confirm.")

AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="The date to look from, YYYY-MM-DD (default: today, UTC)."),
]
PAIR_COLUMNS = ("customer_id_a", "customer_id_b", "score", "evidence")
SIZE_COLUMNS = (
    "segment",
    "customers",
    "total",
    "share",
    "revenue",
    "revenue_share",
    "clv",
    "value_share",
    "warnings",
)


def _now() -> datetime:
    return datetime.now(UTC)


def _round(frame: pd.DataFrame, digits: int = 4) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col].dtype) and col not in ("p_value", "q_value"):
            out[col] = out[col].round(digits)
    return out


# --- segments


@segments_app.command("create")
def segments_create(
    name: Annotated[str, typer.Argument(help="The segment's name, e.g. 'young-loyal-de'.")],
    expression: Annotated[
        str,
        typer.Argument(
            help="The filter, e.g. 'stage in (loyal, active) and country = \"DE\"' "
            "(fields: see docs/audience.md)."
        ),
    ],
    description: Annotated[
        str | None, typer.Option("--description", help="What the segment is for.")
    ] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Change the segment if the name exists.")
    ] = False,
    as_of: AsOfOption = None,
    db_url: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Save a segment after checking its filter, and show its size."""
    store = cli_store(db_url)
    audience.create_segment(
        store, name, expression, _now(), description=description, replace=replace
    )
    _show_size(store, name, expression, parse_day(as_of), fmt)


def _show_size(store, name: str, expression: str, day: date, fmt: OutputFormat) -> None:
    cfg = audience.audience_settings()
    frame = audience.load_audience(store, day)
    size = audience.segment_size(
        frame,
        audience.evaluate(expression, frame),
        min_size=int(cfg["min_segment_size"]),
        max_share=float(cfg["max_segment_share"]),
    )
    row = {"segment": name, **size.to_dict()}
    emit(
        _round(pd.DataFrame([row])), fmt, title=f"segment {name} as of {day}", columns=SIZE_COLUMNS
    )
    if fmt is OutputFormat.table:
        for warning in size.warnings:
            console.print(f"warning: {warning}", highlight=False, markup=False)


@segments_app.command("list")
def segments_list(db_url: DbOption = None, fmt: FormatOption = OutputFormat.table) -> None:
    """List the saved segments and their filters."""
    rows = [
        {k: s[k] for k in ("name", "expression", "description", "updated_at")}
        for s in db.list_segments(cli_store(db_url))
    ]
    emit(rows, fmt, title="segments", columns=("name", "expression", "description", "updated_at"))


@segments_app.command("show")
def segments_show(
    name: Annotated[str, typer.Argument(help="The segment's name.")],
    members: Annotated[
        bool, typer.Option("--members", help="List the members (external ids) instead.")
    ] = False,
    as_of: AsOfOption = None,
    db_url: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Show a segment's size, share of revenue and value, and warnings (or its members)."""
    store = cli_store(db_url)
    segment = db.get_segment(store, name)
    day = parse_day(as_of)
    if members:
        frame = audience.load_audience(store, day)
        chosen = frame[audience.evaluate(segment["expression"], frame)]
        cols = ["customer_id", "name", "stage", "rfm_segment", "revenue", "clv", "nps_group"]
        emit(_round(chosen[cols], 2), fmt, title=f"members of {name} as of {day}")
        return
    _show_size(store, name, segment["expression"], day, fmt)


@segments_app.command("profile")
def segments_profile(
    name: Annotated[
        str | None,
        typer.Argument(
            help="The segment to profile (default: the best customers, RFM Champions and Loyal)."
        ),
    ] = None,
    compare: Annotated[
        bool,
        typer.Option(
            "--compare",
            help="Instead: every saved segment side by side (NPS, CLV, retention, stage mix).",
        ),
    ] = False,
    alpha: Annotated[
        float, typer.Option("--alpha", help="False discovery rate for 'significant'.")
    ] = 0.05,
    all_rows: Annotated[
        bool, typer.Option("--all", help="Show every trait, not only the significant ones.")
    ] = False,
    as_of: AsOfOption = None,
    db_url: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """What sets a segment apart from the rest (tests corrected by Benjamini-Hochberg)."""
    store = cli_store(db_url)
    day = parse_day(as_of)
    frame = audience.load_audience(store, day)
    if compare:
        masks = {"everyone": np.ones(len(frame), dtype=bool)}
        for s in db.list_segments(store):
            masks[s["name"]] = audience.evaluate(s["expression"], frame)
        emit(
            _round(audience.compare_segments(frame, masks)),
            fmt,
            title=f"segments side by side as of {day}",
        )
        return
    if name is None:
        label, mask = "best customers", frame["rfm_segment"].isin(["Champions", "Loyal"]).to_numpy()
    else:
        label, mask = name, audience.evaluate(db.get_segment(store, name)["expression"], frame)
    result = audience.profile(frame, mask, alpha=alpha)
    if not all_rows:
        result = result[result["significant"]]
    emit(_round(result), fmt, title=f"{label} against the rest as of {day}")


@segments_app.command("delete")
def segments_delete(
    name: Annotated[str, typer.Argument(help="The segment's name.")],
    db_url: DbOption = None,
) -> None:
    """Remove a saved segment."""
    db.delete_segment(cli_store(db_url), name)
    console.print(f"segment {name} removed", highlight=False, markup=False)


# --- duplicates


@dedupe_app.command("find")
def dedupe_find(
    min_score: Annotated[
        float | None,
        typer.Option("--min-score", help="Lowest score 0-1 to list (default 0.5, [audience])."),
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", help="At most this many pairs.")] = None,
    region: Annotated[
        str | None,
        typer.Option(
            "--region", help="Country of phone numbers of customers without one, e.g. DE."
        ),
    ] = None,
    db_url: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """List likely duplicate customers, best first, with a score 0-1 and the evidence."""
    pairs = audience.duplicate_candidates(
        cli_store(db_url), min_score=min_score, default_region=region
    )
    if limit is not None:
        pairs = pairs.head(limit)
    emit(_round(pairs[list(PAIR_COLUMNS)]), fmt, title="likely duplicates")


@dedupe_app.command("merge")
def dedupe_merge(
    survivor: Annotated[str, typer.Argument(help="External id of the customer to keep.")],
    merged: Annotated[str, typer.Argument(help="External id of the duplicate to merge into it.")],
    db_url: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Merge a duplicate into the customer to keep: records move, the audit allows undo."""
    store = cli_store(db_url)
    merge_id = audience.merge_duplicates(store, survivor, merged, _now(), by=getpass.getuser())
    emit([{"merge": merge_id, "survivor": survivor, "merged": merged}], fmt, title="merged")
    if fmt is OutputFormat.table:
        console.print(f"undo with: retain dedupe undo {merge_id}", highlight=False, markup=False)


@dedupe_app.command("undo")
def dedupe_undo(
    merge_id: Annotated[
        int | None, typer.Argument(help="The merge to undo (see --list).", show_default=False)
    ] = None,
    list_: Annotated[bool, typer.Option("--list", help="List the merges instead.")] = False,
    db_url: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Undo a merge: records, fields and flags as before it; or list the merges."""
    store = cli_store(db_url)
    if list_ or merge_id is None:
        emit(
            db.list_merges(store),
            fmt,
            title="merges",
            columns=("id", "survivor", "merged", "merged_at", "merged_by", "score", "undone_at"),
        )
        return
    row = audience.undo_merge(store, merge_id, _now())
    emit([{"merge": merge_id, "undone_at": row["undone_at"]}], fmt, title="undone")


# --- competitors


@competitors_app.command("flag")
def competitors_flag(
    name: Annotated[
        list[str] | None,
        typer.Option(
            "--name", help="A competitor's name (repeatable; default: [audience] competitors)."
        ),
    ] = None,
    domain: Annotated[
        list[str] | None,
        typer.Option(
            "--domain",
            help="A competitor's e-mail domain (repeatable; default: "
            "[audience] competitor_domains).",
        ),
    ] = None,
    threshold: Annotated[
        float | None, typer.Option("--threshold", help="Fuzzy match threshold 0-100 (default 90).")
    ] = None,
    db_url: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Flag customers whose e-mail domain, company or name matches a competitor as suspected."""
    found = audience.flag_competitors(
        cli_store(db_url), _now(), names=name, domains=domain, threshold=threshold
    )
    emit(
        found,
        fmt,
        title="competitor matches",
        columns=("customer_id", "reason", "matched", "score", "status"),
    )


@competitors_app.command("list")
def competitors_list(db_url: DbOption = None, fmt: FormatOption = OutputFormat.table) -> None:
    """List suspected and confirmed competitors."""
    frame = db.customer_frame(cli_store(db_url))
    rows = frame[frame["competitor_status"] != "none"]
    emit(
        rows[["external_id", "name", "email", "company", "competitor_status"]].rename(
            columns={"external_id": "customer_id"}
        ),
        fmt,
        title="competitors",
    )


@competitors_app.command("confirm")
def competitors_confirm(
    customer_ids: Annotated[list[str], typer.Argument(help="External ids to confirm.")],
    clear: Annotated[
        bool, typer.Option("--clear", help="Not competitors after all: set them back to none.")
    ] = False,
    db_url: DbOption = None,
) -> None:
    """Confirm competitors (left out of analytics and outreach), or clear them with --clear."""
    status = "none" if clear else "confirmed"
    n = audience.confirm_competitors(cli_store(db_url), customer_ids, _now(), status=status)
    console.print(f"{n} customer(s) now {status}", highlight=False, markup=False)
