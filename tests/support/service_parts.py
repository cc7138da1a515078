"""The service's parts assembled in this process, for tests that drive them one by one.

The one place tests build a `Service` and call it (`assemble`, `Parts.process`, `feed`, `fire_deadlines`,
`finish_year`)."""

import threading
from dataclasses import dataclass

from sqlalchemy import func, select

from consumer.config.settings import Settings
from consumer.kafka.connect import prepare_broker
from consumer.runtime import metrics
from consumer.runtime.records import InputRecord
from consumer.runtime.service import Service
from consumer.runtime.wiring import all_topics, make_relay, open_database, policy_from
from consumer.store import tables
from consumer.store.database import Database
from producers.relay import OutboxRelay
from tests.support.running import CODEC


@dataclass
class Parts:
    settings: Settings
    database: Database
    service: Service
    stop: threading.Event

    def relay(self, settings: Settings | None = None) -> OutboxRelay:
        return make_relay(settings or self.settings, self.database, self.stop)

    def process(self, events: list, partition: int = 0) -> None:
        """Run events through the service as if consumed (no consumer), filling state and outbox."""
        topic = self.settings.topic_enrollment_changed
        records = [
            InputRecord(topic, partition, offset, e.key.encode(), CODEC.encode(e), e) for offset, e in enumerate(events)
        ]
        self.service.process(records)

    def feed(self, records: list[InputRecord]) -> None:
        """One batch of decoded records through the service, as the consumer loop hands it over."""
        self.service.process(records, None, None, self.stop)

    def fire_deadlines(self) -> bool:
        """Fire the deadlines the group's event time has passed, as an idle consumer does; True if any fired."""
        stats = self.service.fire_group_deadlines(None)
        return bool(stats.alerts or stats.syncs)

    def finish_year(self) -> None:
        """Finish any End-of-Year run left unfinished, as the consumer does when it starts."""
        self.service.end_of_year.run_pending(self.stop)

    def count(self, table) -> int:
        with self.database.engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(table)).scalar_one()

    def backlog(self) -> int:
        """Outbox rows waiting to be published (not those marked failed)."""
        o = tables.outbox.c
        with self.database.engine.connect() as connection:
            pending = select(func.count()).where(o.sent_at.is_(None), o.failed_at.is_(None))
            return connection.execute(pending).scalar_one()

    def close(self) -> None:
        self.stop.set()
        self.database.dispose()


def assemble(settings: Settings, create_topics: bool = True) -> Parts:
    if create_topics:
        prepare_broker(settings, all_topics(settings))
    database = open_database(settings)
    return Parts(settings, database, Service(settings, database, policy_from(settings)), threading.Event())


def counter_total(counter) -> float:
    samples = [sample for family in counter.collect() for sample in family.samples]
    return sum(sample.value for sample in samples if sample.name.endswith("_total"))


__all__ = ["assemble", "counter_total", "metrics"]
