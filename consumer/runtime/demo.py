"""The demo: a sample school year through the real service on the configured (by default embedded) parts."""

from dataclasses import dataclass

from sqlalchemy import select

from consumer.config.settings import Settings
from consumer.kafka.connect import prepare_broker
from consumer.kafka.options import producer_options
from consumer.kafka.reader import TopicReader
from consumer.runtime.codecs import codec_for
from consumer.runtime.wiring import all_topics, build, open_database
from consumer.store import tables as t
from producers.publisher import Publisher, RetryPolicy
from producers.sample import SampleYear
from schemas.outputs import PasiExitDateSync
from schemas.records import OutboxRecord


@dataclass
class DemoResult:
    events: int
    alerts: list  # alert rows as stored now, newest first
    syncs: list[PasiExitDateSync]


def run_demo(settings: Settings, students: int = 50, idle_s: float = 2.0) -> DemoResult:
    """Publish the sample year and its End of Year, run the service until idle, collect what it produced.

    The sample's event and run ids are fixed, so running the demo again changes nothing.
    """
    sample = SampleYear(students)
    events = sample.events()
    closing = sample.end_of_year()
    codec = codec_for(settings)
    prepare_broker(settings, all_topics(settings))
    publisher = Publisher(producer_options(settings), retry=RetryPolicy(give_up_after_s=60))
    try:
        publisher.publish(
            [OutboxRecord(settings.topic_enrollment_changed, e.key.encode(), codec.encode(e)) for e in events]
            + [OutboxRecord(settings.topic_term_closed, closing.key.encode(), codec.encode(closing))]
        )
    finally:
        publisher.close()
    build(settings).run(until_idle_s=idle_s)

    ids = {e.event_id for e in events} | {closing.event_id}
    database = open_database(settings)
    try:
        with database.engine.connect() as connection:
            rows = connection.execute(select(t.alerts).order_by(t.alerts.c.occurred_at, t.alerts.c.alert_key)).all()
    finally:
        database.dispose()
    alerts = [row for row in rows if row.source_event_id in ids]
    with TopicReader(settings, settings.topic_pasi_exit_date_sync) as reader:
        decoded = [codec.decode(record.value) for record in reader.records(until_idle_s=0.5)]
    unique = {sync.sync_id: sync for sync in decoded if sync.source_event_id in ids}
    syncs = sorted(unique.values(), key=lambda s: (s.occurred_at, s.asn, s.school_code))
    return DemoResult(len(events) + 1, alerts, syncs)
