"""Wiring the service from settings: database, migrations, publisher, outbox relay, consumer loop, health."""

import threading
import time
from dataclasses import dataclass
from datetime import timedelta

import structlog

from consumer.config.settings import Settings
from consumer.domain.policy import Policy
from consumer.kafka.connect import prepare_broker
from consumer.runtime import metrics
from consumer.runtime.health import HealthServer
from consumer.runtime.loop import ConsumerLoop
from consumer.runtime.readiness import Readiness
from consumer.runtime.registry_wait import register_outputs
from consumer.runtime.relay_process import ExternalRelay, RelayProcess
from consumer.runtime.relay_setup import all_topics, make_relay
from consumer.runtime.service import Service
from consumer.store.database import Database
from consumer.store.migrate import open_migrated
from producers.relay import OutboxRelay

log = structlog.get_logger(__name__)


def policy_from(settings: Settings) -> Policy:
    return Policy(
        policy_date=settings.policy_date,
        eoy_exit_code=settings.eoy_exit_code,
        grace_period=settings.grace_period,
        purge_after=timedelta(days=settings.created_in_error_purge_days),
        zone=settings.zone,
    )


def open_database(settings: Settings) -> Database:
    """Connect, check and migrate the state store."""
    database = open_migrated(settings)
    database.on_retry = lambda exc: metrics.DB_RETRIES.inc()
    return database


@dataclass
class Runtime:
    settings: Settings
    database: Database
    relay: OutboxRelay | RelayProcess | ExternalRelay
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
                self.relay.abandon()
            if self.health is not None:
                self.health.stop()
            self.database.dispose()


def make_service_relay(settings: Settings, database: Database) -> OutboxRelay | RelayProcess | ExternalRelay:
    """By RELAY_MODE: a child process (but for an in-memory SQLite store, which no other process can open),
    a thread, or none (`external`: a separate `pasi-concurrent relay` publishes)."""
    if settings.relay_mode == "external" and not database.in_memory:
        return ExternalRelay(database)
    if settings.relay_mode == "process" and not database.in_memory:
        return RelayProcess(settings, database)
    return make_relay(settings, database)


def build(settings: Settings, stop: threading.Event | None = None) -> Runtime:
    stop = stop or threading.Event()
    prepare_broker(settings, all_topics(settings))
    database = open_database(settings)
    database.wait_forever, database.interrupt = True, stop  # a running service waits its database out
    policy = policy_from(settings)
    service = Service(settings, database, policy)
    relay = make_service_relay(settings, database)
    service.end_of_year.on_chunk = relay.notify
    loop = ConsumerLoop(settings, service, service.end_of_year, relay, stop)
    runtime = Runtime(settings, database, relay, loop, stop)
    if settings.metrics_port:
        runtime.health = HealthServer(
            settings.metrics_host, settings.metrics_port, Readiness(runtime), settings.metrics_max_connections
        ).start()
    return runtime
