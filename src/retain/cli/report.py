"""``retain report``: the owner's Monday-morning report as one file, or its figures as JSON."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from retain.cli.common import DbOption, cli_store, parse_day
from retain.config import load_settings
from retain.errors import InvalidInputError
from retain.report import build_report, write_report


class ReportFormat(StrEnum):
    file = "file"
    json = "json"


def report(
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="The file to write: .html (one self-contained page) or .md (Markdown, with "
            "PNG charts written beside it).",
        ),
    ] = Path("retain-report.html"),
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="The date to report on, YYYY-MM-DD (default: today, UTC)."),
    ] = None,
    fmt: Annotated[
        ReportFormat,
        typer.Option(
            "--format",
            "-f",
            help="file: write the report to --output; json: print its figures as JSON instead.",
        ),
    ] = ReportFormat.file,
    db: DbOption = None,
) -> None:
    """The owner's report: stages, flows, returning customers, cohorts, NPS, themes, cases,
    revenue at risk and this week's outreach list, each figure with its definition."""
    day = parse_day(as_of)
    suffix = output.suffix.lower()
    if fmt is ReportFormat.file and suffix not in (".html", ".htm", ".md", ".markdown"):
        raise InvalidInputError(f"--output {output}: end the file name in .html or .md")
    result = build_report(cli_store(db), day, load_settings())
    if fmt is ReportFormat.json:
        sys.stdout.write(json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n")
        return
    written = write_report(result, output)
    for path in written:
        typer.echo(f"written: {path}")
