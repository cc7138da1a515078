"""A consumer killed at random moments loses nothing and applies nothing twice."""

import random
import subprocess
from collections import defaultdict
from datetime import date

import pytest
from kafka import KafkaAdminClient
from sqlalchemy import func, select

from consumer.store import tables
from consumer.store.database import Database
from tests.support.events import asn, exited
from tests.support.running import kill, publish, read_topic, run_cli, start_cli

WAVES, PER_WAVE = 5, 1_000


def _counts(url: str) -> dict[str, int]:
    database = Database(url)
    try:
        with database.engine.connect() as connection:
            return {
                name: connection.execute(select(func.count()).select_from(table)).scalar_one()
                for name, table in (("outbox", tables.outbox), ("processed", tables.processed_events),
                                    ("enrolments", tables.enrolments))
            }
    finally:
        database.dispose()


def _explain(settings, missing: set[str]) -> str:
    """Where the missing outputs are: never produced, or produced and marked sent but not on the topic."""
    database = Database(settings.database_url)
    try:
        with database.engine.connect() as connection:
            rows = connection.execute(select(tables.outbox.c.headers, tables.outbox.c.sent_at)).all()
            done = set(connection.execute(select(tables.processed_events.c.event_id)).scalars())
    finally:
        database.dispose()
    sources = {dict(h).get("source_event_id"): sent for h, sent in rows}
    in_outbox = missing & set(sources)
    inputs = read_topic(settings, settings.topic_enrollment_changed)
    on_topic = {e.event_id for e in inputs}
    admin = KafkaAdminClient(bootstrap_servers=settings.bootstrap_servers)
    committed = admin.list_consumer_group_offsets(settings.consumer_group)
    admin.close()
    return (
        f"{len(missing)} syncs missing from the topic; {len(missing & done)} of their events processed; "
        f"{len(in_outbox)} in the outbox, {sum(1 for m in in_outbox if sources[m])} of them marked sent; "
        f"{len(inputs)} records on the input topic, {len(missing & on_topic)} of the missing among them; "
        f"committed offsets {sorted((tp.partition, o.offset) for tp, o in committed.items())}"
    )


@pytest.mark.slow
def test_consumer_killed_at_random_moments_loses_nothing_and_applies_nothing_twice(make_settings, db_url, tmp_path):
    settings = make_settings(state_db_url=db_url, max_poll_records=100, outbox_batch_size=250)
    rng = random.Random(20261128)
    events = [exited(f"{1000 + i % 7}", "PRIMARY", date(2026, 3, 2), asn=asn(i)) for i in range(WAVES * PER_WAVE)]
    kills = 0
    for wave in range(WAVES):
        publish(settings, settings.topic_enrollment_changed, events[wave * PER_WAVE:(wave + 1) * PER_WAVE])
        process = start_cli(settings, "run", log_path=tmp_path / f"run-{wave}.log")
        try:
            process.wait(timeout=rng.uniform(1.5, 5.0))
        except subprocess.TimeoutExpired:
            kill(process)
            kills += 1
    assert kills >= 5

    final = run_cli(settings, "run", "--until-idle", "2")
    (tmp_path / "final.log").write_text(final.stderr)
    assert final.returncode == 0, final.stderr[-2000:]

    syncs = read_topic(settings, settings.topic_pasi_exit_date_sync)
    copies = defaultdict(list)
    for sync in syncs:
        copies[sync.sync_id].append(sync)
    missing = {e.event_id for e in events} - {s.source_event_id for s in syncs}
    assert not missing, _explain(settings, missing)
    assert len(copies) == len(events)
    assert all(all(c == group[0] for c in group) for group in copies.values()), "a re-sent sync changed"
    assert _counts(settings.database_url) == {
        "outbox": len(events), "processed": len(events), "enrolments": len(events)
    }
