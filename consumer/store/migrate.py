"""Applying the schema migrations (Alembic) to the state store, safely from several processes at once."""

import contextlib
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from consumer.config.settings import Settings
from consumer.store.database import Database

MIGRATIONS = Path(__file__).parent / "migrations"
MIGRATION_LOCK_ID = 7429001


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(database: Database, revision: str = "head") -> None:
    """Bring the schema to `revision`; concurrent callers wait for each other.

    On PostgreSQL a session advisory lock (one per schema) is taken and committed before the
    migration's own transaction begins: a lock taken inside that transaction would come after its
    REPEATABLE READ snapshot, and a process that waited would still see an empty schema. On SQLite
    the migration's transaction begins IMMEDIATE, which already admits one writer at a time."""

    def migrate(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    if database.dialect != "postgresql":
        database.run(migrate)
        return
    with database.engine.connect() as holder:
        holder.execute(text("SELECT pg_advisory_lock(:id, hashtext(current_schema()))"), {"id": MIGRATION_LOCK_ID})
        holder.commit()
        try:
            database.run(migrate)
        finally:
            with contextlib.suppress(DBAPIError):  # a lost session has released its lock already
                holder.execute(
                    text("SELECT pg_advisory_unlock(:id, hashtext(current_schema()))"), {"id": MIGRATION_LOCK_ID}
                )
                holder.commit()


def current_revision(database: Database) -> str | None:
    with database.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None  # the migrations have one head
    return head


def open_migrated(settings: Settings) -> Database:
    """Connect to the state store the settings name, check it answers, and bring its schema up to date."""
    database = Database(settings.database_url, settings.db_retry_seconds, settings.db_lock_timeout_ms)
    database.check()
    upgrade(database)
    return database
