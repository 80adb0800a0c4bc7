"""Arbitrary bytes and mangled CSV never crash the importer: it imports or says why not."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retain.config import Settings
from retain.errors import ImportRejectedError
from retain.ingest import import_file

GOOD = (
    "order_id,customer_id,email,ordered_at,amount,currency\n"
    "O1,C1,a@example.com,2024-01-05 10:00,49.90,EUR\n"
    "O2,C2,b@example.com,2024-02-05,12,EUR\n"
)


def _outcome(store, path) -> str:
    try:
        report = import_file(store, "orders", path, settings=Settings())
    except ImportRejectedError as exc:
        assert exc.problems and exc.message.startswith("import rejected, nothing was written")
        return "rejected"
    assert report.inserted + report.updated + report.unchanged == report.rows_read
    return "imported"


FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(data=st.binary(max_size=400))
def test_arbitrary_bytes(sqlite_store, tmp_path, data):
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    assert _outcome(sqlite_store, path) in ("imported", "rejected")


@FUZZ
@given(seed=st.integers(0, 2**32 - 1), edits=st.integers(1, 8))
def test_mangled_csv(sqlite_store, tmp_path, seed, edits):
    rng = random.Random(seed)
    text = list(GOOD)
    for _ in range(edits):
        pos = rng.randrange(len(text))
        action = rng.choice(["delete", "insert", "replace"])
        char = rng.choice(',;"\n\r\x00éa1-:. ')
        if action == "delete":
            del text[pos]
        elif action == "insert":
            text.insert(pos, char)
        else:
            text[pos] = char
    path = tmp_path / "mangled.csv"
    path.write_text("".join(text), encoding="utf-8")
    assert _outcome(sqlite_store, path) in ("imported", "rejected")


def test_blank_currency_column_takes_the_default(sqlite_store, tmp_path) -> None:
    """A currency column with only blanks (read as numbers) falls back to the default currency."""
    from retain.store.frames import read_arrow

    path = tmp_path / "orders.csv"
    path.write_text(
        "order_id,customer_id,email,ordered_at,amount,currency\n"
        "O1,C1,a@example.com,2024-01-05 10:00,49.90,\n"
        "O2,C2,b@example.com,2024-02-05,12,\n"
    )
    report = import_file(sqlite_store, "orders", path, settings=Settings(currency="EUR"))
    assert report.inserted == 2
    orders = read_arrow(sqlite_store, "orders").to_pandas()
    assert sorted(orders["amount"]) == [1200, 4990]
