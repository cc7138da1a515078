"""The operator's round without a broker: topics kept in memory, the real service run in this process over SQLite.

Records are partitioned by key as the producer does, decoded as the consumer does, merged in event-time order by the
consumer's own aligner, and handed to the service in batches of MAX_POLL_RECORDS; what the service published is
read back from the outbox. So a story runs through the loader, the rules and the writer in milliseconds.
"""

import json
from datetime import date
from pathlib import Path

from kafka.partitioner.default import murmur2
from sqlalchemy import create_engine, select

from consumer.config.settings import Settings
from consumer.runtime.alignment import EventTimeAligner
from consumer.runtime.records import decode_record
from consumer.store import tables
from producers.eoy import term_closed
from schemas.codec import to_json
from schemas.events import EventBase
from schemas.term_closed import TermClosed
from tests.support.operators import Operator
from tests.support.outputs import Outputs
from tests.support.running import CODEC
from tests.support.service_parts import assemble


def offline_settings(folder: Path, **overrides) -> Settings:
    """Settings for a service with no broker behind it: its state in a SQLite file under `folder`."""
    values = dict(
        kafka_bootstrap_servers="127.0.0.1:9",  # never dialled
        var_dir=folder / "var",
        state_db_url=f"sqlite:///{folder / 'state.db'}",
        metrics_port=0,
        log_format="json",
    )
    return Settings(_env_file=None, **(values | overrides))


class InProcessOperator(Operator):
    """The end-to-end tests' operator, its commands done in this process: same calls, same outputs."""

    def __init__(self, settings: Settings, folder: Path):
        super().__init__(settings, folder)
        self.logs: dict[tuple[str, int], list[tuple[bytes | None, bytes]]] = {}  # (topic, partition) -> records
        self.positions: dict[tuple[str, int], int] = {}  # the group's committed offsets

    def produce(self, topic: str, messages: list) -> None:
        partitions = self.settings.partitions_for(topic)
        for message in messages:
            key = message.key.encode()
            partition = (murmur2(key) & 0x7FFFFFFF) % partitions
            self.logs.setdefault((topic, partition), []).append((key, CODEC.encode(message)))

    def eoy(self, *args: str) -> dict:
        """`eoy --year Y --closed-on D [--school S ...] [--run-id R] [--exit-code C]`: the broadcast published."""
        options: dict[str, list[str]] = {}
        for name, value in zip(args[::2], args[1::2], strict=True):
            options.setdefault(name, []).append(value)
        (year,), (closed_on,) = options["--year"], options["--closed-on"]
        run_id, exit_code = (options.get(name, [None])[0] for name in ("--run-id", "--exit-code"))
        broadcast = term_closed(int(year), date.fromisoformat(closed_on), options.get("--school", []), run_id=run_id,
                                exit_code=exit_code)
        self.produce(self.settings.topic_term_closed, [broadcast])
        return json.loads(to_json(broadcast))

    def run(self) -> None:
        """A service started, run until idle and stopped: every unread record handled, then due deadlines fired."""
        parts = assemble(self.settings, create_topics=False)
        try:
            parts.finish_year()
            aligner = EventTimeAligner(wait_s=0)
            for records in self._unread():
                aligner.add((records[0].topic, records[0].partition), records)
            while batch := aligner.release(lambda tp: False, self.settings.max_poll_records):
                parts.feed(batch)
                for record in batch:
                    self.positions[record.topic, record.partition] = record.offset + 1
            for _ in range(100):
                if not parts.fire_deadlines():
                    break
        finally:
            parts.close()

    def _unread(self):
        expected = {self.settings.topic_term_closed: TermClosed}
        for (topic, partition), log in self.logs.items():
            start = self.positions.get((topic, partition), 0)
            records = [
                decode_record(CODEC, expected.get(topic, EventBase), topic, partition, offset, key, value)
                for offset, (key, value) in enumerate(log[start:], start)
            ]
            if records:
                yield records

    def _published(self, topic: str) -> list:
        o = tables.outbox.c
        query = select(o.key, o.value, o.headers).where(o.topic == topic).order_by(o.id)
        engine = create_engine(self.settings.database_url)
        try:
            with engine.connect() as connection:
                return connection.execute(query).all()
        finally:
            engine.dispose()

    def outputs(self) -> Outputs:
        alerts, syncs = (
            [json.loads(to_json(CODEC.decode(row.value))) for row in self._published(topic)]
            for topic in (self.settings.topic_core_alerts, self.settings.topic_pasi_exit_date_sync)
        )
        return Outputs(alerts, syncs)

    def dead_letters(self) -> list[dict]:
        """The input topic's dead letters: their key and reason, as `tail` prints them."""
        letters = []
        for row in self._published(self.settings.dead_letter_topic(self.settings.topic_enrollment_changed)):
            headers = dict(row.headers)
            reason = {"error_class": headers.get("error.class"), "error_message": headers.get("error.message")}
            letters.append({"key": row.key.decode() if row.key is not None else None, "reason": reason})
        return letters
