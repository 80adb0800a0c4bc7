"""Substring search over customers' name, e-mail, company and external id, by index.

A search text of three characters or more is looked up in a trigram index
(migration 0012): on SQLite the FTS5 table ``customer_search`` (trigram
tokenizer) gives the candidate ids, on PostgreSQL ``pg_trgm`` GIN indexes
serve ``ILIKE`` directly. The candidates are then checked with the same
``LIKE`` (SQLite: ASCII case folded) or ``ILIKE`` (PostgreSQL) as an unindexed
search, so the results are exactly those of the plain scan. ``%``, ``_`` and
``\\`` in the text are literal characters. Shorter texts match the start of a
value (prefix match), as a trigram index cannot look up one or two characters.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Table, or_, select, text

#: the FTS5 table and its shadow tables on SQLite: not described by the models
#: (Alembic cannot), so comparisons of models and database leave them out
SEARCH_TABLES = frozenset(
    f"customer_search{suffix}" for suffix in ("", "_data", "_idx", "_docsize", "_config")
)
#: shortest text looked up in the trigram index
MIN_TRIGRAM = 3
SEARCHED = ("name", "email", "external_id", "company")


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic's ``include_name`` hook: leave the search index's tables out."""
    return not (type_ == "table" and name in SEARCH_TABLES)


def include_object_for(dialect: str) -> Any:
    """Alembic's ``include_object`` hook for ``dialect``: leave out the models' indexes
    made for another database only (``Index.ddl_if(dialect=...)``, such as the
    PostgreSQL trigram indexes), which Alembic would otherwise expect everywhere."""

    def include_object(obj: Any, name: str | None, type_: str, reflected: bool, other: Any):
        only = getattr(obj, "_ddl_if", None) if type_ == "index" and not reflected else None
        return only is None or only.dialect is None or only.dialect == dialect

    return include_object


def escape_like(value: str) -> str:
    """``value`` with LIKE's wildcards escaped (escape character ``\\``)."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_condition(
    customers: Table, search: str, dialect: str, *, indexed: bool = True
) -> ColumnElement[bool]:
    """Where-clause: ``search`` occurs in name, e-mail, external id or company.

    ``indexed=False`` gives the plain scan (the reference the index must equal).
    """
    needle = search.strip()
    short = len(needle) < MIN_TRIGRAM
    pattern = escape_like(needle) + "%" if short else f"%{escape_like(needle)}%"
    # SQLite's LIKE ignores ASCII case already (its lower() knows no more than ASCII
    # either); ILIKE there would add a lower() per row and column.
    cols = [customers.c[name] for name in SEARCHED]
    # backslash is PostgreSQL's default LIKE escape (an explicit ESCAPE there becomes a
    # like_escape() call); SQLite has none by default
    like = or_(
        *(c.like(pattern, escape="\\") if dialect == "sqlite" else c.ilike(pattern) for c in cols)
    )
    if short or not indexed or dialect != "sqlite":
        return like  # PostgreSQL: pg_trgm's GIN indexes serve ILIKE '%...%' themselves
    phrase = '"' + needle.replace('"', '""') + '"'
    hits = (
        select(text("rowid"))
        .select_from(text("customer_search"))
        .where(text("customer_search MATCH :phrase").bindparams(phrase=phrase))
    )
    return customers.c.id.in_(hits) & like
