"""A rebalance that gives a consumer back the same partitions never skips records it had only buffered."""

import threading
from datetime import date

from consumer.runtime.end_of_year import EndOfYearRunner
from consumer.runtime.loop import ConsumerLoop
from consumer.runtime.rebalance import RebalanceListener
from consumer.runtime.service import Service
from consumer.runtime.wiring import make_relay, open_database, policy_from
from tests.support.events import asn, exited
from tests.support.running import publish
from tests.support.waiting import wait_for


def test_records_buffered_but_not_processed_are_read_again_after_the_same_partitions_come_back(make_settings):
    settings = make_settings(partitions_enrollment_changed=1)
    events = [exited("1234", "PRIMARY", date(2026, 3, 2), asn=asn(i)) for i in range(20)]
    publish(settings, settings.topic_enrollment_changed, events)
    database = open_database(settings)
    stop = threading.Event()
    service = Service(settings, database, policy_from(settings))
    relay = make_relay(settings, database, stop)
    runner = EndOfYearRunner(database, policy_from(settings), service.encoder)
    loop = ConsumerLoop(settings, service, runner, relay, stop)
    from kafka import KafkaConsumer

    from consumer.kafka.options import consumer_options

    loop.consumer = KafkaConsumer(**consumer_options(settings, settings.consumer_group))
    listener = RebalanceListener(loop)
    loop.consumer.subscribe(settings.input_topics, listener=listener)
    try:
        wait_for(
            lambda: loop._buffer(loop.consumer.poll(200)) or loop.aligner.size() >= 20, 30, what="records buffered"
        )
        partition = next(tp for tp in loop.consumer.assignment() if tp.topic == settings.topic_enrollment_changed)
        assert loop.consumer.position(partition) == 20  # fetched to the end, nothing processed

        assignment = set(loop.consumer.assignment())
        listener.on_partitions_revoked(assignment)
        listener.on_partitions_assigned(assignment)

        assert loop.aligner.size() == 0
        assert loop.consumer.position(partition) == 0
    finally:
        loop.consumer.close()
        database.dispose()
