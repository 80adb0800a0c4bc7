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
import pyarrow.compute as pc
import pyarrow.csv as pacsv
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
    delimiter = _delimiter(text[:20_000])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headers = [h.replace("\ufeff", "").strip() for h in next(reader)]
    except csv.Error as exc:
        raise _reject(file, f"broken CSV in the header row: {exc}") from None
    _check_headers(file, headers)
    fast = _read_csv_arrow(text, delimiter, headers)
    if fast is not None:
        return headers, fast
    # the careful path: Python's csv module, naming every broken row
    try:
        records = [r for r in reader if any(cell.strip() for cell in r)]
    except csv.Error as exc:
        raise _reject(file, f"broken CSV near line {reader.line_num}: {exc}") from None
    width = len(headers)
    problems = [
        Problem(
            file,
            number,
            "",
            ",".join(record)[:80],
            f"has {len(record)} cells, the header has {width}",
        )
        for number, record in enumerate(records, start=2)
        if len(record) != width
    ]
    if problems:
        raise ImportRejectedError(problems[:100], total=len(problems))
    columns = list(zip(*records, strict=True)) if records else [() for _ in headers]
    table = pa.table([pa.array(col, pa.string()) for col in columns], names=headers)
    return headers, _arrow_cells(table, headers)


def _read_csv_arrow(text: str, delimiter: str, headers: list[str]) -> pd.DataFrame | None:
    """Fast path: Arrow's multi-threaded CSV reader; None when the file needs the careful path."""
    try:
        table = pacsv.read_csv(
            pa.BufferReader(text.encode("utf-8")),
            read_options=pacsv.ReadOptions(column_names=headers, skip_rows=1),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={h: pa.string() for h in headers},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        return None
    return _arrow_cells(table, headers)


def _arrow_cells(table: pa.Table, headers: list[str]) -> pd.DataFrame:
    """Text columns of an Arrow table as stripped object columns, empty cells as None."""
    columns = {}
    for name, column in zip(headers, table.columns, strict=True):
        trimmed = pc.utf8_trim_whitespace(column.cast(pa.string()))
        nulled = pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)
        columns[name] = nulled.to_numpy(zero_copy_only=False)
    cells = pd.DataFrame(columns, dtype="object")
    if len(cells):
        blank = cells.isna().all(axis=1).to_numpy()
        if blank.any():
            cells = cells[~blank].reset_index(drop=True)
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
    texts = []
    for column in table.columns:
        if pa.types.is_timestamp(column.type):
            series = column.to_pandas()
            fmt = "%Y-%m-%dT%H:%M:%S.%f" if series.dt.tz is None else "%Y-%m-%dT%H:%M:%S.%f+00:00"
            if series.dt.tz is not None:
                series = series.dt.tz_convert("UTC")
            column = pa.chunked_array([pa.array(series.dt.strftime(fmt), pa.string())])
        texts.append(column.cast(pa.string()))
    return headers, _arrow_cells(pa.table(texts, names=headers), headers)
