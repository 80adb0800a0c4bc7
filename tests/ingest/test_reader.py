"""Reading import files: encodings, delimiters, quoted newlines, Parquet, broken files."""

from __future__ import annotations

import pandas as pd
import pytest

from retain.errors import ImportRejectedError
from retain.ingest.reader import read_table

ROWS = [["C1", "Zoë Müller", "Köln"], ["C2", "José", "São Paulo"]]


def as_csv(delimiter: str = ",") -> str:
    lines = [delimiter.join(["customer_id", "name", "city"])]
    lines += [delimiter.join(r) for r in ROWS]
    return "\r\n".join(lines) + "\r\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252"])
def test_encodings(write, encoding):
    path = write("c.csv", as_csv().encode(encoding))
    table = read_table(path)
    assert table.headers == ["customer_id", "name", "city"]
    assert table.cells.values.tolist() == ROWS


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters(write, delimiter):
    table = read_table(write("c.csv", as_csv(delimiter)))
    assert table.cells.values.tolist() == ROWS


def test_quoted_newlines_blank_cells_and_row_numbers(write):
    text = 'id,note\n1,"line one\nline two"\n\n2,  \n3,"say ""hi"""\n'
    table = read_table(write("n.csv", text))
    assert table.cells["note"].tolist() == ["line one\nline two", None, 'say "hi"']
    assert table.rows.tolist() == [2, 3, 4]  # spreadsheet rows: blank lines are skipped


def test_parquet(tmp_path):
    frame = pd.DataFrame(
        {
            "order_id": ["O1", "O2"],
            "amount": [12.5, 3.0],
            "ordered_at": pd.to_datetime(["2024-01-01 10:00", "2024-01-02 00:00"]),
        }
    )
    path = tmp_path / "orders.parquet"
    frame.to_parquet(path)
    table = read_table(path)
    assert table.cells["order_id"].tolist() == ["O1", "O2"]
    assert table.cells["amount"].tolist() == ["12.5", "3"]
    assert table.cells["ordered_at"].tolist()[0].startswith("2024-01-01T10:00:00")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "the file is empty"),
        (b"\x00\x01\x02PK\x03\x04" * 50, "looks like a binary file"),
        (b"id,name,id\n1,a,2\n", "appears twice in the header"),
        (b"id,,name\n1,2,3\n", "empty header"),
        (b"PAR1 not really parquet", "not a readable Parquet file"),
    ],
)
def test_unreadable_files(write, content, reason):
    with pytest.raises(ImportRejectedError, match=reason):
        read_table(write("broken.csv", content))


def test_ragged_rows_are_named(write):
    with pytest.raises(ImportRejectedError) as excinfo:
        read_table(write("r.csv", "a,b\n1,2\n3,4,5\n6\n"))
    rows = [(p.row, p.reason) for p in excinfo.value.problems]
    assert rows == [(3, "has 3 cells, the header has 2"), (4, "has 1 cells, the header has 2")]


def test_missing_file(tmp_path):
    with pytest.raises(ImportRejectedError, match="cannot read file"):
        read_table(tmp_path / "nope.csv")
