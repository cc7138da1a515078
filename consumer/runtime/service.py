"""Handling a batch: one transaction loads state, runs the rules, and writes state, ids and outbox rows."""

import threading
from dataclasses import replace
from datetime import UTC, datetime

import structlog
from sqlalchemy.engine import Connection

from consumer.config.settings import Settings
from consumer.domain.outputs import Output
from consumer.domain.policy import Policy
from consumer.domain.reads import LoadRequest, reads
from consumer.domain.rules import advance_to, fire_due, handle_event, request_for
from consumer.domain.rules.end_of_year import new_run
from consumer.redaction import describe_error, redact
from consumer.runtime import metrics
from consumer.runtime.batch_stats import BatchStats, record_metrics
from consumer.runtime.codecs import codec_for
from consumer.runtime.encoder import OutputEncoder
from consumer.runtime.end_of_year import EndOfYearRunner
from consumer.runtime.records import InputRecord, sort_out
from consumer.store import loader, writer
from consumer.store.database import Database, Interrupted, transient
from consumer.store.end_of_year import insert_runs
from schemas.codec import MessageCodec
from schemas.outputs import CoreAlert
from schemas.records import OutboxRecord
from schemas.term_closed import TermClosed

log = structlog.get_logger(__name__)


class Service:
    def __init__(self, settings: Settings, database: Database, policy: Policy, codec: MessageCodec | None = None):
        self.settings = settings
        self.database = database
        self.policy = policy
        self.encoder = OutputEncoder(settings, codec or codec_for(settings))
        self.end_of_year = EndOfYearRunner(database, policy, self.encoder, settings.eoy_chunk_size)
        self._year_open = False  # True once no End-of-Year run is known to be unfinished (checked at first)
        self.last_batch_at: datetime | None = None

    def process(
        self,
        records: list[InputRecord],
        partitions: set[int] | None = None,
        owned: set[tuple[str, int]] | None = None,
        stop: threading.Event | None = None,
    ) -> BatchStats:
        """Apply a batch in event-time order: one transaction (retried whole on transient database errors) per
        stretch up to and including an End-of-Year broadcast, whose run then closes the year (in chunks) before
        any later event is applied. Stopped (`stop`) before a run finishes, the records after it are left
        unprocessed: `handled` says how many were applied, and the next start finishes the run first.

        `partitions`: the input partitions whose deadlines this process fires; `owned`: the (topic,
        partition)s assigned to it, whose event time is its watermark (None for both: everything).

        An error that retrying cannot cure (a rule's bug, a value the database refuses) splits the
        stretch in halves until the one event that fails is found: it is dead-lettered with the error,
        and every other event is processed as usual."""
        total = BatchStats()
        for stretch in _stretches(records):
            if not self._close_open_years(stop):
                break
            stats = self._apply_isolating(stretch, partitions, owned)
            stats.handled = len(stretch)
            self.last_batch_at = datetime.now(UTC)
            total.add(stats)
            self._year_open = self._year_open and not stats.runs_started
        self._close_open_years(stop)  # a broadcast last in the batch takes effect now, not with the next batch
        return total

    def _close_open_years(self, stop: threading.Event | None) -> bool:
        """Finish every End-of-Year run recorded and not finished (another process may record one meanwhile);
        False only when stopped first."""
        while not self._year_open and not (stop is not None and stop.is_set()):
            self.end_of_year.run_pending(stop)
            self._year_open = not self.end_of_year.unfinished()
        return self._year_open

    def _apply_isolating(
        self, records: list[InputRecord], partitions: set[int] | None, owned: set[tuple[str, int]] | None
    ) -> BatchStats:
        """One transaction for `records`; on an error retrying cannot cure, each half on its own."""
        try:
            stats = self.database.run(lambda connection: self._apply(connection, records, partitions, owned))
        except Exception as exc:
            if transient(exc) or isinstance(exc, Interrupted):
                raise
            if len(records) == 1:
                return self._dead_letter_failed(records[0], exc)
            half = len(records) // 2
            stats = self._apply_isolating(records[:half], partitions, owned)
            stats.add(self._apply_isolating(records[half:], partitions, owned))
            return stats
        record_metrics(stats)
        return stats

    def _dead_letter_failed(self, record: InputRecord, exc: Exception) -> BatchStats:
        """The event `record` cannot be processed: a dead letter naming why. Its position, not its event id, is
        what is marked processed, so the event replayed from the dead-letter topic after a fix is applied."""
        failed = replace(record, message=None, error_class=type(exc).__name__, error_message=describe_error(exc))
        log.error(
            "event failed: dead-lettered", topic=record.topic, partition=record.partition, offset=record.offset,
            event_id=record.dedupe_id, error_class=failed.error_class, error=failed.error_message,
        )

        def work(connection: Connection) -> BatchStats:
            stats = BatchStats()
            if loader.processed(connection, {failed.dedupe_id}):
                stats.duplicates[record.topic] += 1
                return stats
            writer.mark_processed(connection, {failed.dedupe_id: None})
            writer.write_outbox(connection, [self.encoder.dead_letter(failed)])
            stats.dead_letters[(record.topic, failed.error_class)] += 1
            return stats

        stats = self.database.run(work)
        record_metrics(stats)
        return stats

    def fire_group_deadlines(self, partitions: set[int] | None) -> BatchStats:
        """Fire the deadlines of `partitions` that the group's event time has passed.

        Called when this process has nothing left to read: its own partitions then hold no event
        before those deadlines, so firing them now gives what one process reading every partition
        would give. Without it, a process whose partitions fall quiet would wait for an event of its
        own to move its watermark. One transaction; nothing written when nothing is due."""
        stats = self.database.run(lambda connection: self._fire_group_deadlines(connection, partitions))
        record_metrics(stats)
        return stats

    def _fire_group_deadlines(self, connection: Connection, partitions: set[int] | None) -> BatchStats:
        stats = BatchStats()
        # no `owned`: the state's watermark is the group's, and the deadlines loaded are those due by it; what
        # is read is what their rules read
        state = loader.load_state(connection, LoadRequest(reads=reads(), partitions=partitions))
        if not state.due_deadlines():
            return stats
        fire_due(state, self.policy)
        outbox = [self.encoder.output(output) for output in state.outputs]
        self._count_outputs(state.outputs, stats, log.bind())
        _log_failed_checks(state)
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
        processed = loader.processed(connection, {r.dedupe_id for r in records})
        batch = sort_out(records, processed, lambda ids: loader.processed(connection, ids))
        stats.duplicates.update(batch.duplicates)
        events = [r for r in batch.fresh if not r.dead]
        request = request_for([r.message for r in events if r.message is not None], partitions)
        request.owned = owned
        state = loader.load_state(connection, request)
        outbox: list[OutboxRecord] = []
        runs = []
        marks: dict[tuple[str, int], datetime] = {}
        done: dict[str, str | None] = {}
        for record in batch.fresh:
            done[record.dedupe_id] = record.fingerprint
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
        _log_failed_checks(state)
        for event_id, reason in state.ignored:
            logger.info("event changes nothing", event_id=event_id, reason=reason)
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
        stats.count_outputs(outputs)
        for output in outputs:
            message = output.message
            if isinstance(message, CoreAlert):
                logger.info(
                    "core alert", event_id=message.source_event_id, alert_id=message.alert_id, code=message.code,
                    status=message.status, asn=message.asn, school_code=message.school_code,
                )


def _log_failed_checks(state) -> None:
    for deadline, error in state.failed_deadlines:
        metrics.CHECKS_FAILED.labels(deadline.kind).inc()
        log.error("a deadline check failed and was set aside", deadline_id=deadline.deadline_id, kind=deadline.kind,
                  asn=deadline.asn, school_code=deadline.school_code, error=redact(error))


def _stretches(records: list[InputRecord]) -> list[list[InputRecord]]:
    """The batch cut after each End-of-Year broadcast: what follows one is applied after its run."""
    stretches, current = [], []
    for record in records:
        current.append(record)
        if isinstance(record.message, TermClosed):
            stretches.append(current)
            current = []
    return stretches + ([current] if current else [])
