"""The consumer loop: poll, align by event time, process a batch in one transaction, then commit offsets."""

import threading
import time

import structlog
from kafka import KafkaConsumer, TopicPartition
from kafka.structs import OffsetAndMetadata

from consumer.config.settings import Settings
from consumer.kafka.compat import release_parked_records
from consumer.kafka.options import consumer_options
from consumer.runtime import metrics
from consumer.runtime.alignment import EventTimeAligner
from consumer.runtime.codecs import codec_for
from consumer.runtime.end_of_year import EndOfYearRunner
from consumer.runtime.housekeeping import Housekeeper
from consumer.runtime.partition_status import PartitionStatus
from consumer.runtime.rebalance import RebalanceListener
from consumer.runtime.registry_wait import RegistryHold
from consumer.runtime.service import Service
from consumer.store.database import Interrupted
from producers.relay import OutboxRelay
from schemas.codec import MessageCodec
from schemas.events import EventBase
from schemas.term_closed import TermClosed

log = structlog.get_logger(__name__)


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
        self.shutdown_deadline: float | None = None  # monotonic; set once shutdown begins
        self.housekeeper = Housekeeper(self)
        self._next_deadline_sweep = 0.0
        self.status = PartitionStatus(service.database)

    def run(self, until_idle_s: float | None = None) -> int:
        self.consumer = KafkaConsumer(**consumer_options(self.settings, self.settings.consumer_group))
        self.consumer.subscribe(self.settings.input_topics, listener=RebalanceListener(self))
        quiet_since: float | None = None
        try:
            self.end_of_year.run_pending(self.stop)
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
                self.housekeeper.run()
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
        except Interrupted:  # stopping while the database is away: what was not committed is read again
            log.warning("stopped while waiting for the database; unprocessed records are read on the next start")
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
        self.housekeeper.due()  # check the backlog after every batch: pause within a batch of the limit
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

    def commit(self, only: set[TopicPartition] | None = None, within_s: float | None = None) -> None:
        offsets = {
            tp: OffsetAndMetadata(offset, "", -1)
            for tp, offset in self.pending_commit.items()
            if only is None or tp in only
        }
        if not offsets or self.consumer is None:
            return
        try:
            wait_ms = self._kafka_wait_ms() if within_s is None else min(self._kafka_wait_ms(), int(within_s * 1000))
            self.consumer.commit(offsets, timeout_ms=wait_ms)
            for tp in offsets:
                self.pending_commit.pop(tp, None)
        except Exception as exc:  # a rebalance or the broker away: re-read later, processed ids make it harmless
            log.warning("offset commit failed", error=f"{type(exc).__name__}: {exc}")

    def _kafka_wait_ms(self) -> int:
        """How long a blocking call to the broker may take: a request's timeout, or what is left of shutdown."""
        if self.shutdown_deadline is None:  # half the shutdown timeout at most: a stop may come meanwhile
            wait_s = min(self.settings.kafka_request_timeout_ms / 1000, self.settings.shutdown_timeout_s / 2)
        else:
            wait_s = self.shutdown_deadline - time.monotonic()
        return int(max(0.1, wait_s) * 1000)

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
        """Commit, drain the outbox and leave the group, all within SHUTDOWN_TIMEOUT_S: with the broker
        away, what was not sent stays in the outbox for the next start."""
        self.shutdown_deadline = time.monotonic() + self.settings.shutdown_timeout_s
        if self.consumer is None:
            return
        budget = self.settings.shutdown_timeout_s
        try:
            self.commit(within_s=budget / 4)  # a broker that is away must not take the outbox's time
            leaving = min(1.0, budget / 5)  # kept for the last commit and leaving the group
            if not self.relay.drain(max(0.0, self.shutdown_deadline - leaving - time.monotonic())):
                log.warning("shutdown: outbox not drained in time; it is kept and sent on the next start")
            self.commit()
        finally:
            self.consumer.close(autocommit=False, timeout_ms=self._kafka_wait_ms())
