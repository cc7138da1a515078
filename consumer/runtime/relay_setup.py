"""The outbox relay built from settings, and where it reports what it did (metrics, or a parent process)."""

import threading
from datetime import timedelta
from typing import Protocol

from consumer.config.settings import Settings
from consumer.kafka.options import producer_options
from consumer.kafka.topics import ensure_topics
from consumer.runtime import metrics
from consumer.store.database import Database
from consumer.store.outbox import OutboxStore
from producers.publisher import Publisher, RetryPolicy
from producers.relay import OutboxRelay
from schemas.records import OutboxRecord


def all_topics(settings: Settings) -> list[str]:
    inputs = settings.input_topics
    return inputs + settings.output_topics + [settings.dead_letter_topic(t) for t in inputs]


class RelayReport(Protocol):
    def published(self, rows: list[OutboxRecord]) -> None: ...
    def failed(self, row: OutboxRecord, error: BaseException) -> None: ...
    def retried(self, error: BaseException) -> None: ...


class MetricsReport:
    """A relay in this process counts into this process's metrics."""

    def published(self, rows: list[OutboxRecord]) -> None:
        for row in rows:
            metrics.PUBLISHED.labels(row.topic).inc()

    def failed(self, row: OutboxRecord, error: BaseException) -> None:
        metrics.OUTBOX_FAILED.labels(row.topic, type(error).__name__).inc()

    def retried(self, error: BaseException) -> None:
        metrics.PUBLISH_RETRIES.labels(type(error).__name__).inc()


def make_relay(
    settings: Settings,
    database: Database,
    stop: threading.Event | None = None,
    report: RelayReport | None = None,
) -> OutboxRelay:
    """The relay stops on its own event: at shutdown it must keep publishing while the outbox drains."""
    report = report or MetricsReport()
    topics = all_topics(settings)
    publisher = Publisher(
        producer_options(settings),
        prepare=lambda: ensure_topics(settings, topics),
        retry=RetryPolicy(settings.publish_retry_initial_s, settings.publish_retry_max_s),
        on_retry=report.retried,
        stop=stop or threading.Event(),
    )
    return OutboxRelay(
        OutboxStore(database),
        publisher,
        batch_size=settings.outbox_batch_size,
        retention=timedelta(hours=settings.outbox_retention_hours),
        on_published=report.published,
        on_failed=report.failed,
        idle_wait_s=settings.relay_poll_s,
    )
