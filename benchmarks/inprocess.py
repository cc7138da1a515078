"""The batch path alone: CPU per event of `Service.process` in this process, no broker.

    python -m benchmarks.inprocess [--events N] [--batch B] [--postgres URL] [--profile FILE] [--digest]

The throughput benchmark's events (benchmarks.harness.sample_events) are keyed to six partitions as the
producer does, decoded as the consumer does (decode_record), merged in event-time order by the consumer's
own aligner and handed to a real `Service` over a fresh SQLite store (or a fresh PostgreSQL schema) in
batches of B. Timed: the CPU time of this process (time.process_time) spent in `Service.process` only,
÷ events, in µs. No relay runs: the outbox rows stay. `--digest` prints a hash of every state table and
the outbox's topics, keys, values and headers after the run, so that two versions of the service can be
shown to leave the very same store. `--profile FILE` writes a cProfile of the timed calls.
"""

import argparse
import cProfile
import hashlib
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kafka.partitioner.default import murmur2  # noqa: E402
from sqlalchemy import select, text  # noqa: E402

from benchmarks.harness import encode, sample_events  # noqa: E402
from consumer.config.settings import Settings  # noqa: E402
from consumer.runtime.alignment import EventTimeAligner  # noqa: E402
from consumer.runtime.logs import configure_logging  # noqa: E402
from consumer.runtime.records import decode_record  # noqa: E402
from consumer.runtime.service import Service  # noqa: E402
from consumer.runtime.wiring import open_database, policy_from  # noqa: E402
from consumer.store import tables  # noqa: E402
from schemas.codec import MessageCodec  # noqa: E402
from schemas.events import EventBase  # noqa: E402

PARTITIONS = 6
STATE = ["enrolments", "course_enrolments", "stored_grades", "school_terms", "sections", "alerts", "transfers",
         "deadlines", "watermarks", "eoy_runs"]


def batches(settings: Settings, count: int, size: int) -> list:
    codec = MessageCodec()
    topic = settings.topic_enrollment_changed
    logs: dict[int, list] = {}
    for key, value in encode(sample_events(count)):
        logs.setdefault((murmur2(key) & 0x7FFFFFFF) % PARTITIONS, []).append((key, value))
    aligner = EventTimeAligner(wait_s=0)
    for partition, log in sorted(logs.items()):
        aligner.add((topic, partition), [
            decode_record(codec, EventBase, topic, partition, offset, key, value) for offset, (key, value) in
            enumerate(log)
        ])
    out = []
    while batch := aligner.release(lambda tp: False, size):
        out.append(batch)
    return out


def digest(service: Service) -> str:
    """A hash of every state table (rows in key order) and of the outbox's messages in order."""
    h = hashlib.sha256()
    with service.database.engine.connect() as connection:
        for name in STATE:
            table = tables.metadata.tables[name]
            keys = list(table.primary_key.columns)
            for row in connection.execute(select(table).order_by(*keys)):
                h.update(repr(tuple(row)).encode())
        o = tables.outbox.c
        for row in connection.execute(select(o.topic, o.key, o.value, o.headers).order_by(o.id)):
            headers = [pair for pair in row.headers if pair[0] not in ("created_at",)]
            h.update(repr((row.topic, row.key, row.value, json.dumps(headers))).encode())
    return h.hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--postgres", default=None, help="a PostgreSQL URL (a fresh schema is made and dropped)")
    parser.add_argument("--profile", default=None)
    parser.add_argument("--digest", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, open(os.devnull, "w") as nowhere:
        configure_logging("INFO", "json", stream=nowhere)  # as the service logs, to nowhere
        values = dict(kafka_bootstrap_servers="127.0.0.1:9", var_dir=Path(folder) / "var", metrics_port=0,
                      log_level="WARNING", state_db_url=f"sqlite:///{Path(folder) / 'state.db'}")
        schema = None
        if args.postgres:
            import psycopg

            schema = f"inprocess_{int(time.time())}"
            with psycopg.connect(args.postgres, autocommit=True) as connection:
                connection.execute(f'CREATE SCHEMA "{schema}"')
            values["state_db_url"] = f"{args.postgres}?options={quote(f'-csearch_path={schema}')}"
        settings = Settings(_env_file=None, **values)
        database = open_database(settings)
        try:
            service = Service(settings, database, policy_from(settings))
            work = batches(settings, args.events, args.batch)
            events = sum(len(b) for b in work)
            stop = threading.Event()
            profiler = cProfile.Profile() if args.profile else None
            spent = 0.0
            for batch in work:
                started = time.process_time()
                if profiler:
                    profiler.enable()
                service.process(batch, None, None, stop)
                if profiler:
                    profiler.disable()
                spent += time.process_time() - started
            if profiler:
                profiler.dump_stats(args.profile)
            print(f"events={events} batches={len(work)} cpu_us_per_event={spent / events * 1e6:.1f}")
            if args.digest:
                print(f"digest={digest(service)}")
        finally:
            if schema:
                with database.engine.begin() as connection:
                    connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            database.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
