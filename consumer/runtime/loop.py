"""The consumer loop: poll, align by event time, process a batch in one transaction, then commit offsets.

Each of its jobs has a module of its own: aligning partitions by event time (`alignment`), pausing
(`pausing`), committing (`offsets`), the group's deadlines (`group_deadlines`), chores between
batches (`housekeeping`), rebalances (`rebalance`), idle detection (`idle`) and records that wait
for the schema registry (`registry_wait`).
"""

import threading
import time

import structlog
from kafka import KafkaConsumer

from consumer.config.settings import Settings
from consumer.kafka.compat import release_parked_records
from consumer.kafka.options import consumer_options
from consumer.runtime import metrics
from consumer.runtime.alignment import EventTimeAligner
from consumer.runtime.codecs import codec_for
from consumer.runtime.end_of_year import EndOfYearRunner
from consumer.runtime.group_deadlines import GroupDeadlineSweep
from consumer.runtime.housekeeping import Housekeeper
from consumer.runtime.idle import IdleWatch
from consumer.runtime.offsets import OffsetCommitter
from consumer.runtime.partition_status import PartitionStatus
from consumer.runtime.pausing import Pauses
from consumer.runtime.positions import lagging, owned_partitions
from consumer.runtime.rebalance import RebalanceListener
from consumer.runtime.registry_wait import RegistryHold
from consumer.runtime.service import Service
from consumer.store.database import Interrupted
from producers.relay import Relay
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
        relay: Relay,
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
        self.consumer: KafkaConsumer | None = None
        self.last_poll_ok = 0.0
        self.last_rebalance = 0.0
        self.shutdown_deadline: float | None = None  # monotonic; set once shutdown begins
        self.aligner = EventTimeAligner(settings.alignment_wait_ms / 1000)
        self.registry_hold = RegistryHold(self.codec, settings.schema_registry_retry_max_s)
        self.pauses = Pauses(self)
        self.offsets = OffsetCommitter(self)
        self.deadlines = GroupDeadlineSweep(self)
        self.housekeeper = Housekeeper(self)
        self.idle = IdleWatch(self)
        self.status = PartitionStatus(service.database)

    def run(self, until_idle_s: float | None = None) -> int:
        self.consumer = KafkaConsumer(**consumer_options(self.settings, self.settings.consumer_group))
        self.consumer.subscribe(self.settings.input_topics, listener=RebalanceListener(self))
        try:
            self.end_of_year.run_pending(self.stop)
            while not self.stop.is_set():
                polled = self._poll()
                worked = self._process_released()
                if not polled and not worked:
                    worked = self.deadlines.sweep()
                self.housekeeper.run()
                if until_idle_s is not None and self.idle.reached(until_idle_s, busy=bool(polled or worked)):
                    break
        except Interrupted:  # stopping while the database is away: what was not committed is read again
            log.warning("stopped while waiting for the database; unprocessed records are read on the next start")
        finally:
            self._shutdown()
        return 0

    def _poll(self) -> dict:
        """Fetch what the unpaused partitions have, and buffer it for alignment."""
        release_parked_records(self.consumer)
        self.registry_hold.release_due(self.consumer, self.pauses.held())
        polled = self.consumer.poll(timeout_ms=100)
        self.last_poll_ok = time.monotonic()
        self._buffer(polled)
        return polled

    def _buffer(self, polled) -> None:
        for tp, records in polled.items():
            expected = self.expected.get(tp.topic, EventBase)
            # a record waiting for the schema registry is read again later
            decoded = self.registry_hold.decode(self.consumer, tp, records, expected)
            self.aligner.add(tp, decoded)
            metrics.EVENTS_CONSUMED.labels(tp.topic).inc(len(decoded))
            self.pauses.check_buffer(tp)

    def _process_released(self) -> bool:
        """Process the records the aligner releases as one batch, then commit them. True if there were any."""
        released = self.aligner.release(lambda tp: lagging(self.consumer, tp), self.settings.max_poll_records)
        self.pauses.resume_drained()
        if not released:
            return False
        partitions = {r.partition for r in released if r.topic == self.settings.topic_enrollment_changed}
        started = time.monotonic()
        owned = {(tp.topic, tp.partition) for tp in self.consumer.assignment()}
        # End of Year runs inside, between a broadcast and the events after it; stopped midway, the events after
        # it stay unprocessed and uncommitted, for the next start to read once it has finished the run
        stats = self.service.process(released, self.owned_partitions() or partitions, owned or None, self.stop)
        metrics.BATCH_DURATION.observe(time.monotonic() - started)
        metrics.BATCH_SIZE.observe(stats.handled)
        self.offsets.applied(released[: stats.handled])
        self.relay.notify()
        self.offsets.commit()
        self.housekeeper.due()  # check the backlog after every batch: pause within a batch of the limit
        return True

    def owned_partitions(self) -> set[int]:
        """The input partitions of SIS events assigned to this process: whose deadlines it fires."""
        return owned_partitions(self.consumer, self.settings.topic_enrollment_changed)

    def _shutdown(self) -> None:
        """Commit, drain the outbox and leave the group, all within SHUTDOWN_TIMEOUT_S: with the broker
        away, what was not sent stays in the outbox for the next start."""
        self.shutdown_deadline = time.monotonic() + self.settings.shutdown_timeout_s
        if self.consumer is None:
            return
        budget = self.settings.shutdown_timeout_s
        try:
            self.offsets.commit(within_s=budget / 4)  # a broker that is away must not take the outbox's time
            leaving = min(1.0, budget / 5)  # kept for the last commit and leaving the group
            if not self.relay.drain(max(0.0, self.shutdown_deadline - leaving - time.monotonic())):
                log.warning("shutdown: outbox not drained in time; it is kept and sent on the next start")
            self.offsets.commit()
        finally:
            self.consumer.close(autocommit=False, timeout_ms=self.offsets.kafka_wait_ms())
