"""What every benchmark shares: the embedded broker, settings, state stores, inputs, reports, the raw client.

Everything timed runs in a subprocess of its own (benchmarks/children.py), one at a time, so the
driver's own work never shares a GIL or a core with what is being measured.
"""

import math
import os
import sys
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from kafka import KafkaProducer

from benchmarks.children import spawn
from consumer.config.settings import Settings
from consumer.kafka.connect import prepare_broker
from consumer.kafka.embedded import EmbeddedBroker
from consumer.kafka.options import producer_options
from consumer.kafka.reader import TopicReader
from consumer.runtime.wiring import all_topics
from producers.sample import SampleYear
from schemas.codec import MessageCodec

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("PASI_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
CODEC = MessageCodec()

# The benchmark mix: one home course per student and 65 % of students leaving during the year give
# about one output (sync or alert) per five input events; the demo keeps its defaults (2, 0.30).
COURSES_PER_STUDENT = 1
EXIT_SHARE = 0.65


def log(*parts) -> None:
    print(*parts, file=sys.stderr, flush=True)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Env:
    """One embedded broker on a free port and a scratch directory, for a whole benchmark session."""

    work: Path
    broker: EmbeddedBroker
    postgres_schemas: list[str] = field(default_factory=list)

    @classmethod
    def start(cls, work: Path | None = None) -> "Env":
        work = work or Path(tempfile.mkdtemp(prefix="pasi-bench-"))
        broker = EmbeddedBroker("127.0.0.1", free_port(), work / "broker")
        broker.ensure_running()
        return cls(work, broker)

    def stop(self) -> None:
        self.broker.stop()
        for schema in self.postgres_schemas:
            drop_postgres_schema(schema)

    def settings(self, name: str, db_url: str | None = None, **overrides) -> Settings:
        """Settings with topics and group of their own (`name` plus a unique suffix)."""
        unique = f"{name}-{uuid.uuid4().hex[:8]}"
        var = self.work / unique
        values = dict(
            kafka_bootstrap_servers=self.broker.address,
            topic_enrollment_changed=f"enrollment-changed-{unique}",
            topic_term_closed=f"term-closed-{unique}",
            topic_core_alerts=f"core-alerts-{unique}",
            topic_pasi_exit_date_sync=f"pasi-exit-date-sync-{unique}",
            consumer_group=f"pasi-concurrent-{unique}",
            var_dir=var,
            state_db_url=db_url or f"sqlite:///{var / 'state.db'}",
            metrics_port=0,
            session_timeout_ms=2000,  # the embedded broker joins in ~session/2 and allows short sessions
            heartbeat_interval_ms=500,
            log_format="json",
            # PASI_BENCH_RELAY_MODE=thread measures the relay in the service's own process (before lever 1)
            relay_mode=os.environ.get("PASI_BENCH_RELAY_MODE", "process"),
        )
        values.update(overrides)
        return Settings(_env_file=None, **values)

    def postgres(self) -> str:
        """A fresh PostgreSQL schema (dropped at the end); the URL sets search_path to it."""
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        import psycopg

        with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
            connection.execute(f'CREATE SCHEMA "{schema}"')
        self.postgres_schemas.append(schema)
        return f"{POSTGRES_URL}?options={quote(f'-csearch_path={schema}')}"

    def db_url(self, kind: str, settings_name: str) -> str | None:
        return self.postgres() if kind == "postgres" else None


def drop_postgres_schema(schema: str) -> None:
    import psycopg

    try:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    except Exception as exc:  # cleaning up must not hide the results
        log(f"could not drop schema {schema}: {exc}")


# Inputs ------------------------------------------------------------------------------------------------
def sample_events(count: int, seed: int = 2025, first_asn: int = 100_000_000) -> list:
    """`count` events of the benchmark mix: a year of students, cut to the count at its end in event time."""
    per_student = 5.33
    students = max(1, int((count - 35) / per_student) + 1)
    for _ in range(4):
        events = SampleYear(students, seed, first_asn, COURSES_PER_STUDENT, EXIT_SHARE).events()
        if len(events) >= count:
            return events[:count]
        students += int((count - len(events)) / per_student) + 10
    raise RuntimeError("could not generate enough events")


def encode(messages) -> list[tuple[bytes, bytes]]:
    return [(m.key.encode(), CODEC.encode(m)) for m in messages]


def create_topics(settings: Settings, extra: list[str] = ()) -> None:
    prepare_broker(settings, all_topics(settings) + list(extra))


def fast_producer(settings: Settings, **overrides) -> KafkaProducer:
    options = producer_options(settings) | {"linger_ms": 20, "batch_size": 256 * 1024}
    return KafkaProducer(**(options | overrides))


def publish(settings: Settings, topic: str, records: list[tuple[bytes | None, bytes]]) -> None:
    """Publish (key, value) pairs, not timed; every send acknowledged."""
    producer = fast_producer(settings)
    try:
        futures = [producer.send(topic, key=key, value=value) for key, value in records]
        producer.flush(timeout=120)
        for future in futures:
            future.get(timeout=0)
    finally:
        producer.close()


def read_topic(settings: Settings, topic: str, idle_s: float = 0.5) -> list:
    """Every record of `topic` from the beginning (raw consumer records)."""
    with TopicReader(settings, topic, from_beginning=True) as reader:
        return list(reader.records(until_idle_s=idle_s))


# Results -----------------------------------------------------------------------------------------------
def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


def peak_rss_mb(report: dict) -> float:
    return report["maxrss_kb"] / 1024


# The raw client -------------------------------------------------------------------------------------
def baseline_loop(env: Env, records: list[tuple[bytes, bytes]], name: str = "baseline") -> dict:
    """Raw kafka-python consume -> produce -> commit over `records` (6 partitions in, 6 out)."""
    settings = env.settings(name)
    create_topics(settings)
    publish(settings, settings.topic_enrollment_changed, records)
    child = spawn(
        "benchmarks.baseline",
        ["loop", "--input", settings.topic_enrollment_changed, "--output", settings.topic_core_alerts,
         "--count", str(len(records))],
        settings, name,
    )
    report = child.wait(900)
    report["seconds"] = report["last_commit_at"] - report["first_records_at"]
    report["rate"] = len(records) / report["seconds"]
    return report


def baseline_produce(env: Env, records: list[tuple], name: str = "baseline-produce") -> dict:
    """Raw kafka-python producing `records` ((key, value, headers) triples) to a 6-partition topic."""
    import pickle

    settings = env.settings(name)
    create_topics(settings)
    Path(settings.var_dir).mkdir(parents=True, exist_ok=True)
    path = Path(settings.var_dir) / f"{name}.records.pickle"
    path.write_bytes(pickle.dumps(records))
    child = spawn("benchmarks.baseline", ["produce", "--topic", settings.topic_core_alerts, "--records", str(path)],
                  settings, name)
    report = child.wait(900)
    path.unlink()
    report["seconds"] = report["flushed_at"] - report["first_send_at"]
    report["rate"] = len(records) / report["seconds"]
    return report
