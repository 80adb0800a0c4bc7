"""The records store: SQLAlchemy 2 tables, Alembic migrations, bulk paths.

Only this package imports SQLAlchemy; the rest of Retain asks it for tables
(as Arrow/pandas) and calls its write functions.
"""

from retain.store.engine import Store, open_store

__all__ = ["Store", "open_store"]
