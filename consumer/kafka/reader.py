"""Reading a whole topic by partition assignment, never joining a consumer group.

The end of a partition is the highwater mark its fetch responses report: `end_offsets()`
is wrong on the embedded broker.
"""

import time
from collections.abc import Iterator

from consumer.config.settings import Settings
from consumer.kafka.options import consumer_options
from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord


class TopicReader:
    def __init__(self, settings: Settings, topic: str, from_beginning: bool = True, poll_ms: int = 200):
        options = consumer_options(settings, group_id=None)
        for group_only in ("session_timeout_ms", "heartbeat_interval_ms", "max_poll_interval_ms"):
            options.pop(group_only)
        self.consumer = KafkaConsumer(**options)
        self.topic = topic
        self.poll_ms = poll_ms
        self.partitions = self._partitions()
        self.consumer.assign(self.partitions)
        self._skip_below: dict[TopicPartition, int] | None = None
        if from_beginning:
            self.consumer.seek_to_beginning(*self.partitions)
        else:
            self.consumer.seek_to_end(*self.partitions)
            self._skip_below = {}  # filled from the first highwater seen for each partition

    def _partitions(self) -> list[TopicPartition]:
        deadline = time.monotonic() + 10
        while True:
            found = self.consumer.partitions_for_topic(self.topic)
            if found:
                return [TopicPartition(self.topic, p) for p in sorted(found)]
            if time.monotonic() > deadline:
                raise LookupError(f"topic {self.topic} has no partitions")
            time.sleep(0.1)

    def seek(self, offsets: dict[int, int]) -> None:
        for partition, offset in offsets.items():
            self.consumer.seek(TopicPartition(self.topic, partition), offset)

    def at_end(self) -> bool:
        for tp in self.partitions:
            highwater = self.consumer.highwater(tp)
            if highwater is None or self.consumer.position(tp) < highwater:
                return False
        return True

    def records(self, until_idle_s: float | None = None) -> Iterator[ConsumerRecord]:
        """Records in partition order; with `until_idle_s`, stop at the end once quiet that long."""
        last_activity = time.monotonic()
        while True:
            batches = self.consumer.poll(timeout_ms=self.poll_ms)
            for tp, records in sorted(batches.items(), key=lambda item: item[0].partition):
                skip = self._cutoff(tp)
                for record in records:
                    if record.offset >= skip:
                        yield record
                last_activity = time.monotonic()
            if self._skip_below is not None:
                for tp in self.partitions:
                    self._cutoff(tp)
            if until_idle_s is not None and self.at_end() and time.monotonic() - last_activity >= until_idle_s:
                return

    def _cutoff(self, tp: TopicPartition) -> int:
        if self._skip_below is None:
            return 0
        if tp not in self._skip_below:
            highwater = self.consumer.highwater(tp)
            if highwater is None:
                return 0
            self._skip_below[tp] = highwater
        return self._skip_below[tp]

    def close(self) -> None:
        self.consumer.close()

    def __enter__(self) -> "TopicReader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
