"""A schema registry that goes away is waited out: valid events wait for it, none is dead-lettered."""

from datetime import date

import pytest
from prometheus_client import REGISTRY

from consumer.kafka.connect import prepare_broker
from consumer.runtime.wiring import all_topics
from schemas.catalog import default_catalog
from schemas.codec import AvroCodec, MessageCodec
from schemas.framing import ConfluentFraming
from schemas.registry import HttpSchemaRegistry
from tests.support.events import asn, exited
from tests.support.registry import LocalRegistry
from tests.support.running import ServiceThread, publish, read_topic
from tests.support.waiting import wait_for

EVENTS = 20


@pytest.fixture
def registry():
    registry = LocalRegistry().start()
    yield registry
    registry.stop()


def _registry_waits() -> float:
    return REGISTRY.get_sample_value("pasi_schema_registry_waits_total") or 0.0


@pytest.mark.slow
@pytest.mark.parametrize("goes_away", ["before_the_service_starts", "once_the_service_has_registered_its_outputs"])
def test_events_wait_for_a_registry_that_went_away_and_none_is_dead_lettered(make_settings, registry, goes_away):
    settings = make_settings(schema_registry_url=registry.url, schema_registry_retry_max_s=1.0)
    catalog = default_catalog()
    producer_codec = MessageCodec(AvroCodec(catalog, ConfluentFraming(HttpSchemaRegistry(registry.url, catalog))))
    events = [exited("1234", "PRIMARY", date(2026, 3, 2), asn=asn(n)) for n in range(EVENTS)]
    encoded = [(e.key.encode(), producer_codec.encode(e)) for e in events]
    prepare_broker(settings, all_topics(settings))
    dead_letters = settings.dead_letter_topic(settings.topic_enrollment_changed)
    if goes_away == "before_the_service_starts":
        registry.stop()

    with ServiceThread(settings):
        if goes_away == "once_the_service_has_registered_its_outputs":
            wait_for(lambda: len(registry.schemas) == 3, what="the two output schemas registered")
            registry.stop()
        waits_before = _registry_waits()
        publish(settings, settings.topic_enrollment_changed, [], raw=encoded)
        wait_for(lambda: _registry_waits() >= waits_before + 3, timeout_s=60, what="three attempts to reach it")
        assert read_topic(settings, dead_letters, decode=False) == []

        registry.start()
        syncs = wait_for(
            lambda: len(found := read_topic(settings, settings.topic_pasi_exit_date_sync, decode=False)) >= EVENTS
            and found,
            timeout_s=60, what=f"{EVENTS} exit-date syncs",
        )

    assert sorted(dict(s.headers)["source_event_id"].decode() for s in syncs) == sorted(e.event_id for e in events)
    assert read_topic(settings, dead_letters, decode=False) == []
