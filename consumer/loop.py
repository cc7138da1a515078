"""The consumer loop: poll, align by event time, process a batch in one transaction, then commit offsets."""

import threading
import time
from datetime import timedelta

import structlog
from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.subscription_state import ConsumerRebalanceListener
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata

from consumer import metrics
from consumer.alignment import EventTimeAligner
from consumer.codecs import codec_for
from consumer.end_of_year import EndOfYearRunner
from consumer.kafka_compat import release_parked_records
from consumer.kafka_options import consumer_options
from consumer.partition_status import PartitionStatus
from consumer.registry_wait import RegistryHold
from consumer.service import Service
from consumer.settings import Settings
from consumer.store.retention import prune_processed_events
from producers.relay import OutboxRelay
from schemas.codec import MessageCodec
from schemas.events import EventBase
from schemas.term_closed import TermClosed

log = structlog.get_logger(__name__)


class _Listener(ConsumerRebalanceListener):
    """Commits what was processed before giving partitions up, and never skips what was only buffered.

    kafka-python keeps the fetch position of a partition assigned both before and after a rebalance,
    so records fetched but not yet processed would be skipped: the listener seeks back to them.
    """

    def __init__(self, loop: "ConsumerLoop"):
        self.loop = loop
        self.rewind: dict[TopicPartition, int] = {}

    def on_partitions_revoked(self, revoked):
        loop = self.loop
        loop.last_rebalance = time.monotonic()
        loop.commit(only=set(revoked))
        for tp in revoked:
            first = loop.aligner.first_offset(tp)
            if first is not None:
                self.rewind[tp] = first
        loop.aligner.revoke(revoked)
        loop.registry_hold.forget(revoked)
        loop.buffer_paused -= set(revoked)
        if revoked:
            log.info("partitions revoked", partitions=sorted(f"{tp.topic}[{tp.partition}]" for tp in revoked))

    def on_partitions_assigned(self, assigned):
        loop = self.loop
        loop.last_rebalance = time.monotonic()
        consumer = loop.consumer
        for tp in assigned:
            if tp in self.rewind:
                consumer.seek(tp, self.rewind[tp])
        self.rewind.clear()
        paused = set(consumer.paused())
        if loop.backpressure:
            consumer.pause(*assigned)
        elif paused:
            consumer.resume(*paused)
        loop.aligner.assign(assigned)
        log.info("partitions assigned", partitions=sorted(f"{tp.topic}[{tp.partition}]" for tp in assigned))


class ConsumerLoop:
    def __init__(
        self,
        settings: Settings,
        service: Service,
        end_of_year: EndOfYearRunner,
        relay: OutboxRelay,
        stop: threading.Event,
        codec: MessageCodec | None = None,
    ):
        self.settings = settings
        self.service = service
        self.end_of_year = end_of_year
        self.relay = relay
        self.stop = stop
        self.codec = codec or codec_for(settings)
        self.expected = {settings.topic_enrollment_changed: EventBase, settings.topic_term_closed: TermClosed}
        self.aligner = EventTimeAligner(settings.alignment_wait_ms / 1000)
        self.registry_hold = RegistryHold(self.codec, settings.schema_registry_retry_max_s)
        self.consumer: KafkaConsumer | None = None
        self.pending_commit: dict[TopicPartition, int] = {}
        self.buffer_paused: set[TopicPartition] = set()
        self.backpressure = False
        self.last_poll_ok = 0.0
        self.last_rebalance = 0.0
        self._next_housekeeping = 0.0
        self._next_pruning = time.monotonic() + 60
        self._next_deadline_sweep = 0.0
        self.status = PartitionStatus(service.database)

    def run(self, until_idle_s: float | None = None) -> int:
        self.consumer = KafkaConsumer(**consumer_options(self.settings, self.settings.consumer_group))
        self.consumer.subscribe(self.settings.input_topics, listener=_Listener(self))
        self.end_of_year.run_pending(self.stop)
        quiet_since: float | None = None
        try:
            while not self.stop.is_set():
                release_parked_records(self.consumer)
                self.registry_hold.release_due(
                    self.consumer, self.buffer_paused | (self.consumer.assignment() if self.backpressure else set())
                )
                polled = self.consumer.poll(timeout_ms=100)
                self.last_poll_ok = time.monotonic()
                self._buffer(polled)
                worked = self._process_released()
                if not polled and not worked:
                    worked = self._fire_group_deadlines()
                self._housekeeping()
                if until_idle_s is None:
                    continue
                if polled or worked or not self._caught_up():
                    quiet_since = None
                    continue
                now = time.monotonic()
                quiet_since = max(quiet_since or now, self.last_rebalance)
                if now - quiet_since >= self._quiet_needed(until_idle_s):
                    if self._fire_group_deadlines(now=True):  # the group's latest event time, once more
                        quiet_since = None
                        continue
                    log.info("idle: every partition read to its end and the outbox is empty")
                    break
        finally:
            self._shutdown()
        return 0

    def _buffer(self, polled) -> None:
        for tp, records in polled.items():
            expected = self.expected.get(tp.topic, EventBase)
            # a record waiting for the schema registry is read again later
            decoded = self.registry_hold.decode(self.consumer, tp, records, expected)
            self.aligner.add(tp, decoded)
            metrics.EVENTS_CONSUMED.labels(tp.topic).inc(len(decoded))
            if self.aligner.size(tp) >= self.settings.partition_buffer_limit and tp not in self.buffer_paused:
                self.consumer.pause(tp)
                self.buffer_paused.add(tp)
                metrics.PAUSES.labels("partition_buffer").inc()

    def _lagging(self, tp: TopicPartition) -> bool:
        highwater = self.consumer.highwater(tp)
        if highwater is None:
            return True
        return self.consumer.position(tp) < highwater

    def _process_released(self) -> bool:
        released = self.aligner.release(self._lagging, self.settings.max_poll_records)
        self._resume_drained()
        if not released:
            return False
        partitions = {r.partition for r in released if r.topic == self.settings.topic_enrollment_changed}
        started = time.monotonic()
        owned = {(tp.topic, tp.partition) for tp in self.consumer.assignment()}
        # End of Year runs inside, between a broadcast and the events after it; stopped midway, the events after
        # it stay unprocessed and uncommitted, for the next start to read once it has finished the run
        stats = self.service.process(released, self._owned_partitions() or partitions, owned or None, self.stop)
        metrics.BATCH_DURATION.observe(time.monotonic() - started)
        metrics.BATCH_SIZE.observe(stats.handled)
        for record in released[: stats.handled]:
            self.pending_commit[TopicPartition(record.topic, record.partition)] = record.offset + 1
        self.relay.notify()
        self.commit()
        self._next_housekeeping = 0.0  # check the backlog after every batch: pause within a batch of the limit
        return True

    def _fire_group_deadlines(self, now: bool = False) -> bool:
        """When this process has read its partitions to their end: fire their deadlines that the
        group's event time (other processes' partitions included) has passed. At most once every
        DEADLINE_SWEEP_INTERVAL_MS, or `now`. True when something fired."""
        clock = time.monotonic()
        if not now and clock < self._next_deadline_sweep:
            return False
        assignment = self.consumer.assignment()
        if not assignment or self.aligner.size() or any(self._lagging(tp) for tp in assignment):
            return False
        self._next_deadline_sweep = clock + self.settings.deadline_sweep_interval_ms / 1000
        stats = self.service.fire_group_deadlines(self._owned_partitions())
        if not (stats.alerts or stats.syncs):
            return False
        self.relay.notify()
        log.info("deadlines fired on the group's event time", alerts=sum(stats.alerts.values()),
                 syncs=sum(stats.syncs.values()))
        return True

    def _owned_partitions(self) -> set[int]:
        return {tp.partition for tp in self.consumer.assignment() if tp.topic == self.settings.topic_enrollment_changed}

    def _resume_drained(self) -> None:
        for tp in list(self.buffer_paused):
            if self.aligner.size(tp) < self.settings.partition_buffer_limit // 2:
                self.buffer_paused.discard(tp)
                if not self.backpressure:
                    self.consumer.resume(tp)

    def commit(self, only: set[TopicPartition] | None = None) -> None:
        offsets = {
            tp: OffsetAndMetadata(offset, "", -1)
            for tp, offset in self.pending_commit.items()
            if only is None or tp in only
        }
        if not offsets or self.consumer is None:
            return
        try:
            self.consumer.commit(offsets)
            for tp in offsets:
                self.pending_commit.pop(tp, None)
        except KafkaError as exc:  # a rebalance: the next owner re-reads, and processed ids make it harmless
            log.warning("offset commit failed", error=f"{type(exc).__name__}: {exc}")

    def _housekeeping(self) -> None:
        now = time.monotonic()
        if now < self._next_housekeeping:
            return
        self._next_housekeeping = now + 0.5
        if now >= self._next_pruning:
            self._next_pruning = now + 600
            retention = timedelta(days=self.settings.processed_events_retention_days)
            pruned = prune_processed_events(self.service.database, retention)
            if pruned:
                log.info("forgot old processed event ids", count=pruned, retention_days=retention.days)
        backlog = self.relay.outbox.backlog()
        metrics.OUTBOX_BACKLOG.set(backlog)
        limit = self.settings.outbox_backlog_limit
        assignment = self.consumer.assignment()
        if not self.backpressure and backlog > limit:
            self.backpressure = True
            self.consumer.pause(*assignment)
            metrics.PAUSED.set(1)
            metrics.PAUSES.labels("outbox_backlog").inc()
            log.warning("outbox backlog over its limit: consumption paused", backlog=backlog, limit=limit)
        elif self.backpressure and backlog <= limit // 2:
            self.backpressure = False
            self.consumer.resume(*(tp for tp in assignment if tp not in self.buffer_paused))
            metrics.PAUSED.set(0)
            log.info("outbox caught up: consumption resumed", backlog=backlog)
        for tp in assignment:
            highwater = self.consumer.highwater(tp)
            if highwater is not None:
                metrics.CONSUMER_LAG.labels(tp.topic, str(tp.partition)).set(
                    max(0, highwater - self.consumer.position(tp)) + self.aligner.size(tp)
                )
        self.status.record(self.consumer, self.aligner, self.service.last_batch_at)

    def _quiet_needed(self, until_idle_s: float) -> float:
        """With only some partitions, wait long enough for a dead member's session to expire and its
        partitions to come back in a rebalance: a killed consumer keeps its assignment until then."""
        if self._owns_every_partition():
            return until_idle_s
        settings = self.settings
        stability = 1.5 * settings.session_timeout_ms / 1000 + 2 * settings.heartbeat_interval_ms / 1000 + 0.5
        return max(until_idle_s, stability)

    def _owns_every_partition(self) -> bool:
        assignment = self.consumer.assignment()
        for topic in self.settings.input_topics:
            partitions = self.consumer.partitions_for_topic(topic) or set()
            if not partitions or any(TopicPartition(topic, p) not in assignment for p in partitions):
                return False
        return True

    def _caught_up(self) -> bool:
        assignment = self.consumer.assignment()
        if not assignment or self.aligner.size() or self.backpressure:
            return False
        if any(self._lagging(tp) for tp in assignment):
            return False
        return self.relay.outbox.backlog() == 0

    def _shutdown(self) -> None:
        if self.consumer is None:
            return
        try:
            self.commit()
            if not self.relay.drain(self.settings.shutdown_timeout_s):
                log.warning("shutdown: outbox not drained in time; it is kept and sent on the next start")
            self.commit()
        finally:
            self.consumer.close()
