"""The outbox relay in a process of its own: killed, it is started again and loses nothing; it dies with
`run`; and `pasi-concurrent relay` alone publishes for consumers that run without one."""

import os
import random
import signal
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from consumer.store import tables
from tests.support.events import asn, exited
from tests.support.running import kill, publish, read_topic, run_cli, start_cli
from tests.support.service_parts import assemble
from tests.support.waiting import wait_for


def relay_children(parent: int) -> list[int]:
    """The live relay processes (`python -m consumer.runtime.relay_child`) whose parent is `parent`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        state, ppid = stat[stat.rindex(")") + 2 :].split()[:2]
        if int(ppid) == parent and state != "Z" and b"consumer.runtime.relay_child" in command:
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def sent(parts) -> int:
    """Outbox rows the broker acknowledged (marked sent by a relay)."""
    with parts.database.engine.connect() as connection:
        return connection.execute(
            select(func.count()).select_from(tables.outbox).where(tables.outbox.c.sent_at.is_not(None))
        ).scalar_one()


def _syncs_by_id(settings) -> dict[str, list]:
    copies = defaultdict(list)
    for sync in read_topic(settings, settings.topic_pasi_exit_date_sync):
        copies[sync.sync_id].append(sync)
    return copies


@pytest.mark.slow
def test_a_relay_process_killed_at_random_moments_is_restarted_and_loses_and_changes_nothing(
    make_settings, tmp_path
):
    settings = make_settings(
        state_db_url=f"sqlite:///{tmp_path / 'state.db'}", max_poll_records=100, outbox_batch_size=50,
        relay_restart_max_s=1.0,
    )
    rng = random.Random(20261203)
    events = [exited(f"{1000 + i % 7}", "PRIMARY", date(2026, 3, 2), asn=asn(i)) for i in range(5_000)]
    parts = assemble(settings)
    service = start_cli(settings, "run", log_path=tmp_path / "run.log")
    killed: list[int] = []
    try:
        first = wait_for(lambda: relay_children(service.pid), timeout_s=60, what="the relay process")[0]
        publish(settings, settings.topic_enrollment_changed, events)
        relay = first
        for _ in range(3):  # each kill after a random number of rows sent: somewhere in a round
            target = min(len(events), sent(parts) + rng.randint(50, 600))
            wait_for(lambda goal=target: sent(parts) >= goal, timeout_s=60, what=f"{target} outbox rows sent")
            os.kill(relay, signal.SIGKILL)
            killed.append(relay)
            relay = wait_for(
                lambda: [pid for pid in relay_children(service.pid) if pid not in killed],
                timeout_s=30,
                what="a new relay process",
            )[0]
        wait_for(
            lambda: parts.count(tables.processed_events) == len(events) and parts.backlog() == 0,
            timeout_s=120,
            what="every event processed and every output published",
        )
        assert service.poll() is None, "the consumer went on while its relay was killed"
        # SIGKILL of `run` takes its relay with it: no orphan keeps the outbox's lock
        kill(service)
        wait_for(lambda: not alive(relay), timeout_s=10, what="the relay process to die with its parent")
    finally:
        kill(service)
        parts.close()

    log = (tmp_path / "run.log").read_text()
    assert log.count("outbox relay process exited: starting it again") >= 3
    copies = _syncs_by_id(settings)
    assert {copy[0].source_event_id for copy in copies.values()} == {e.event_id for e in events}
    assert len(copies) == len(events)
    assert all(all(c == group[0] for c in group) for group in copies.values()), "a re-sent sync changed"


@pytest.mark.slow
def test_a_relay_of_its_own_publishes_for_consumers_that_run_without_one(make_settings, db_url, tmp_path):
    """On PostgreSQL the relay is woken by the consumer's commits (LISTEN/NOTIFY), not by looking: with
    RELAY_POLL_S at 10 minutes it still publishes at once. On SQLite it looks every RELAY_POLL_S."""
    postgres = db_url.startswith("postgresql")
    settings = make_settings(state_db_url=db_url, relay_mode="external", relay_poll_s=600 if postgres else 0.2)
    events = [exited(f"{1000 + i % 3}", "PRIMARY", date(2026, 3, 2), asn=asn(i)) for i in range(200)]
    publish(settings, settings.topic_enrollment_changed, events)
    relay = start_cli(settings, "relay", log_path=tmp_path / "relay.log")
    try:
        wait_for(lambda: "outbox relay started" in (tmp_path / "relay.log").read_text(), 60, what="the relay")
        started = time.monotonic()
        # idle only once the other relay has published every output
        consumer = run_cli(settings, "run", "--until-idle", "1", timeout_s=120)
        assert consumer.returncode == 0, consumer.stderr[-2000:]
        assert time.monotonic() - started < 60
        assert "outbox relay started" not in consumer.stderr  # RELAY_MODE=external: `run` starts none
        copies = _syncs_by_id(settings)
        assert {copy[0].source_event_id for copy in copies.values()} == {e.event_id for e in events}
        assert kill(relay, signal.SIGTERM) == 0
    finally:
        kill(relay)
