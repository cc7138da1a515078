"""The same event delivered twice has one effect, whatever the database."""

from datetime import date

import pytest
from sqlalchemy import func, select

from consumer.store import tables
from consumer.store.database import Database
from tests.support.events import asn, exited
from tests.support.running import publish, read_topic, run_service


def _count(url: str, table) -> int:
    database = Database(url)
    try:
        with database.engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(table)).scalar_one()
    finally:
        database.dispose()


def test_an_event_delivered_twice_has_one_effect(make_settings, db_url):
    settings = make_settings(state_db_url=db_url)
    exit_event = exited("1234", "PRIMARY", date(2026, 3, 2), asn=asn(1))
    publish(settings, settings.topic_enrollment_changed, [exit_event, exit_event])

    assert run_service(settings) == 0

    syncs = read_topic(settings, settings.topic_pasi_exit_date_sync)
    assert [s.source_event_id for s in syncs] == [exit_event.event_id]
    assert _count(settings.database_url, tables.outbox) == 1
    assert _count(settings.database_url, tables.processed_events) == 1


@pytest.mark.slow
def test_an_event_redelivered_in_a_later_run_has_no_second_effect(make_settings, db_url):
    settings = make_settings(state_db_url=db_url)
    exit_event = exited("1234", "PRIMARY", date(2026, 3, 2), asn=asn(2))
    publish(settings, settings.topic_enrollment_changed, [exit_event])
    assert run_service(settings) == 0

    publish(settings, settings.topic_enrollment_changed, [exit_event])
    assert run_service(settings) == 0

    syncs = read_topic(settings, settings.topic_pasi_exit_date_sync)
    assert len(syncs) == 1
    assert _count(settings.database_url, tables.outbox) == 1
