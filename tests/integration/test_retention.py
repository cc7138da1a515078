"""Processed event ids are forgotten after their retention period, and only then."""

from datetime import UTC, datetime, timedelta

from consumer.store import tables
from consumer.store.retention import prune_processed_events
from consumer.store.writer import mark_processed
from tests.support.service_parts import assemble


def test_processed_event_ids_older_than_the_retention_are_forgotten(make_settings, db_url):
    parts = assemble(make_settings(state_db_url=db_url), create_topics=False)
    now = datetime(2026, 6, 1, tzinfo=UTC)
    try:
        parts.database.run(lambda c: mark_processed(c, ["old-1", "old-2"], now - timedelta(days=61)))
        parts.database.run(lambda c: mark_processed(c, ["recent"], now - timedelta(days=59)))
        assert prune_processed_events(parts.database, timedelta(days=60), now) == 2
        assert parts.count(tables.processed_events) == 1
    finally:
        parts.close()
