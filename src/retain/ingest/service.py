"""Importing one file: read, map, validate, then upsert in one transaction.

By default any bad value rejects the whole file and nothing is written.
With ``skip_bad`` the good rows are imported and the rejected ones are
written, with their reasons, to ``<file>.rejected.csv`` beside the input.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from retain.config import Settings
from retain.errors import ImportRejectedError, InvalidInputError, Problem
from retain.ingest.fields import KINDS
from retain.ingest.mapping import resolve_columns
from retain.ingest.reader import RawTable, read_table
from retain.ingest.validation import prepare
from retain.store import Store
from retain.store.bulk import known_usernames, merge_records

#: (phase, rows done in this step, rows in the phase) for progress bars
ProgressHook = Callable[[str, int, int], None]


@dataclass
class ImportReport:
    """What one import did; ``rejected`` lists the problems of skipped rows."""

    kind: str
    file: str
    rows_read: int
    inserted: int
    updated: int
    unchanged: int
    customers_created: int
    batch_id: int
    rejected: list[Problem] = field(default_factory=list)
    rejected_file: str | None = None
    ignored_columns: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)

    @property
    def rows_rejected(self) -> int:
        """Rows left out because of a problem."""
        return len({p.row for p in self.rejected})


def import_file(
    store: Store,
    kind: str,
    path: str | Path,
    *,
    settings: Settings,
    mapping: dict[str, str] | None = None,
    skip_bad: bool = False,
    date_format: str | None = None,
    run_by: str | None = None,
    progress: ProgressHook | None = None,
) -> ImportReport:
    """Import ``path`` as records of ``kind`` (customers, orders, interactions, feedback)."""
    if kind not in KINDS:
        raise InvalidInputError(f"unknown import kind {kind!r}; use one of {', '.join(KINDS)}")
    path = Path(path)
    raw = read_table(path)
    columns = resolve_columns(raw.file, kind, raw.headers, mapping or {})
    prepared = prepare(
        raw,
        kind,
        columns,
        timezone=settings.tz,
        currency=settings.currency,
        date_format=date_format,
        known_users=known_usernames(store) if "owner" in columns.fields else None,
    )
    problems = sorted(prepared.problems, key=lambda p: (p.row, p.column))
    records = prepared.records
    rejected_file = None
    if problems:
        if not skip_bad:
            raise ImportRejectedError(problems[:200], total=len(problems))
        bad = prepared.bad_rows
        keep = ~prepared.rows.loc[records.index].isin(bad)
        records = records[keep.to_numpy()]
        rejected_file = str(_write_rejected(path, raw, problems))
    total = len(records)
    if progress:
        progress("write", 0, total)
    counts = merge_records(
        store,
        kind,
        records,
        file_name=str(path),
        checksum=raw.checksum,
        rows_read=len(raw.cells),
        rows_rejected=len(prepared.bad_rows),
        run_by=run_by,
        now=datetime.now(UTC),
        progress=(lambda n: progress("write", n, total)) if progress else None,
    )
    return ImportReport(
        kind=kind,
        file=str(path),
        rows_read=len(raw.cells),
        inserted=counts.inserted,
        updated=counts.updated,
        unchanged=counts.unchanged,
        customers_created=counts.customers_created,
        batch_id=counts.batch_id,
        rejected=problems,
        rejected_file=rejected_file,
        ignored_columns=prepared.ignored_columns,
        mapping=columns.fields,
    )


def _write_rejected(path: Path, raw: RawTable, problems: list[Problem]) -> Path:
    """Write the rejected rows, as read, with their reasons, beside the input file."""
    out = path.with_name(path.stem + ".rejected.csv")
    reasons: dict[int, list[str]] = {}
    for p in problems:
        reasons.setdefault(p.row, []).append(f"{p.column}: {p.reason}" if p.column else p.reason)
    by_row = dict(zip(raw.rows.tolist(), raw.cells.index, strict=True))
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["row", *raw.headers, "problems"])
        for row in sorted(reasons):
            if row in by_row:
                cells = raw.cells.loc[by_row[row]].tolist()
                writer.writerow(
                    [row, *("" if c is None else c for c in cells), "; ".join(reasons[row])]
                )
    return out
