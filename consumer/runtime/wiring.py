"""Wiring the service from settings: database, migrations, publisher, outbox relay, consumer loop, health."""

import threading
import time
from dataclasses import dataclass
from datetime import timedelta

import structlog

from consumer.config.settings import Settings
from consumer.domain.policy import Policy
from consumer.kafka.connect import prepare_broker
from consumer.kafka.options import producer_options
from consumer.kafka.topics import ensure_topics
from consumer.runtime import metrics
from consumer.runtime.health import HealthServer
from consumer.runtime.loop import ConsumerLoop
from consumer.runtime.readiness import Readiness
from consumer.runtime.registry_wait import register_outputs
from consumer.runtime.service import Service
from consumer.store.database import Database
from consumer.store.migrate import open_migrated
from consumer.store.outbox import OutboxStore
from producers.publisher import Publisher, RetryPolicy
from producers.relay import OutboxRelay
from schemas.records import OutboxRecord

log = structlog.get_logger(__name__)


def policy_from(settings: Settings) -> Policy:
    return Policy(
        policy_date=settings.policy_date,
        eoy_exit_code=settings.eoy_exit_code,
        grace_period=settings.grace_period,
        purge_after=timedelta(days=settings.created_in_error_purge_days),
        zone=settings.zone,
    )


def all_topics(settings: Settings) -> list[str]:
    inputs = settings.input_topics
    return inputs + settings.output_topics + [settings.dead_letter_topic(t) for t in inputs]


def open_database(settings: Settings) -> Database:
    """Connect, check and migrate the state store."""
    database = open_migrated(settings)
    database.on_retry = lambda exc: metrics.DB_RETRIES.inc()
    return database


def make_relay(settings: Settings, database: Database, stop: threading.Event | None = None) -> OutboxRelay:
    """The relay stops on its own event: at shutdown it must keep publishing while the outbox drains."""
    topics = all_topics(settings)

    def published(rows: list[OutboxRecord]) -> None:
        for row in rows:
            metrics.PUBLISHED.labels(row.topic).inc()

    publisher = Publisher(
        producer_options(settings),
        prepare=lambda: ensure_topics(settings, topics),
        retry=RetryPolicy(settings.publish_retry_initial_s, settings.publish_retry_max_s),
        on_retry=lambda exc: metrics.PUBLISH_RETRIES.labels(type(exc).__name__).inc(),
        stop=stop or threading.Event(),
    )
    return OutboxRelay(
        OutboxStore(database),
        publisher,
        batch_size=settings.outbox_batch_size,
        retention=timedelta(hours=settings.outbox_retention_hours),
        on_published=published,
        on_failed=lambda row, error: metrics.OUTBOX_FAILED.labels(row.topic, type(error).__name__).inc(),
    )


@dataclass
class Runtime:
    settings: Settings
    database: Database
    relay: OutboxRelay
    loop: ConsumerLoop
    stop: threading.Event
    health: HealthServer | None = None

    def run(self, until_idle_s: float | None = None) -> int:
        self.relay.start()
        try:
            if not register_outputs(self.loop.codec, self.stop, self.settings.schema_registry_retry_max_s):
                return 0  # stopped while waiting for the schema registry
            return self.loop.run(until_idle_s)
        finally:
            self.relay.stop()
            deadline = self.loop.shutdown_deadline or time.monotonic()
            self.relay.join(timeout=max(0.0, deadline - time.monotonic()))
            if self.relay.is_alive():  # blocked on a broker that is away: its unsent rows stay in the outbox
                log.warning("shutdown: the outbox relay is still waiting for the broker; leaving it")
                self.relay.publisher.close(timeout_s=0)
            if self.health is not None:
                self.health.stop()
            self.database.dispose()


def build(settings: Settings, stop: threading.Event | None = None) -> Runtime:
    stop = stop or threading.Event()
    prepare_broker(settings, all_topics(settings))
    database = open_database(settings)
    database.wait_forever, database.interrupt = True, stop  # a running service waits its database out
    policy = policy_from(settings)
    service = Service(settings, database, policy)
    relay = make_relay(settings, database)
    service.end_of_year.on_chunk = relay.notify
    loop = ConsumerLoop(settings, service, service.end_of_year, relay, stop)
    runtime = Runtime(settings, database, relay, loop, stop)
    if settings.metrics_port:
        runtime.health = HealthServer(
            settings.metrics_host, settings.metrics_port, Readiness(runtime), settings.metrics_max_connections
        ).start()
    return runtime
