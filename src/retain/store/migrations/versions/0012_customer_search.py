"""customer search: a trigram index over name, e-mail, company and external id; an index
on name for the list's sort order

SQLite: an FTS5 table ``customer_search`` with the trigram tokenizer (SQLite
3.34+), external content (it stores only the index, reading the text from
``customers``), kept in step by three triggers. PostgreSQL: ``pg_trgm`` GIN
indexes on the four columns (the extension is created in ``public`` when it
is missing, so that dropping any other schema never drops it).

A later migration that rebuilds ``customers`` on SQLite (Alembic's batch mode
copies the table, drops the old one and renames) drops the triggers: such a
migration must run :func:`sqlite_triggers` again and rebuild the index.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("name", "email", "company", "external_id")
_COLS = ", ".join(COLUMNS)
_NEW = ", ".join(f"new.{c}" for c in COLUMNS)
_OLD = ", ".join(f"old.{c}" for c in COLUMNS)


def sqlite_triggers() -> list[str]:
    """The statements that keep ``customer_search`` in step with ``customers``."""
    delete = (
        f"INSERT INTO customer_search(customer_search, rowid, {_COLS}) "
        f"VALUES ('delete', old.id, {_OLD});"
    )
    insert = f"INSERT INTO customer_search(rowid, {_COLS}) VALUES (new.id, {_NEW});"
    return [
        f"CREATE TRIGGER customers_search_insert AFTER INSERT ON customers BEGIN {insert} END",
        f"CREATE TRIGGER customers_search_delete AFTER DELETE ON customers BEGIN {delete} END",
        f"CREATE TRIGGER customers_search_update AFTER UPDATE OF {_COLS} ON customers "
        f"BEGIN {delete} {insert} END",
    ]


def upgrade() -> None:
    bind = op.get_bind()
    # the customer list sorts by name: the first page walks this index
    op.create_index(op.f("ix_customers_name"), "customers", ["name"])
    if bind.dialect.name == "sqlite":
        op.execute(
            f"CREATE VIRTUAL TABLE customer_search USING fts5({_COLS}, content='customers', "
            "content_rowid='id', tokenize='trigram case_sensitive 0')"
        )
        for statement in sqlite_triggers():
            op.execute(statement)
        op.execute("INSERT INTO customer_search(customer_search) VALUES ('rebuild')")
        return
    schema = _trgm_schema(bind)
    for column in COLUMNS:
        op.execute(
            f"CREATE INDEX ix_customers_{column}_trgm ON customers "
            f"USING gin ({column} {schema}.gin_trgm_ops)"
        )


def _trgm_schema(bind) -> str:
    """The schema of the pg_trgm extension, created (in ``public`` if there is one) if missing."""
    query = (
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'pg_trgm'"
    )
    found = bind.exec_driver_sql(query).scalar()
    if found is None:
        public = bind.exec_driver_sql("SELECT 1 FROM pg_namespace WHERE nspname = 'public'")
        where = " WITH SCHEMA public" if public.scalar() else ""
        bind.exec_driver_sql(f"CREATE EXTENSION IF NOT EXISTS pg_trgm{where}")
        found = bind.exec_driver_sql(query).scalar()
    return f'"{found}"'


def downgrade() -> None:
    op.drop_index(op.f("ix_customers_name"), table_name="customers")
    if op.get_bind().dialect.name == "sqlite":
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS customers_search_{name}")
        op.execute("DROP TABLE IF EXISTS customer_search")
        return
    for column in COLUMNS:
        op.execute(f"DROP INDEX IF EXISTS ix_customers_{column}_trgm")
