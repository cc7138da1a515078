"""While the broker is away nothing is dropped; when it comes back, even empty, publishing carries on."""

import io
import time
from datetime import date

import pytest

from consumer.runtime import metrics
from consumer.runtime.logs import configure_logging
from tests.support.events import asn, exited
from tests.support.running import read_topic
from tests.support.service_parts import assemble, counter_total
from tests.support.waiting import wait_for

FAST_FAILURE = dict(
    kafka_request_timeout_ms=2_000,
    kafka_delivery_timeout_ms=3_000,
    kafka_connect_timeout_ms=2_000,
    publish_retry_initial_s=0.2,
    publish_retry_max_s=2.0,
    producer_linger_ms=0,
)


@pytest.mark.slow
def test_outbox_messages_held_during_a_broker_pause_are_all_published_after_it(private_broker, make_settings, db_url):
    settings = make_settings(kafka_bootstrap_servers=private_broker.bootstrap, state_db_url=db_url, **FAST_FAILURE)
    parts = assemble(settings)
    events = [exited("1234", "PRIMARY", date(2026, 3, 2), asn=asn(i)) for i in range(200)]
    parts.process(events)
    log = io.StringIO()
    configure_logging("INFO", "json", stream=log)
    retries_before = counter_total(metrics.PUBLISH_RETRIES)
    private_broker.pause()
    paused_at = time.monotonic()
    relay = parts.relay()
    relay.start()
    try:
        wait_for(
            lambda: time.monotonic() - paused_at >= 15 and counter_total(metrics.PUBLISH_RETRIES) > retries_before,
            timeout_s=60,
            what="15 s of pause with publish retries",
        )
        assert parts.backlog() == 200, "nothing may be marked sent while the broker is away"
        private_broker.resume()
        wait_for(lambda: parts.backlog() == 0, timeout_s=90, what="the outbox to drain after the broker resumed")
    finally:
        private_broker.resume()
        relay.stop()
        relay.join(timeout=30)
        parts.close()
        configure_logging()

    published = read_topic(settings, settings.topic_pasi_exit_date_sync)
    assert {s.source_event_id for s in published} == {e.event_id for e in events}
    assert "publish failed, retrying" in log.getvalue()
    assert counter_total(metrics.PUBLISH_RETRIES) > retries_before


def test_after_a_broker_restart_the_publisher_replaces_its_producer_recreates_topics_and_carries_on(
    private_broker, make_settings
):
    settings = make_settings(kafka_bootstrap_servers=private_broker.bootstrap, **FAST_FAILURE)
    parts = assemble(settings)
    relay = parts.relay()
    relay.start()
    try:
        before = [exited("1234", "PRIMARY", date(2026, 3, 2), asn=asn(i)) for i in range(50)]
        parts.process(before)
        wait_for(lambda: parts.backlog() == 0, timeout_s=60, what="the first messages to be published")

        private_broker.restart()  # memory only: it comes back without topics, groups or producer ids
        after = [exited("1234", "PRIMARY", date(2026, 3, 3), asn=asn(100 + i)) for i in range(50)]
        parts.process(after)
        wait_for(lambda: parts.backlog() == 0, timeout_s=90, what="publishing to carry on after the restart")
    finally:
        relay.stop()
        relay.join(timeout=30)
        parts.close()

    published = read_topic(settings, settings.topic_pasi_exit_date_sync)
    assert {e.event_id for e in after} <= {s.source_event_id for s in published}
    assert relay.publisher.replacements >= 1
