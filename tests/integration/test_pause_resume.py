"""A partition paused with records in flight and then resumed is read to its end.

kafka-python 3.0.12 parks such records and never restores them once its in-line slot holds a
drained batch (see consumer/kafka/compat.py); the service frees the slot before every poll.
"""

import time
from datetime import date

import pytest
from kafka import KafkaConsumer

from consumer.kafka.compat import release_parked_records
from consumer.kafka.options import consumer_options
from consumer.runtime import metrics
from tests.support.events import asn, exited
from tests.support.running import ServiceThread, publish, read_topic
from tests.support.service_parts import counter_total
from tests.support.waiting import wait_for


def test_raw_consumer_reads_every_resumed_partition_to_its_end(make_settings):
    settings = make_settings()
    topic = settings.topic_enrollment_changed
    total = 12_000
    publish(settings, topic, [], raw=[(str(i).encode(), b"x" * 100) for i in range(total)])
    consumer = KafkaConsumer(**consumer_options(settings, settings.consumer_group))
    consumer.subscribe([topic])
    consumed: dict[int, int] = {}
    paused: set = set()
    paused_ever: set = set()
    deadline = time.monotonic() + 60
    try:
        while sum(consumed.values()) < total and time.monotonic() < deadline:
            release_parked_records(consumer)
            polled = consumer.poll(timeout_ms=100)
            for tp, records in polled.items():
                consumed[tp.partition] = consumed.get(tp.partition, 0) + len(records)
                if consumed[tp.partition] >= 500 and tp not in paused_ever and len(paused) < 3:
                    consumer.pause(tp)  # as the service does when a partition's buffer is full
                    paused.add(tp)
                    paused_ever.add(tp)
            if paused and (not polled or sum(consumed.values()) % 7 == 0):
                consumer.resume(*paused)  # ... and when it has drained
                paused.clear()
    finally:
        consumer.close()
    assert paused_ever, "the scenario never paused a partition"
    assert sum(consumed.values()) == total, consumed


@pytest.mark.slow
def test_service_under_back_pressure_handles_every_event(make_settings):
    """Small buffer and backlog limits: the service pauses and resumes over and over, and loses nothing."""
    settings = make_settings(partition_buffer_limit=40, outbox_backlog_limit=200, max_poll_records=100)
    events = [exited("1234", "PRIMARY", date(2026, 3, 2), asn=asn(i)) for i in range(3_000)]
    publish(settings, settings.topic_enrollment_changed, events)
    pauses_before = counter_total(metrics.PAUSES)
    with ServiceThread(settings):
        wait_for(
            lambda: len(read_topic(settings, settings.topic_pasi_exit_date_sync, idle_s=0.3)) >= len(events),
            timeout_s=180, interval_s=2, what="a sync for every exit",
        )
    assert counter_total(metrics.PAUSES) - pauses_before >= 2, "the limits never paused consumption"
    syncs = read_topic(settings, settings.topic_pasi_exit_date_sync)
    assert sorted(s.asn for s in syncs) == sorted(e.asn for e in events)
