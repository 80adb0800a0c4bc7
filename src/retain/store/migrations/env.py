"""Alembic environment: runs migrations on the connection of a :class:`retain.store.Store`."""

from __future__ import annotations

from alembic import context

from retain.store.schema import Base
from retain.store.search import include_name, include_object_for

store = context.config.attributes["store"]
target_metadata = Base.metadata

with store.engine.connect() as connection:
    connection = connection.execution_options(retain_begin="IMMEDIATE")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=store.dialect == "sqlite",
        compare_type=True,
        include_name=include_name,  # the FTS5 search tables are not in the models
        include_object=include_object_for(store.dialect),  # nor PostgreSQL-only indexes here
    )
    with context.begin_transaction():
        context.run_migrations()
