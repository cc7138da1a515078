"""The state store: migrations build exactly the tables the code uses, on SQLite and PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from consumer.store.database import Database
from consumer.store.migrate import current_revision, head_revision, upgrade
from consumer.store.tables import metadata


def test_migrations_create_exactly_the_tables_the_code_defines(db_url):
    database = Database(db_url)
    try:
        upgrade(database)
        upgrade(database)  # a second start finds the schema current and changes nothing
        assert current_revision(database) == head_revision()
        with database.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), metadata)
        assert differences == []
    finally:
        database.dispose()
