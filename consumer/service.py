"""Handling a batch: one transaction loads state, runs the rules, and writes state, ids and outbox rows."""

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime

import structlog
from sqlalchemy.engine import Connection

from consumer import metrics
from consumer.codecs import codec_for
from consumer.domain.outputs import Output
from consumer.domain.policy import Policy
from consumer.domain.rules import advance_to, fire_due, handle_event
from consumer.domain.rules.end_of_year import new_run
from consumer.encoder import OutputEncoder
from consumer.logs import describe_error
from consumer.records import InputRecord
from consumer.settings import Settings
from consumer.store import loader, writer
from consumer.store.database import Database, Interrupted, transient
from consumer.store.end_of_year import insert_runs
from consumer.store.writer import OutboxRecord
from schemas.codec import MessageCodec
from schemas.events import SCHOOL_EVENT_TYPES
from schemas.term_closed import TermClosed

log = structlog.get_logger(__name__)


@dataclass
class BatchStats:
    processed: Counter = field(default_factory=Counter)
    duplicates: Counter = field(default_factory=Counter)
    dead_letters: Counter = field(default_factory=Counter)
    alerts: Counter = field(default_factory=Counter)
    syncs: Counter = field(default_factory=Counter)
    runs_started: int = 0

    def merge(self, other: "BatchStats") -> "BatchStats":
        for name in ("processed", "duplicates", "dead_letters", "alerts", "syncs"):
            getattr(self, name).update(getattr(other, name))
        self.runs_started += other.runs_started
        return self


class Service:
    def __init__(self, settings: Settings, database: Database, policy: Policy, codec: MessageCodec | None = None):
        self.settings = settings
        self.database = database
        self.policy = policy
        self.encoder = OutputEncoder(settings, codec or codec_for(settings))

    def process(
        self,
        records: list[InputRecord],
        partitions: set[int] | None = None,
        owned: set[tuple[str, int]] | None = None,
    ) -> BatchStats:
        """Apply a batch in one transaction (retried whole on transient database errors).

        `partitions`: the input partitions whose deadlines this process fires; `owned`: the (topic,
        partition)s assigned to it, whose event time is its watermark (None for both: everything).

        An error that retrying cannot cure (a rule's bug, a value the database refuses) splits the
        batch in halves until the one event that fails is found: it is dead-lettered with the error,
        and every other event is processed as usual."""
        try:
            stats = self.database.run(lambda connection: self._apply(connection, records, partitions, owned))
        except Exception as exc:
            if transient(exc) or isinstance(exc, Interrupted):
                raise
            if len(records) == 1:
                return self._dead_letter_failed(records[0], exc)
            half = len(records) // 2
            first = self.process(records[:half], partitions, owned)
            return first.merge(self.process(records[half:], partitions, owned))
        _count(stats)
        return stats

    def _dead_letter_failed(self, record: InputRecord, exc: Exception) -> BatchStats:
        """The event `record` cannot be processed: record it as processed, with a dead letter naming why."""
        failed = replace(record, message=None, error_class=type(exc).__name__, error_message=describe_error(exc))
        log.error(
            "event failed: dead-lettered", topic=record.topic, partition=record.partition, offset=record.offset,
            event_id=record.dedupe_id, error_class=failed.error_class, error=failed.error_message,
        )

        def work(connection: Connection) -> BatchStats:
            stats = BatchStats()
            if not loader.unprocessed(connection, [record.dedupe_id]):
                stats.duplicates[record.topic] += 1
                return stats
            writer.mark_processed(connection, [record.dedupe_id])
            writer.write_outbox(connection, [self.encoder.dead_letter(failed)])
            stats.dead_letters[(record.topic, failed.error_class)] += 1
            return stats

        stats = self.database.run(work)
        _count(stats)
        return stats

    def fire_group_deadlines(self, partitions: set[int] | None) -> BatchStats:
        """Fire the deadlines of `partitions` that the group's event time has passed.

        Called when this process has nothing left to read: its own partitions then hold no event
        before those deadlines, so firing them now gives what one process reading every partition
        would give. Without it, a process whose partitions fall quiet would wait for an event of its
        own to move its watermark. One transaction; nothing written when nothing is due."""
        stats = self.database.run(lambda connection: self._fire_group_deadlines(connection, partitions))
        _count(stats)
        return stats

    def _fire_group_deadlines(self, connection: Connection, partitions: set[int] | None) -> BatchStats:
        stats = BatchStats()
        # no `owned`: the state's watermark is the group's, and the deadlines loaded are those due by it
        state = loader.load_state(connection, loader.LoadRequest(partitions=partitions))
        if not state.due_deadlines():
            return stats
        fire_due(state, self.policy)
        outbox = [self.encoder.output(output) for output in state.outputs]
        self._count_outputs(state.outputs, stats, log.bind())
        writer.save_state(connection, state)
        writer.write_outbox(connection, outbox)
        return stats

    def _apply(
        self,
        connection: Connection,
        records: list[InputRecord],
        partitions: set[int] | None,
        owned: set[tuple[str, int]] | None = None,
    ) -> BatchStats:
        stats = BatchStats()
        logger = log.bind()  # resolved once per batch: through the lazy proxy every call re-binds (5 us an event)
        fresh = loader.unprocessed(connection, (r.dedupe_id for r in records))
        events = [r for r in records if not r.dead and r.dedupe_id in fresh]
        request = _request(events, partitions)
        request.owned = owned
        state = loader.load_state(connection, request)
        outbox: list[OutboxRecord] = []
        runs = []
        marks: dict[tuple[str, int], datetime] = {}
        done: list[str] = []
        for record in records:
            if record.dedupe_id not in fresh:
                stats.duplicates[record.topic] += 1
                continue
            fresh.discard(record.dedupe_id)  # the same id twice in one batch counts once
            done.append(record.dedupe_id)
            if record.dead:
                outbox.append(self.encoder.dead_letter(record))
                stats.dead_letters[(record.topic, record.error_class)] += 1
                logger.warning(
                    "dead letter", topic=record.topic, partition=record.partition, offset=record.offset,
                    error_class=record.error_class, error=record.error_message,
                )
                continue
            message = record.message
            key = (record.topic, record.partition)
            marks[key] = max(marks.get(key, message.occurred_at), message.occurred_at)
            if isinstance(message, TermClosed):
                advance_to(state, message.occurred_at, self.policy)
                runs.append(new_run(message, self.policy))
                stats.processed["TermClosed"] += 1
                continue
            handle_event(state, message, self.policy, record.partition)
            stats.processed[message.event_type] += 1
            logger.debug("event handled", event_id=message.event_id, event_type=message.event_type, asn=message.asn)
        outbox += [self.encoder.output(output) for output in state.outputs]
        self._count_outputs(state.outputs, stats, logger)
        writer.save_state(connection, state)
        writer.mark_processed(connection, done)
        writer.save_watermarks(connection, marks)
        writer.write_outbox(connection, outbox)
        stats.runs_started = insert_runs(connection, runs)
        return stats

    @staticmethod
    def _count_outputs(outputs: list[Output], stats: BatchStats, logger) -> None:
        for output in outputs:
            message = output.message
            if output.kind == "alert":
                stats.alerts[(message.code, message.status)] += 1
                logger.info(
                    "core alert", event_id=message.source_event_id, alert_id=message.alert_id, code=message.code,
                    status=message.status, asn=message.asn, school_code=message.school_code,
                )
            else:
                stats.syncs[message.action] += 1


def _request(records: list[InputRecord], partitions: set[int] | None) -> loader.LoadRequest:
    request = loader.LoadRequest(partitions=partitions)
    for record in records:
        message = record.message
        if isinstance(message, TermClosed):
            continue
        horizon = request.deadline_horizon
        request.deadline_horizon = message.occurred_at if horizon is None else max(horizon, message.occurred_at)
        request.schools.add(message.school_code)
        payload = message.payload
        if message.event_type in SCHOOL_EVENT_TYPES:
            if message.event_type == "SchoolTermsConfigured":
                request.configured.add((message.school_code, payload.school_year_id))
            else:
                request.scheduled.add((message.school_code, payload.course_code))
                request.courses.add((message.school_code, payload.course_code))
            continue
        request.asns.add(message.asn)
        if message.event_type == "ConcurrentEnrolmentStarted":
            request.schools.add(payload.home_school_code)
            request.setup_schools.add(message.school_code)
        elif message.event_type in ("CourseEnrolled", "StoredGradePosted"):
            request.courses.add((message.school_code, payload.course_code))
    for record in records:
        if isinstance(record.message, TermClosed):
            at = record.message.occurred_at
            request.deadline_horizon = at if request.deadline_horizon is None else max(request.deadline_horizon, at)
    return request


def _count(stats: BatchStats) -> None:
    for event_type, n in stats.processed.items():
        metrics.EVENTS_PROCESSED.labels(event_type).inc(n)
    for topic, n in stats.duplicates.items():
        metrics.EVENTS_DUPLICATE.labels(topic).inc(n)
    for (topic, reason), n in stats.dead_letters.items():
        metrics.EVENTS_DEAD_LETTERED.labels(topic, reason).inc(n)
    for (code, status), n in stats.alerts.items():
        metrics.ALERTS.labels(code, status).inc(n)
    for action, n in stats.syncs.items():
        metrics.SYNCS.labels(action).inc(n)
