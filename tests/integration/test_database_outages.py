"""A database that drops, refuses or locks out the service is waited out: it keeps running, losing and
duplicating nothing."""

import contextlib
import io
import signal
import sqlite3
import threading
import time
from collections import Counter
from datetime import date
from urllib.parse import quote

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from consumer.runtime import metrics
from consumer.runtime.logs import configure_logging
from consumer.runtime.wiring import open_database
from consumer.store import tables
from consumer.store.database import Interrupted
from tests.conftest import POSTGRES_URL
from tests.support.events import asn, exited
from tests.support.forwarder import Forwarder
from tests.support.running import kill, publish, read_topic, start_cli
from tests.support.service_parts import assemble, counter_total
from tests.support.waiting import wait_for, wait_until

WAVE = 500
ROUNDS = 6


def _waves(count: int) -> list[list]:
    return [
        [exited(f"{1000 + i % 7}", "PRIMARY", date(2026, 3, 2), asn=asn(w * WAVE + i)) for i in range(WAVE)]
        for w in range(count)
    ]


def _exactly_once(settings, events: list) -> tuple[int, int]:
    """(lost, duplicated) syncs among those the events call for."""
    copies = Counter(s.source_event_id for s in read_topic(settings, settings.topic_pasi_exit_date_sync))
    lost = sum(1 for e in events if copies[e.event_id] == 0)
    return lost, sum(n - 1 for n in copies.values())


def _done(parts, total: int) -> bool:
    return parts.count(tables.processed_events) == total and parts.backlog() == 0


def _finished_or_exited(process, parts, total: int) -> bool:
    return process.poll() is not None or _done(parts, total)


def _carries_on(process, parts, since: float) -> float:
    """Both waves processed and published, the service still running and stopping cleanly; returns the
    seconds that took from `since` (the end of the fault)."""
    wait_for(lambda: _finished_or_exited(process, parts, 2 * WAVE), timeout_s=90, what="every event processed")
    took = time.monotonic() - since
    assert process.poll() is None, f"the service must keep running: exited {process.poll()}"
    assert kill(process, signal.SIGTERM) == 0
    return took


@contextlib.contextmanager
def _service(settings, observer_url: str, tmp_path):
    """The service as a `run` subprocess, the first wave published; yields (process, parts, second wave).
    `parts` watch the database at `observer_url`. Afterwards, every sync is on its topic exactly once."""
    first, second = _waves(2)
    publish(settings, settings.topic_enrollment_changed, first)
    # the observer waits out the service's write transactions, however long a busy machine makes them
    parts = assemble(settings.model_copy(update={"state_db_url": observer_url, "db_lock_timeout_ms": 60_000}))
    process = start_cli(settings, "run", log_path=tmp_path / "run.log")
    try:
        yield process, parts, second
    finally:
        kill(process)
        parts.close()
    assert _exactly_once(settings, first + second) == (0, 0)


def _terminate_while_busy(url: str, application_name: str) -> int:
    """Terminate the service's connections while its statements wait on a locked outbox: they are then in
    the middle of a query (an idle pooled connection would just be replaced on its next checkout)."""
    with psycopg.connect(url) as locker, psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        locker.execute("LOCK TABLE outbox IN ACCESS EXCLUSIVE MODE")
        # at most half a second for a statement of the service's to queue behind the lock (it may be idle)
        wait_until(lambda: _sessions(admin, application_name, waiting=True), timeout_s=0.5)
        terminated = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = %s",
            (application_name,),
        ).fetchone()[0]
        locker.rollback()
    return terminated


def _sessions(admin, application_name: str, waiting: bool = False) -> int:
    """How many sessions of the service are open (or, with `waiting`, waiting for a lock)."""
    query = "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s"
    if waiting:
        query += " AND wait_event_type = 'Lock'"
    return admin.execute(query, (application_name,)).fetchone()[0]


def _with_application_name(url: str, name: str) -> str:
    return f"{url}&application_name={quote(name)}"


@pytest.mark.slow
def test_postgresql_connections_terminated_again_and_again_are_reopened_and_nothing_is_lost(
    make_settings, postgres_url, unique, tmp_path
):
    name = f"pasi-{unique}"
    settings = make_settings(state_db_url=_with_application_name(postgres_url, name), max_poll_records=100)
    with _service(settings, postgres_url, tmp_path) as (process, parts, second):
        wait_for(lambda: parts.count(tables.processed_events) >= 100, timeout_s=60, what="processing to start")
        terminated = 0
        for round_ in range(ROUNDS):
            if round_ == ROUNDS // 2:
                publish(settings, settings.topic_enrollment_changed, second)
            terminated += _terminate_while_busy(postgres_url, name)
            with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
                wait_for(lambda admin=admin: _sessions(admin, name), timeout_s=30, what="the service to reconnect")
        recovered_s = _carries_on(process, parts, since=time.monotonic())
        assert terminated >= ROUNDS
    print(f"figures: {terminated} connections terminated in {ROUNDS} rounds, {2 * WAVE} events, "
          f"recovered {recovered_s:.1f} s")


@pytest.mark.slow
def test_a_database_refusing_connections_for_four_seconds_is_waited_out(make_settings, postgres_url, tmp_path):
    forwarder = Forwarder("127.0.0.1", 5432)
    # one group-deadline sweep only: its retries would absorb the outage before the housekeeping's queries meet it
    settings = make_settings(state_db_url=forwarder.url_for(postgres_url), max_poll_records=100,
                             deadline_sweep_interval_ms=3_600_000)
    with _service(settings, postgres_url, tmp_path) as (process, parts, second):
        wait_for(lambda: _done(parts, WAVE), timeout_s=60, what="the first wave")
        time.sleep(1.0)  # idle by now: its one deadline sweep (which retries on its own) is done
        forwarder.close()
        closed = time.monotonic()
        time.sleep(2.0)  # an idle service meets the outage first
        publish(settings, settings.topic_enrollment_changed, second)
        time.sleep(max(0.0, 4.0 - (time.monotonic() - closed)))  # then events arrive during it
        assert process.poll() is None, "the service must wait the outage out"
        forwarder.open()
        recovered_s = _carries_on(process, parts, since=time.monotonic())
    forwarder.close()
    assert "database error, retrying" in (tmp_path / "run.log").read_text()
    print(f"figures: database refused connections 4 s, {2 * WAVE} events, recovered {recovered_s:.1f} s after")


@pytest.mark.slow
def test_a_relay_whose_connections_broke_on_the_way_takes_its_lock_back_and_publishes_on(
    make_settings, postgres_url, tmp_path
):
    forwarder = Forwarder("127.0.0.1", 5432)
    settings = make_settings(state_db_url=forwarder.url_for(postgres_url), max_poll_records=100)
    with _service(settings, postgres_url, tmp_path) as (process, parts, second):
        wait_for(lambda: _done(parts, WAVE), timeout_s=60, what="the first wave")
        forwarder.cut()  # the server keeps the relay's old session, and with it the relay's lock
        cut_at = time.monotonic()
        publish(settings, settings.topic_enrollment_changed, second)
        recovered_s = _carries_on(process, parts, since=cut_at)
    forwarder.close()
    assert "lost connection: ending it" in (tmp_path / "run.log").read_text()
    print(f"figures: connections cut on the client side, {2 * WAVE} events, recovered {recovered_s:.1f} s")


@pytest.mark.slow
def test_a_table_locked_for_long_is_logged_while_waited_for(make_settings, db_url, tmp_path):
    settings = make_settings(state_db_url=db_url, db_lock_timeout_ms=1000)
    with _service(settings, db_url, tmp_path) as (process, parts, second):
        wait_for(lambda: _done(parts, WAVE), timeout_s=60, what="the first wave")
        locked = threading.Event()
        holder = threading.Thread(target=_hold_lock, args=(db_url, 6.0, locked))
        holder.start()
        locked.wait(10)
        publish(settings, settings.topic_enrollment_changed, second)
        wait_for(lambda: "lock" in _retries(tmp_path / "run.log"), timeout_s=5, what="the wait to be logged")
        holder.join()
        recovered_s = _carries_on(process, parts, since=time.monotonic())
    logged = _retries(tmp_path / "run.log").count("\n") + 1
    print(f"figures: outbox locked 6 s, {2 * WAVE} events, {logged} retries logged, "
          f"caught up {recovered_s:.1f} s after")


def _hold_lock(url: str, seconds: float, locked: threading.Event) -> None:
    """Lock the outbox against writers for `seconds`, as a long migration or a manual query would."""
    if url.startswith("sqlite"):
        connection = sqlite3.connect(make_url(url).database, isolation_level=None)
        connection.execute("BEGIN EXCLUSIVE")
    else:
        connection = psycopg.connect(url)  # a transaction begins with the first statement
        connection.execute("LOCK TABLE outbox IN ACCESS EXCLUSIVE MODE")
    locked.set()
    time.sleep(seconds)
    connection.rollback()
    connection.close()


def _retries(log_path) -> str:
    return "\n".join(line for line in log_path.read_text().splitlines() if "database error, retrying" in line).lower()


def test_past_db_retry_seconds_the_service_waits_on_and_only_stopping_ends_the_wait(make_settings, postgres_url):
    forwarder = Forwarder("127.0.0.1", 5432)
    settings = make_settings(state_db_url=forwarder.url_for(postgres_url), db_retry_seconds=0.5)
    database = open_database(settings)
    database.wait_forever = True
    log = io.StringIO()
    configure_logging("INFO", "json", stream=log)
    retries_before = counter_total(metrics.DB_RETRIES)
    outcome: list = []

    def query() -> None:
        try:
            outcome.append(database.run(lambda connection: connection.execute(text("SELECT 1")).scalar_one()))
        except Exception as exc:
            outcome.append(exc)

    try:
        forwarder.close()
        waiting = threading.Thread(target=query)
        waiting.start()
        wait_for(lambda: "still waiting" in log.getvalue(), timeout_s=10, what="the wait past DB_RETRY_SECONDS")
        assert waiting.is_alive() and not outcome
        forwarder.open()
        waiting.join(timeout=10)
        assert outcome == [1]
        assert counter_total(metrics.DB_RETRIES) > retries_before

        forwarder.close()
        stopped = threading.Thread(target=query)
        stopped.start()
        wait_for(lambda: database.failing_since is not None, timeout_s=10, what="the second outage to be seen")
        database.interrupt.set()
        stopped.join(timeout=10)
        assert isinstance(outcome[-1], Interrupted)
    finally:
        configure_logging()
        forwarder.close()
        database.dispose()
