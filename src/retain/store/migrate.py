"""Alembic migrations run from Python: `retain init` and first use call upgrade_to_head."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from retain.store.engine import Store

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(store: Store) -> Config:
    """An Alembic configuration bound to ``store`` (no alembic.ini needed)."""
    cfg = _script_config()
    cfg.attributes["store"] = store
    return cfg


def current_revision(store: Store) -> str | None:
    """The schema revision of the store, None for an empty database."""
    with store.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    """The newest schema revision this version of Retain knows."""
    head = ScriptDirectory.from_config(_script_config()).get_current_head()
    assert head is not None
    return head


def _script_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def upgrade_to_head(store: Store) -> bool:
    """Create or upgrade the store's tables to the newest schema; True if anything changed."""
    if current_revision(store) == head_revision():
        return False
    command.upgrade(alembic_config(store), "head")
    return True
