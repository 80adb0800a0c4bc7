"""Customer search through the trigram index equals the plain LIKE scan (SQLite, PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, insert, update

from retain.store.customers import customer_page
from retain.store.schema import Customer
from retain.store.search import escape_like

NOW = datetime(2026, 1, 1, tzinfo=UTC)
PEOPLE = [
    ("C001", "Jürgen Müller", "jm@example.de", "Müller & Söhne"),
    ("C002", "MÜLLER, Anna", "anna.mueller@gmail.com", None),
    ("C003", "Anna O'Brien", "obrien@example.ie", 'The "Quoted" Co'),
    ("C004", "Zoë Saldaña", None, "100% Cotton Ltd"),
    ("C005", "Bob_Builder", "bob_b@example.org", "under_score"),
    ("C006", "Back\\Slash", "bs@example.com", "C:\\temp"),
    ("C007", "anna-lena berg", "ALB@EXAMPLE.COM", "Bergmann GmbH"),
    ("C008", "Åsa Lindström", "asa@example.se", None),
    ("C009", None, "noname@gmail.com", None),
    ("X100", "Ωmega Ltd", "omega@example.gr", "ΩMEGA"),
]
QUERIES = [
    "mül", "MÜL", "Müller", "anna", "ANNA", "gmail", "o'b", "O'Brien", '"quoted"', "100%",
    "0% c", "%", "_", "b_b", "bob_", "r_sc", "\\", "k\\s", "c:\\", "berg", "BERG", "example.",
    "zoë", "ZOË", "saldaña", "åsa", "ÅSA", "ωme", "Ωme", "ΩMEGA", "c00", "x1", "C0", "an",
    "a", "Jü", "zz", "xyz", "  anna  ", "lindström", "ltd", "gmbh",
]  # fmt: skip


@pytest.fixture
def people(store):
    with store.write() as conn:
        for ext, name, email, company in PEOPLE:
            conn.execute(
                insert(Customer).values(
                    external_id=ext,
                    name=name,
                    email=email,
                    company=company,
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
    return store


def ids(store, q, indexed=True):
    rows, total = customer_page(store, search=q, per_page=500, sort="external_id", indexed=indexed)
    assert total == len(rows)
    return [r["external_id"] for r in rows]


@pytest.mark.parametrize("q", QUERIES)
def test_index_equals_the_scan(people, q):
    assert ids(people, q) == ids(people, q, indexed=False)


def test_hand_worked(people):
    store = people
    assert ids(store, "anna") == ["C002", "C003", "C007"]
    assert ids(store, "gmail") == ["C002", "C009"]
    assert ids(store, "100%") == ["C004"]  # % is a plain character ...
    assert ids(store, "b_b") == ["C005"]  # ... and so is _: "bob_b@", not "Bob B..."
    assert ids(store, "_") == []  # a prefix of one character: nothing starts with _
    assert ids(store, "k\\s") == ["C006"]
    assert ids(store, '"quoted"') == ["C003"]
    assert ids(store, "o'b") == ["C003"]
    assert ids(store, "an") == ["C002", "C003", "C007"]  # short: the start of a value
    assert ids(store, "c0") == [f"C00{i}" for i in range(1, 10)]
    # SQLite's LIKE folds ASCII letters only; PostgreSQL's ILIKE folds every letter
    folded = store.dialect == "postgresql"
    assert ids(store, "mül") == (["C001", "C002"] if folded else ["C001"])
    assert ids(store, "MÜL") == (["C001", "C002"] if folded else ["C002"])


def test_index_follows_changes(people):
    store = people
    with store.write() as conn:
        conn.execute(update(Customer).where(Customer.external_id == "C008").values(name="Eva"))
        conn.execute(delete(Customer).where(Customer.external_id == "C009"))
        conn.execute(
            insert(Customer).values(
                external_id="C010", name="Neu Kundin", created_at=NOW, updated_at=NOW
            )
        )
    assert ids(store, "lindström") == []
    assert ids(store, "eva") == ["C008"]
    assert ids(store, "noname") == []
    assert ids(store, "kundin") == ["C010"]
    # a change of other columns leaves the index alone and the search right
    with store.write() as conn:
        conn.execute(update(Customer).where(Customer.external_id == "C010").values(country="DE"))
    assert ids(store, "kundin") == ["C010"]


def test_escape_like():
    assert escape_like("a%b_c\\d") == "a\\%b\\_c\\\\d"
