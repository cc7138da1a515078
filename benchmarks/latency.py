"""3. Latency: a steady stream of events that each yield a sync, produce -> sync readable on the topic.

The service runs in a subprocess (SQLite). Once it has its partitions, a producer thread of this
process sends SchoolEnrolmentExited events (one new student each, so each gives exactly one exit-date
sync) at a fixed rate on an absolute schedule, noting `time.monotonic()` just before each send (no
linger). A reader thread, assigned to every partition of the sync topic without a group, notes when
each sync arrives and matches it to its event by the `source_event_id` header. Latency = arrival -
send, so it includes the input produce, the service's batch and transaction, the outbox relay's
publish and the reader's fetch. The first `warmup_s` seconds are sent but not counted.
"""

import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from benchmarks.children import spawn
from benchmarks.harness import (
    CODEC,
    Env,
    create_topics,
    log,
    percentile,
)
from consumer.kafka.options import consumer_options, producer_options
from schemas.events import enrollment_changed

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "pasi-concurrent-bench/latency")


def exits(count: int, first_asn: int = 500_000_000) -> list[tuple[str, bytes, bytes]]:
    """(event id, key, value) of `count` primary exits of distinct students, in event-time order."""
    start = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
    out = []
    for n in range(count):
        event = enrollment_changed.validate_python({
            "event_id": str(uuid.uuid5(NAMESPACE, f"{first_asn}/{n}")),
            "event_type": "SchoolEnrolmentExited",
            "occurred_at": start + timedelta(milliseconds=2 * n),
            "source": "bench",
            "asn": f"{first_asn + n:09d}",
            "school_code": "1001",
            "payload": {"enrolment_kind": "PRIMARY", "exit_date": date(2026, 3, 2), "exit_code": None,
                        "reason": "WITHDRAWN", "continuing_at_school_code": None},
        })
        out.append((event.event_id, event.key.encode(), CODEC.encode(event)))
    return out


class Reader(threading.Thread):
    def __init__(self, settings, topic: str):
        super().__init__(name="latency-reader", daemon=True)
        options = consumer_options(settings, None) | {"fetch_max_wait_ms": 10}  # the instrument: fetch at once
        for group_only in ("session_timeout_ms", "heartbeat_interval_ms", "max_poll_interval_ms"):
            options.pop(group_only)
        self.consumer = KafkaConsumer(**options)
        partitions = [TopicPartition(topic, p) for p in sorted(self.consumer.partitions_for_topic(topic))]
        self.consumer.assign(partitions)
        self.consumer.seek_to_beginning(*partitions)
        self.arrived: dict[str, float] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                for records in self.consumer.poll(timeout_ms=50).values():
                    now = time.monotonic()
                    for record in records:
                        source = dict(record.headers).get("source_event_id")
                        if source is not None:
                            self.arrived.setdefault(source.decode(), now)
        finally:
            self.consumer.close()


def stream(settings, child, events: list, target_topic: str, rate: int, headers: bool) -> tuple[dict, dict, int]:
    """Send `events` to the input topic at `rate`/s while reading `target_topic`; (sent, arrived, late)."""
    child.wait_ready()
    reader = Reader(settings, target_topic)
    reader.start()
    producer = KafkaProducer(**(producer_options(settings) | {"linger_ms": 0}))
    producer.partitions_for(settings.topic_enrollment_changed)
    sent: dict[str, float] = {}
    late = 0
    try:
        t0 = time.monotonic() + 0.1
        for n, (event_id, key, value) in enumerate(events):
            due = t0 + n / rate
            now = time.monotonic()
            if due > now:
                time.sleep(due - now)
            elif now - due > 0.05:
                late += 1
            sent[event_id] = time.monotonic()
            extra = [("source_event_id", event_id.encode())] if headers else None
            producer.send(settings.topic_enrollment_changed, key=key, value=value, headers=extra)
        producer.flush()
        deadline = time.monotonic() + 60
        while len(reader.arrived) < len(events) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        producer.close()
        reader.stop.set()
        reader.join(timeout=10)
    return sent, reader.arrived, late


def latencies(events: list, warmup: int, sent: dict, arrived: dict) -> list[float]:
    measured = [event_id for event_id, _, _ in events[warmup:]]
    missing = [e for e in measured if e not in arrived]
    if missing:
        raise AssertionError(f"{len(missing)} of {len(measured)} events did not arrive")
    return [1000 * (arrived[e] - sent[e]) for e in measured]


def summary(values: list[float], rate: int) -> str:
    window = rate * 10
    by_window = ", ".join(
        f"{percentile(values[i:i + window], 50):.0f}/{percentile(values[i:i + window], 99):.0f}"
        for i in range(0, len(values), window)
    )
    return (
        f"p50 {percentile(values, 50):.1f} ms, p90 {percentile(values, 90):.1f} ms, "
        f"p99 {percentile(values, 99):.1f} ms, max {max(values):.1f} ms; by 10 s window (p50/p99 ms): {by_window}"
    )


def run(env: Env, rate: int = 500, seconds: float = 60, warmup_s: float = 2.0, db: str = "sqlite",
        reference: bool = True, **overrides) -> dict[str, float]:
    """The service's latency; with `reference`, also the raw client's (consume -> produce -> commit of
    the same stream, read back the same way) in the same run: the embedded broker slows down as a
    partition collects small batches, and that part is not the service's."""
    warmup = int(rate * warmup_s)
    events = exits(warmup + int(rate * seconds))
    results = {}
    if reference:
        raw = env.settings("latency-raw")
        create_topics(raw)
        child = spawn(
            "benchmarks.baseline",
            ["loop", "--input", raw.topic_enrollment_changed, "--output", raw.topic_core_alerts,
             "--count", str(len(events))],
            raw, "latency-raw",
        )
        sent, arrived, late = stream(raw, child, events, raw.topic_core_alerts, rate, headers=True)
        child.wait(120)
        values = latencies(events, warmup, sent, arrived)
        log(f"latency, raw client (consume -> produce -> commit), {len(values)} events at {rate}/s: "
            f"{summary(values, rate)}")
        results |= {"_latency_raw_p50_ms": percentile(values, 50), "_latency_raw_p99_ms": percentile(values, 99)}

    settings = env.settings("latency", env.postgres() if db == "postgres" else None, **overrides)
    create_topics(settings)
    child = spawn("benchmarks.probe", [], settings, "latency")
    try:
        sent, arrived, late = stream(settings, child, events, settings.topic_pasi_exit_date_sync, rate, headers=False)
    finally:
        child.process.terminate()
        report = child.wait(120)
    values = latencies(events, warmup, sent, arrived)
    log(
        f"latency, service, {len(values)} events at {rate}/s over {seconds:g} s (after {warmup_s:g} s warm-up; "
        f"{late} sends more than 50 ms behind schedule): {summary(values, rate)}; "
        f"service peak RSS {report['maxrss_kb'] / 1024:.0f} MB"
    )
    return results | {
        "latency_p50_ms": percentile(values, 50),
        "latency_p99_ms": percentile(values, 99),
        "_latency_max_ms": max(values),
    }
