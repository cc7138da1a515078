"""The raw kafka-python client, the yardstick every ratio is measured against.

    python -m benchmarks.baseline loop --input T --output T --count N --report FILE
    python -m benchmarks.baseline produce --topic T --records FILE --report FILE

`loop`: a consumer in a group of its own polls, produces every record it got (same key and value)
to the output topic, flushes, and commits: consume -> produce -> commit, nothing else. Timed like
the service (benchmarks/probe.py): from the first poll that returned records to the last commit.

`produce`: sends the (key, value, headers) records of a pickle file and flushes; timed from the
first send to the end of the flush (every record acknowledged).

Both use the service's own client options (consumer.kafka.options: idempotent producer, acks=all,
linger 5 ms, 64 KiB batches; max_poll_records 1000, fetch_max_wait 100 ms) from the settings in
the environment, so the only difference with the service is the service's own work.
"""

import argparse
import json
import pickle
import time
from pathlib import Path

from kafka import KafkaConsumer, KafkaProducer

from benchmarks.process_state import peak_rss_kb
from consumer.config.settings import Settings
from consumer.kafka.options import consumer_options, producer_options


def consume_produce_commit(settings: Settings, source: str, target: str, count: int, ready: Path | None = None) -> dict:
    consumer = KafkaConsumer(**consumer_options(settings, settings.consumer_group))
    producer = KafkaProducer(**producer_options(settings))
    consumer.subscribe([source])
    consumed, first, last_commit = 0, None, None
    started = time.time()
    try:
        while consumed < count:
            polled = consumer.poll(timeout_ms=100)
            if ready is not None and consumer.assignment() and not ready.exists():
                ready.write_text("assigned")
            if not polled:
                if time.time() - started > 600:
                    raise TimeoutError(f"only {consumed} of {count} records consumed")
                continue
            first = first or time.time()
            futures = []
            for records in polled.values():
                consumed += len(records)
                futures += [producer.send(target, key=r.key, value=r.value, headers=r.headers) for r in records]
            producer.flush()
            for future in futures:
                future.get(timeout=0)
            consumer.commit()
            last_commit = time.time()
    finally:
        producer.close()
        consumer.close()
    return {"first_records_at": first, "last_commit_at": last_commit, "consumed": consumed}


def produce(settings: Settings, topic: str, records: list[tuple]) -> dict:
    producer = KafkaProducer(**producer_options(settings))
    producer.partitions_for(topic)  # metadata first: not part of producing
    try:
        started = time.time()
        futures = [producer.send(topic, key=key, value=value, headers=headers) for key, value, headers in records]
        producer.flush()
        finished = time.time()
        for future in futures:
            future.get(timeout=0)
    finally:
        producer.close()
    return {"first_send_at": started, "flushed_at": finished, "produced": len(records)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["loop", "produce"])
    parser.add_argument("--input")
    parser.add_argument("--output")
    parser.add_argument("--count", type=int)
    parser.add_argument("--topic")
    parser.add_argument("--records", type=Path)
    parser.add_argument("--report", type=Path, required=True)
    parser.add_argument("--ready", type=Path, default=None)
    args = parser.parse_args()
    settings = Settings()
    if args.mode == "loop":
        report = consume_produce_commit(settings, args.input, args.output, args.count, args.ready)
    else:
        report = produce(settings, args.topic, pickle.loads(args.records.read_bytes()))
    report["maxrss_kb"] = peak_rss_kb()
    args.report.write_text(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
