"""What every CLI command shares: the --db and --format options, output, errors."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from typer.core import TyperGroup

from retain.config import DEFAULT_DB_FILE, database_url, load_settings
from retain.errors import InvalidInputError, RetainError
from retain.store import Store, open_store


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database: a SQLite file path or a URL such as postgresql+psycopg://user@host/db "
        "(default: RETAIN_DATABASE_URL, else retain.db in the working directory).",
        show_default=False,
    ),
]
FormatOption = Annotated[
    OutputFormat,
    typer.Option("--format", "-f", help="Output: a readable table, CSV or JSON."),
]

console = Console()
err_console = Console(stderr=True)


class RetainGroup(TyperGroup):
    """A command group that shows every RetainError as ``error: ...`` on stderr, exit code 1.

    No traceback: the message says what went wrong and what to do.
    """

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except RetainError as exc:
            typer.echo(f"error: {exc.message}", err=True)
            raise typer.Exit(code=1) from None
        finally:
            while _opened_stores:
                _opened_stores.pop().dispose()


#: stores opened by the running command, closed when it ends
_opened_stores: list[Store] = []


def progress_bar(quiet: bool = False) -> Progress:
    """A Rich progress bar on stderr; silent when ``quiet`` or stderr is not a terminal."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        disable=quiet or not err_console.is_terminal,
        transient=True,
    )


def new_app(help_text: str) -> typer.Typer:
    """A Typer (sub)application with Retain's error handling and no pretty tracebacks."""
    return typer.Typer(
        help=help_text,
        cls=RetainGroup,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
        rich_markup_mode=None,
    )


def cli_store(db: str | None, default_file: str = DEFAULT_DB_FILE) -> Store:
    """Open (creating or upgrading) the store named by ``--db`` or the settings.

    The store is closed when the command ends.
    """
    store = open_store(database_url(db, load_settings(), default_file))
    _opened_stores.append(store)
    return store


def parse_day(text: str | None, what: str = "--as-of") -> date:
    """A date option (YYYY-MM-DD); None means today (UTC). The CLI edge is where "today" is read."""
    if text is None:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInputError(f"{what} must be a date YYYY-MM-DD, not {text!r}") from None


def parse_moment(text: str | None, what: str = "--now") -> datetime:
    """A time option (ISO 8601); None means now. A time without zone is in the business zone."""
    if text is None:
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInputError(
            f"{what} must be ISO 8601, e.g. 2026-03-11T09:00, not {text!r}"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=load_settings().tz)


def _plain(value: Any) -> Any:
    """A JSON-ready Python value: None for NaN/NaT, ISO text for times, text for Decimal."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    import pandas as pd  # here: every command imports this module, few print frames

    if pd.isna(value):
        return None
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):  # pandas' Timestamp too
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()  # numpy scalars
    return value


def records(data: Any) -> list[dict[str, Any]]:
    """Rows as plain dicts from a pandas DataFrame or an iterable of mappings."""
    if hasattr(data, "to_dict"):
        rows: Iterable[Mapping[str, Any]] = data.to_dict(orient="records")
    else:
        rows = data
    out = []
    for row in rows:
        out.append({str(k): _plain(v) for k, v in row.items()})
    return out


def emit(
    data: Any,
    fmt: OutputFormat,
    *,
    title: str | None = None,
    columns: Sequence[str] | None = None,
) -> None:
    """Print rows as a Rich table, CSV or JSON (a list of objects) on stdout."""
    rows = records(data)
    cols = list(columns) if columns else (list(rows[0]) if rows else [])
    if fmt is OutputFormat.json:
        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return
    if fmt is OutputFormat.csv:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=cols, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        sys.stdout.write(buf.getvalue())
        return
    table = Table(title=title, show_lines=False)
    for col in cols:
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(*("" if row.get(c) is None else str(row.get(c)) for c in cols))
    console.print(table)
