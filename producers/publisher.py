"""Publishing records with an idempotent producer, retried with tenacity, replacing a producer gone fatal."""

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from kafka import KafkaProducer
from kafka.errors import (
    InvalidProducerEpochError,
    InvalidRecordError,
    InvalidTimestampError,
    InvalidTopicError,
    KafkaError,
    MessageSizeTooLargeError,
    OutOfOrderSequenceNumberError,
    ProducerFencedError,
    RecordListTooLargeError,
    TopicAuthorizationFailedError,
    UnknownProducerIdError,
    UnsupportedForMessageFormatError,
)
from kafka.util import ensure_valid_topic_name
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_delay,
    stop_never,
    wait_exponential,
    wait_random,
)

from schemas.records import OutboxRecord

log = structlog.get_logger(__name__)

_FATAL = (UnknownProducerIdError, OutOfOrderSequenceNumberError, ProducerFencedError, InvalidProducerEpochError)
#: Errors about one record that no retry can cure: it cannot be published as it is.
UNPUBLISHABLE = (
    MessageSizeTooLargeError,
    RecordListTooLargeError,
    InvalidTopicError,
    TopicAuthorizationFailedError,
    InvalidRecordError,
    InvalidTimestampError,
    UnsupportedForMessageFormatError,
)


class PublishError(Exception):
    """One attempt did not get every record acknowledged; `acknowledged` leading records were settled
    (`rejected` among them: (index, error) of those refused for good)."""

    def __init__(self, acknowledged: int, rejected: list[tuple[int, BaseException]], cause: BaseException):
        self.acknowledged = acknowledged
        self.rejected = rejected
        self.cause = cause
        super().__init__(f"{type(cause).__name__}: {cause}")


class StopRequested(Exception):
    """Publishing gave up because the caller asked to stop."""


@dataclass
class RetryPolicy:
    initial_s: float = 0.2
    max_s: float = 10.0
    give_up_after_s: float | None = None  # None: retry until stopped


class Publisher:
    """Sends batches of records and retries until each is acknowledged, in order."""

    def __init__(
        self,
        producer_options: dict[str, Any],
        prepare: Callable[[], None] = lambda: None,
        retry: RetryPolicy | None = None,
        on_retry: Callable[[BaseException], None] = lambda exc: None,
        stop: threading.Event | None = None,
    ):
        self.options = producer_options
        self.prepare = prepare  # e.g. create topics: a restarted broker comes back without them
        self.retry = retry or RetryPolicy()
        self.on_retry = on_retry
        self.stop_event = stop or threading.Event()
        self.delivery_timeout_s = producer_options.get("delivery_timeout_ms", 120_000) / 1000
        self._producer: KafkaProducer | None = None
        self._prepared = False
        self.replacements = 0
        self.failing_since: float | None = None  # monotonic time of the first failed attempt since a success
        self.last_error: str | None = None

    def publish(
        self,
        records: Sequence[OutboxRecord],
        on_acknowledged: Callable[[int], None] = lambda n: None,
        on_rejected: Callable[[int, BaseException], None] | None = None,
    ) -> None:
        """Publish every record; `on_acknowledged(n)` reports each newly settled leading run.

        A record no retry can publish (UNPUBLISHABLE: too large, an invalid topic, not authorised)
        is reported to `on_rejected(index, error)` before the run that holds it, and publishing goes
        on with the records after it. Without `on_rejected`, it is retried like any failure."""
        remaining = list(records)
        offset = 0

        def settled(count: int, rejected: list[tuple[int, BaseException]]) -> None:
            nonlocal remaining, offset
            self.failing_since = self.last_error = None
            for index, error in rejected:
                on_rejected(offset + index, error)
            on_acknowledged(count)
            remaining = remaining[count:]
            offset += count

        def attempt() -> None:
            if self.stop_event.is_set():
                raise StopRequested()
            try:
                rejected = self.send_once(remaining, rejecting=on_rejected is not None)
            except PublishError as exc:
                if exc.acknowledged:
                    settled(exc.acknowledged, exc.rejected)
                raise
            settled(len(remaining), rejected)

        stop = stop_never if self.retry.give_up_after_s is None else stop_after_delay(self.retry.give_up_after_s)
        retrying = Retrying(
            retry=retry_if_exception_type(PublishError),
            wait=wait_exponential(multiplier=self.retry.initial_s, max=self.retry.max_s)
            + wait_random(0, self.retry.initial_s),
            stop=stop,
            sleep=self._interruptible_sleep,
            before_sleep=self._before_sleep,
            reraise=True,
        )
        retrying(attempt)

    def send_once(self, records: Sequence[OutboxRecord], rejecting: bool = False) -> list[tuple[int, BaseException]]:
        """One attempt: send, flush, and check every acknowledgement; raises PublishError.

        With `rejecting`, a record that fails with an UNPUBLISHABLE error counts as settled instead
        of failing the attempt; returns those, as (index, error)."""
        outcomes: list = []  # a future, or the error that refused the record before it was sent
        try:
            producer = self._get_producer()
            for record in records:
                try:
                    ensure_valid_topic_name(record.topic)  # kafka-python would fail in its sender thread
                except ValueError as exc:
                    if not rejecting:
                        raise InvalidTopicError(str(exc)) from None
                    outcomes.append(InvalidTopicError(str(exc)))
                    continue
                try:
                    outcomes.append(
                        producer.send(record.topic, value=record.value, key=record.key, headers=record.headers)
                    )
                except UNPUBLISHABLE as exc:
                    if not rejecting:
                        raise
                    outcomes.append(exc)
            producer.flush(timeout=self.delivery_timeout_s + 5)
        except Exception as exc:
            self._after_failure(exc)
            raise PublishError(*self._settled_prefix(outcomes, rejecting), exc) from exc
        settled, rejected = self._settled_prefix(outcomes, rejecting)
        if settled < len(records):
            failed = outcomes[settled]
            exc = failed.exception if failed.is_done else KafkaError("not acknowledged in time")
            self._after_failure(exc)
            raise PublishError(settled, rejected, exc)
        return rejected

    @staticmethod
    def _settled_prefix(outcomes: list, rejecting: bool) -> tuple[int, list[tuple[int, BaseException]]]:
        """How many leading records are acknowledged or rejected for good, and the rejected ones."""
        rejected = []
        for index, outcome in enumerate(outcomes):
            if isinstance(outcome, BaseException):
                rejected.append((index, outcome))
                continue
            if not outcome.is_done:
                return index, rejected
            if outcome.succeeded():
                continue
            if rejecting and isinstance(outcome.exception, UNPUBLISHABLE):
                rejected.append((index, outcome.exception))
                continue
            return index, rejected
        return len(outcomes), rejected

    def connect(self) -> bool:
        """Connect the producer ahead of the first publish; False (and the first publish retries) if it cannot."""
        try:
            self._get_producer()
        except Exception as exc:
            log.warning("producer not connected yet; publishing will retry", error=f"{type(exc).__name__}: {exc}")
            return False
        return True

    def _get_producer(self) -> KafkaProducer:
        if not self._prepared:
            self.prepare()
            self._prepared = True
        if self._producer is None:
            self._producer = KafkaProducer(**self.options)
        return self._producer

    def _after_failure(self, exc: BaseException) -> None:
        self._prepared = False  # a broker that came back empty needs its topics before the next attempt
        producer = self._producer
        if producer is None:
            return
        manager = getattr(producer, "_transaction_manager", None)
        fatal = isinstance(exc, _FATAL) or bool(manager and manager.has_fatal_error())
        if fatal or isinstance(exc, KafkaError) and not getattr(exc, "retriable", True):
            log.warning("replacing producer", reason=f"{type(exc).__name__}: {exc}", fatal=fatal)
            self.close(timeout_s=0)
            self.replacements += 1

    def _before_sleep(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        cause = exc.cause if isinstance(exc, PublishError) else exc
        self.failing_since = self.failing_since or time.monotonic()
        self.last_error = f"{type(cause).__name__}: {cause}"
        log.warning(
            "publish failed, retrying",
            attempt=state.attempt_number,
            wait_s=round(state.upcoming_sleep, 2),
            error=f"{type(cause).__name__}: {cause}",
        )
        self.on_retry(cause)

    def _interruptible_sleep(self, seconds: float) -> None:
        if self.stop_event.wait(seconds):
            raise StopRequested()

    def close(self, timeout_s: float = 5.0) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            try:
                producer.close(timeout=timeout_s)
            except Exception as exc:  # closing a broken producer must not mask the real error
                log.debug("producer close failed", error=str(exc))
