"""``retain init``, ``retain import`` and ``retain status``: the records store from the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from retain.cli.common import (
    DbOption,
    FormatOption,
    OutputFormat,
    cli_store,
    console,
    emit,
    progress_bar,
)
from retain.config import Settings, load_settings
from retain.ingest import KINDS, ImportReport, import_file
from retain.ingest.mapping import parse_map_options
from retain.store import Store
from retain.store.migrate import current_revision
from retain.store.queries import record_counts


def init(db: DbOption = None) -> None:
    """Create the database, or upgrade it to the newest schema."""
    store = cli_store(db)
    console.print(f"database ready: {store!r} at schema revision {current_revision(store)}")


def import_(
    kind: Annotated[str, typer.Argument(help=f"What the file holds: {', '.join(KINDS)}.")],
    file: Annotated[Path, typer.Argument(help="A CSV or Parquet file.")],
    map_: Annotated[
        list[str] | None,
        typer.Option("--map", help="Map a column to a field: SOURCE=FIELD (repeatable)."),
    ] = None,
    skip_bad: Annotated[
        bool,
        typer.Option(
            "--skip-bad",
            help="Import the good rows; write rejected rows with reasons to FILE.rejected.csv.",
        ),
    ] = False,
    date_format: Annotated[
        str | None,
        typer.Option("--date-format", help="strptime format of dates, e.g. %d/%m/%Y."),
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option("--timezone", help="Time zone of times without one (default: settings)."),
    ] = None,
    currency: Annotated[
        str | None,
        typer.Option("--currency", help="Currency of amounts without one (default: settings)."),
    ] = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Import customers, orders, interactions or feedback from a CSV or Parquet file."""
    settings = load_settings()
    if timezone or currency:
        from dataclasses import replace

        settings = replace(
            settings,
            timezone=timezone or settings.timezone,
            currency=(currency or settings.currency).upper(),
        )
        settings.tz  # noqa: B018 - validates the zone name
    store = cli_store(db)
    report = run_import(
        store,
        kind,
        file,
        settings,
        parse_map_options(map_),
        skip_bad,
        date_format,
        quiet=fmt is not OutputFormat.table,
    )
    show_import(report, fmt)


def run_import(
    store: Store,
    kind: str,
    file: Path,
    settings: Settings,
    mapping: dict[str, str],
    skip_bad: bool,
    date_format: str | None,
    quiet: bool = False,
) -> ImportReport:
    """Import one file with a progress bar on stderr (none when ``quiet``)."""
    with progress_bar(quiet) as bar:
        task = bar.add_task(f"importing {kind} from {Path(file).name}", total=None)

        def hook(phase: str, done: int, total: int) -> None:
            bar.update(task, total=total or None, advance=done)

        return import_file(
            store,
            kind,
            file,
            settings=settings,
            mapping=mapping,
            skip_bad=skip_bad,
            date_format=date_format,
            progress=hook,
        )


def show_import(report: ImportReport, fmt: OutputFormat) -> None:
    """Print an import's counts (and where rejected rows went)."""
    row = {
        "kind": report.kind,
        "file": report.file,
        "read": report.rows_read,
        "inserted": report.inserted,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "rejected": report.rows_rejected,
        "customers_created": report.customers_created,
        "batch": report.batch_id,
    }
    if fmt is OutputFormat.json:
        row["rejected_file"] = report.rejected_file
        row["ignored_columns"] = report.ignored_columns
        row["problems"] = [str(p) for p in report.rejected]
    emit([row], fmt, title="import")
    if fmt is OutputFormat.table:
        if report.rejected_file:
            console.print(f"rejected rows and reasons written to {report.rejected_file}")
        if report.ignored_columns:
            console.print(f"columns not imported: {', '.join(report.ignored_columns)}")


def status(db: DbOption = None, fmt: FormatOption = OutputFormat.table) -> None:
    """Show how many records of each kind the database holds."""
    store = cli_store(db)
    emit([{"table": k, "rows": n} for k, n in record_counts(store).items()], fmt, title=repr(store))
