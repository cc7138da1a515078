"""`db upgrade` and `db current`: the state store's schema migrations, for operators."""

import typer

from consumer.cli.app import state
from consumer.config.settings import Settings
from consumer.store.database import Database
from consumer.store.migrate import current_revision, head_revision, upgrade

db = typer.Typer(help="The state store's schema: apply migrations, show the revision.", no_args_is_help=True)


def _database(settings: Settings) -> Database:
    database = Database(settings.database_url, settings.db_retry_seconds, settings.db_lock_timeout_ms)
    database.check()
    return database


@db.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Apply every pending migration (the service also does this when it starts)."""
    database = _database(state(ctx).settings)
    try:
        before = current_revision(database)
        upgrade(database)
        after = current_revision(database)
    finally:
        database.dispose()
    change = f" (was {before or 'empty'})" if before != after else " (already current)"
    typer.echo(f"schema at revision {after}{change}")


@db.command("current")
def db_current(ctx: typer.Context) -> None:
    """Show the schema revision of the state store and the newest one this release knows."""
    database = _database(state(ctx).settings)
    try:
        current = current_revision(database)
    finally:
        database.dispose()
    head = head_revision()
    status = "current" if current == head else "behind: run `pasi-concurrent db upgrade`"
    typer.echo(f"revision {current or 'none (empty database)'}, newest {head}: {status}")
