"""Forgetting processed event ids after a retention period: the table would otherwise grow forever."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete

from consumer.store import tables as t
from consumer.store.database import Database


def prune_processed_events(database: Database, retention: timedelta, now: datetime | None = None) -> int:
    """Delete ids processed longer ago than `retention`; a re-delivery older than that would be new again."""
    cutoff = (now or datetime.now(UTC)) - retention
    statement = delete(t.processed_events).where(t.processed_events.c.processed_at < cutoff)
    result = database.run(lambda c: c.execute(statement))
    return result.rowcount or 0
