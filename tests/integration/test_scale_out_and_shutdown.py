"""Two consumers share the work without changing it; SIGTERM stops a consumer cleanly."""

import signal
import time
from datetime import date

import pytest

from consumer.store import tables
from tests.support.events import asn, exited
from tests.support.running import IDLE, kill, publish, read_topic, run_cli, start_cli
from tests.support.service_parts import assemble
from tests.support.waiting import wait_for


def _syncs(settings) -> dict[str, str]:
    """sync_id -> JSON of every sync on the topic; copies re-sent after a crash must be identical."""
    seen: dict[str, str] = {}
    for sync in read_topic(settings, settings.topic_pasi_exit_date_sync):
        text = sync.model_dump_json()
        assert seen.setdefault(sync.sync_id, text) == text, "a re-sent sync changed"
    return seen


@pytest.mark.slow
def test_two_consumers_with_one_killed_midway_give_the_outputs_of_a_single_consumer(
    make_settings, make_postgres_url, unique, tmp_path
):
    events = [exited(f"{1000 + i % 9}", "PRIMARY", date(2026, 3, 2), asn=asn(i)) for i in range(3_000)]
    shared = make_settings(state_db_url=make_postgres_url(), max_poll_records=100)
    publish(shared, shared.topic_enrollment_changed, events)
    parts = assemble(shared)
    first = start_cli(shared, "run", log_path=tmp_path / "first.log")
    second = start_cli(shared, "run", log_path=tmp_path / "second.log")
    try:
        wait_for(lambda: parts.count(tables.processed_events) >= 600, timeout_s=60, what="both consumers at work")
        kill(first)
        wait_for(
            lambda: parts.count(tables.processed_events) == len(events) and parts.backlog() == 0,
            timeout_s=120,
            what="the survivor to take over and finish",
        )
        assert kill(second, signal.SIGTERM) == 0
    finally:
        kill(first)
        kill(second)
        parts.close()

    single = make_settings(
        state_db_url=make_postgres_url(),
        consumer_group=f"single-{unique}",
        topic_core_alerts=f"single-alerts-{unique}",
        topic_pasi_exit_date_sync=f"single-syncs-{unique}",
    )
    assert run_cli(single, "run", "--until-idle", IDLE).returncode == 0
    assert _syncs(shared) == _syncs(single)
    assert len(_syncs(single)) == len(events)


@pytest.mark.slow
def test_sigterm_finishes_the_batch_drains_the_outbox_and_exits_cleanly(make_settings, db_url, tmp_path):
    settings = make_settings(state_db_url=db_url, max_poll_records=50)
    events = [exited("1234", "PRIMARY", date(2026, 3, 2), asn=asn(i)) for i in range(2_000)]
    publish(settings, settings.topic_enrollment_changed, events)
    parts = assemble(settings)
    process = start_cli(settings, "run", log_path=tmp_path / "run.log")
    try:
        wait_for(lambda: parts.count(tables.processed_events) >= 200, timeout_s=60, what="processing to start")
        assert kill(process, signal.SIGTERM) == 0
        stopped_at = parts.count(tables.processed_events)
        assert parts.backlog() == 0, "the outbox is drained before exit"
        assert "stopping" in (tmp_path / "run.log").read_text()
    finally:
        kill(process)
    assert run_cli(settings, "run", "--until-idle", IDLE).returncode == 0
    assert parts.count(tables.processed_events) == len(events) > stopped_at
    assert parts.count(tables.outbox) == len(events), "nothing was applied twice across the restart"
    parts.close()


@pytest.mark.slow
def test_sigterm_while_the_broker_is_away_exits_cleanly_within_the_shutdown_timeout_keeping_unsent_rows(
    private_broker, make_settings, db_url, tmp_path
):
    settings = make_settings(kafka_bootstrap_servers=private_broker.bootstrap, state_db_url=db_url,
                             max_poll_records=200, shutdown_timeout_s=3)
    events = [exited("1234", "PRIMARY", date(2026, 3, 2), asn=asn(i)) for i in range(3_000)]
    publish(settings, settings.topic_enrollment_changed, events)
    parts = assemble(settings)
    process = start_cli(settings, "run", log_path=tmp_path / "run.log")
    try:
        wait_for(lambda: parts.count(tables.processed_events) >= 200 and parts.backlog() > 0, timeout_s=60,
                 what="processing with rows in the outbox")
        private_broker.pause()
        signalled = time.monotonic()
        assert kill(process, signal.SIGTERM, timeout_s=120) == 0
        took = time.monotonic() - signalled
        assert took < settings.shutdown_timeout_s + 7, f"shutdown took {took:.1f} s"
        kept = parts.backlog()
        assert kept > 0, "unsent rows stay in the outbox"
    finally:
        private_broker.resume()
        kill(process)
    assert run_cli(settings, "run", "--until-idle", IDLE).returncode == 0
    assert parts.count(tables.processed_events) == len(events)
    parts.close()
    published = read_topic(settings, settings.topic_pasi_exit_date_sync)
    assert {s.source_event_id for s in published} == {e.event_id for e in events}, "nothing is lost"
    assert len(_syncs(settings)) == len(events), "a re-sent sync is the same sync"
    print(f"figures: SIGTERM with the broker paused, exit 0 after {took:.1f} s, {kept} rows kept, "
          f"{len(published) - len(events)} re-sent after the restart")
