"""Reading an import file (CSV or Parquet) into a table of text cells.

CSV: the encoding is detected (UTF-8 with or without BOM, UTF-16, Latin-1,
Windows-1252...), the delimiter guessed among ``, ; TAB |``, quoted newlines
are kept inside their cell. Every cell comes back as stripped text, empty
cells as None, so one validation path serves both formats.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from charset_normalizer import from_bytes

from retain.errors import ImportRejectedError, Problem

DELIMITERS = ",;\t|"
PARQUET_MAGIC = b"PAR1"
WESTERN = ("cp1252", "latin_1", "iso8859_15")
csv.field_size_limit(10_000_000)


@dataclass
class RawTable:
    """Text cells of an import file; ``rows`` holds the spreadsheet row number of each record."""

    file: str
    headers: list[str]
    cells: pd.DataFrame  # columns as in ``headers``, object dtype, None for empty
    rows: pd.Series  # int: row number as a spreadsheet shows it (header = 1)
    checksum: str  # sha256 of the file's bytes


def read_table(path: Path) -> RawTable:
    """Read ``path`` (CSV or Parquet) or raise an ImportRejectedError that says why not."""
    name = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _reject(name, f"cannot read file: {exc.strerror}") from None
    checksum = hashlib.sha256(data).hexdigest()
    if data[:4] == PARQUET_MAGIC or path.suffix.lower() == ".parquet":
        headers, cells = _read_parquet(name, data)
    else:
        headers, cells = _read_csv(name, data)
    rows = pd.Series(range(2, len(cells) + 2), index=cells.index, dtype="int64")
    return RawTable(name, headers, cells, rows, checksum)


def _reject(file: str, reason: str, row: int = 0, value: str = "") -> ImportRejectedError:
    return ImportRejectedError([Problem(file, row, "", value, reason)])


def _decode(file: str, data: bytes) -> str:
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(encoding)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    matches = from_bytes(data[:200_000])
    best = matches.best()
    if best is None or best.encoding is None:
        raise _reject(file, "cannot tell the text encoding; save the file as UTF-8 CSV")
    # equally likely single-byte encodings: prefer Western European (the usual shop export)
    tied = [m.encoding for m in matches if m.chaos <= best.chaos]
    encoding = next((e for e in WESTERN if e in tied), best.encoding)
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        raise _reject(file, f"not valid {encoding} text; save the file as UTF-8 CSV") from None


def _delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        counts = {d: first.count(d) for d in DELIMITERS}
        return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def _read_csv(file: str, data: bytes) -> tuple[list[str], pd.DataFrame]:
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _reject(file, "looks like a binary file, not CSV text; export the data as CSV")
    text = _decode(file, data)
    if not text.strip():
        raise _reject(file, "the file is empty; it needs a header row and data rows")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text[:20_000]))
    try:
        headers = [h.replace("\ufeff", "").strip() for h in next(reader)]
        records = list(reader)
    except csv.Error as exc:
        raise _reject(file, f"broken CSV near line {reader.line_num}: {exc}") from None
    _check_headers(file, headers)
    width = len(headers)
    problems = []
    for number, record in enumerate(records, start=2):
        if len(record) != width and any(cell.strip() for cell in record):
            problems.append(
                Problem(
                    file,
                    number,
                    "",
                    ",".join(record)[:80],
                    f"has {len(record)} cells, the header has {width}",
                )
            )
    if problems:
        raise ImportRejectedError(problems[:100], total=len(problems))
    records = [r for r in records if any(cell.strip() for cell in r)]
    columns = list(zip(*records, strict=True)) if records else [() for _ in headers]
    cells = pd.DataFrame({i: pd.Series(col, dtype="object") for i, col in enumerate(columns)})
    cells.columns = headers
    return headers, _blank_to_none(cells)


def _blank_to_none(cells: pd.DataFrame) -> pd.DataFrame:
    """Strip every cell; empty cells become None."""
    for name in cells.columns:
        stripped = cells[name].str.strip()
        cells[name] = stripped.where(stripped.notna() & (stripped != ""), None)
    return cells


def _check_headers(file: str, headers: list[str]) -> None:
    if not any(headers):
        raise _reject(file, "the first row must name the columns (a header row)")
    seen: set[str] = set()
    for h in headers:
        if not h:
            raise _reject(file, "a column has an empty header; name every column")
        if h in seen:
            raise _reject(file, f"column {h!r} appears twice in the header; rename one")
        seen.add(h)


def _read_parquet(file: str, data: bytes) -> tuple[list[str], pd.DataFrame]:
    try:
        table = pq.read_table(pa.BufferReader(data))
    except (pa.ArrowException, OSError) as exc:
        raise _reject(file, f"not a readable Parquet file ({exc})") from None
    headers = [str(h).strip() for h in table.column_names]
    _check_headers(file, headers)
    columns = {}
    for name, column in zip(headers, table.columns, strict=True):
        if pa.types.is_timestamp(column.type):
            series = column.to_pandas()
            if series.dt.tz is None:
                text = series.dt.strftime("%Y-%m-%dT%H:%M:%S.%f")
            else:
                text = series.dt.tz_convert("UTC").dt.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
            columns[name] = text.astype(object).where(series.notna(), None)
        else:
            series = column.cast(pa.string()).to_pandas()
            columns[name] = series.astype(object).where(series.notna(), None)
    cells = pd.DataFrame(columns)
    return headers, _blank_to_none(cells)
