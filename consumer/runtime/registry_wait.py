"""Waiting out a schema registry that does not answer: what needs it is read again later, never dead-lettered."""

import threading
import time
from collections.abc import Iterable

import structlog
from kafka import KafkaConsumer, TopicPartition
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_when_event_set,
    wait_exponential,
    wait_random,
)

from consumer.runtime import metrics
from consumer.runtime.records import InputRecord, decode_record
from schemas.codec import MessageCodec
from schemas.registry import RegistryUnavailable

log = structlog.get_logger(__name__)
OUTPUT_RECORDS = ("CoreAlert", "PasiExitDateSync")


def _backoff(retry_max_s: float):
    return wait_exponential(multiplier=0.2, max=retry_max_s) + wait_random(0, 0.1)


def _try_again(codec: MessageCodec) -> None:
    """The registry client fails at once for a while after a failure; an attempt due now must reach it."""
    registry = getattr(codec.avro.framing, "registry", None)
    if registry is not None:
        registry.try_again()


class RegistryHold:
    """Partitions whose next record needs a writer schema from a registry that does not answer.

    Such a partition is rewound to that record and paused. Once the back-off has passed it is resumed, so
    the record is fetched and decoded again; every partition held meanwhile waits for the same attempt."""

    def __init__(self, codec: MessageCodec, retry_max_s: float):
        self.codec = codec
        self.held: dict[TopicPartition, int] = {}
        self.rereading: set[TopicPartition] = set()
        self._wait = _backoff(retry_max_s)
        self._state = RetryCallState(Retrying(), None, (), {})
        self._failures = 0
        self._counted = False  # this attempt's failure is counted once, whatever the partitions it holds
        self._retry_at = 0.0

    def decode(self, consumer: KafkaConsumer, tp: TopicPartition, records: list, expected: type) -> list[InputRecord]:
        """The records decoded in order, up to the first that needs the registry while it does not answer."""
        decoded = []
        for r in records:
            try:
                decoded.append(decode_record(self.codec, expected, tp.topic, tp.partition, r.offset, r.key, r.value))
            except RegistryUnavailable as exc:
                self._hold(consumer, tp, r.offset, exc)
                return decoded
        if tp in self.rereading and records:
            self.rereading.discard(tp)
            if not self.held and not self.rereading:
                self._answered()
        return decoded

    def _hold(self, consumer: KafkaConsumer, tp: TopicPartition, offset: int, exc: Exception) -> None:
        consumer.seek(tp, offset)
        consumer.pause(tp)
        self.rereading.discard(tp)
        self.held[tp] = offset
        if self._counted:
            return
        self._counted = True
        self._failures += 1
        self._state.attempt_number = self._failures
        delay = self._wait(self._state)
        self._retry_at = time.monotonic() + delay
        metrics.REGISTRY_WAITS.inc()
        metrics.REGISTRY_UNAVAILABLE.set(1)
        log.warning(
            "schema registry unavailable: the partition waits for it", topic=tp.topic, partition=tp.partition,
            offset=offset, attempt=self._failures, retry_in_s=round(delay, 2), error=str(exc),
        )

    def release_due(self, consumer: KafkaConsumer, keep_paused: set[TopicPartition]) -> None:
        """Once the back-off has passed, resume the held partitions (not those paused for another reason:
        they are read again when that reason ends)."""
        if not self.held or time.monotonic() < self._retry_at:
            return
        assigned = consumer.assignment()
        again = [tp for tp in self.held if tp in assigned]
        resume = [tp for tp in again if tp not in keep_paused]
        if resume:
            consumer.resume(*resume)
        _try_again(self.codec)
        self.rereading.update(again)
        self.held.clear()
        self._counted = False

    def forget(self, revoked: Iterable[TopicPartition]) -> None:
        """Partitions given up in a rebalance: their next owner reads them from the committed offset."""
        for tp in revoked:
            self.held.pop(tp, None)
            self.rereading.discard(tp)
        if not self.held and not self.rereading:
            metrics.REGISTRY_UNAVAILABLE.set(0)

    def _answered(self) -> None:
        log.info("schema registry answers again: reading on", after_attempts=self._failures)
        self._failures = 0
        metrics.REGISTRY_UNAVAILABLE.set(0)


def register_outputs(codec: MessageCodec, stop: threading.Event, retry_max_s: float) -> bool:
    """Have the output schemas' ids before consuming, waiting for a registry that does not answer: outputs
    are encoded inside a batch's transaction, where nothing waits. False when stopped while waiting."""

    def waiting(state: RetryCallState) -> None:
        metrics.REGISTRY_WAITS.inc()
        metrics.REGISTRY_UNAVAILABLE.set(1)
        log.warning(
            "schema registry unavailable: waiting for it before consuming", attempt=state.attempt_number,
            retry_in_s=round(state.upcoming_sleep, 2), error=str(state.outcome.exception()),
        )

    retrying = Retrying(
        retry=retry_if_exception_type(RegistryUnavailable),
        wait=_backoff(retry_max_s),
        stop=stop_when_event_set(stop),
        sleep=stop.wait,
        before_sleep=waiting,
        reraise=True,
    )
    try:
        for attempt in retrying:
            with attempt:
                _try_again(codec)
                for name in OUTPUT_RECORDS:
                    codec.avro.prepare(name)
    except RegistryUnavailable:
        return False
    metrics.REGISTRY_UNAVAILABLE.set(0)
    return True
