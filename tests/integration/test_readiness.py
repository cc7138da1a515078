"""/readyz tells the truth about a paused broker, a stuck outbox and a database outage; /healthz stays liveness."""

import contextlib
import fcntl
import time
from datetime import date

import psycopg
from sqlalchemy.engine import make_url

from tests.support.events import asn, exited
from tests.support.forwarder import Forwarder
from tests.support.http import get as _get
from tests.support.kafka import free_port
from tests.support.running import ServiceThread, publish
from tests.support.service_parts import assemble
from tests.support.waiting import wait_for

THRESHOLDS = dict(readiness_failure_s=2, readiness_outbox_stall_s=2, readiness_unassigned_s=30)


def _served(settings, **overrides):
    port = free_port()
    return port, settings(metrics_port=port, **THRESHOLDS, **overrides)


def test_a_paused_broker_makes_the_service_not_ready_and_its_return_ready_again(private_broker, make_settings):
    port, settings = _served(make_settings, kafka_bootstrap_servers=private_broker.bootstrap,
                             kafka_request_timeout_ms=2_000, kafka_delivery_timeout_ms=3_000)
    publish(settings, settings.topic_enrollment_changed, [exited("1234", "PRIMARY", date(2026, 3, 2), asn=asn(1))])
    with ServiceThread(settings):
        wait_for(lambda: _get(port, "/readyz")[0] == 200, timeout_s=30, what="readiness")
        private_broker.pause()
        try:
            paused = time.monotonic()
            assert wait_for(lambda: _get(port, "/readyz") == (503, "not ready: broker\n"), timeout_s=30,
                            what="not ready while the broker is paused")
            detected = time.monotonic() - paused
            assert _get(port, "/healthz") == (200, "ok\n"), "liveness does not depend on the broker"
        finally:
            private_broker.resume()
        resumed = time.monotonic()
        wait_for(lambda: _get(port, "/readyz")[0] == 200, timeout_s=60, what="ready again once the broker is back")
        print(f"figures: broker paused, not ready after {detected:.1f} s, ready {time.monotonic() - resumed:.1f} s "
              "after it resumed")


@contextlib.contextmanager
def _relay_lock_held_elsewhere(db_url: str):
    """Another relay, hung, holding the outbox's lock: nothing of this process's outbox is sent."""
    if db_url.startswith("sqlite"):
        with open(f"{make_url(db_url).database}.relay.lock", "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield
        return
    with psycopg.connect(db_url, autocommit=True) as connection:
        connection.execute("SELECT pg_advisory_lock(7429002, hashtext(current_schema()))")
        yield


def test_an_outbox_that_does_not_advance_makes_the_service_not_ready(make_settings, db_url):
    port, settings = _served(make_settings, state_db_url=db_url)
    assemble(settings).close()  # the schema exists before the lock is taken
    lock = _relay_lock_held_elsewhere(db_url)
    lock.__enter__()
    try:
        with ServiceThread(settings) as service:
            wait_for(lambda: _get(port, "/readyz")[0] == 200, timeout_s=30, what="readiness")
            left = exited("1234", "PRIMARY", date(2026, 3, 2), asn=asn(2))
            publish(settings, settings.topic_enrollment_changed, [left])
            wait_for(lambda: _get(port, "/readyz") == (503, "not ready: outbox\n"), timeout_s=30,
                     what="not ready while the outbox holds a row it cannot send")
            lock.__exit__(None, None, None)
            lock = None
            wait_for(lambda: _get(port, "/readyz")[0] == 200, timeout_s=30, what="ready once the outbox moves")
            assert service.runtime.relay.outbox.backlog() == 0
    finally:
        if lock is not None:
            lock.__exit__(None, None, None)


def test_a_database_outage_makes_the_service_not_ready_and_its_end_ready_again(make_settings, postgres_url):
    forwarder = Forwarder("127.0.0.1", 5432)
    port, settings = _served(make_settings, state_db_url=forwarder.url_for(postgres_url))
    try:
        with ServiceThread(settings):
            wait_for(lambda: _get(port, "/readyz")[0] == 200, timeout_s=30, what="readiness")
            forwarder.close()
            status, body = wait_for(lambda: (lambda got: got[0] == 503 and got)(_get(port, "/readyz")),
                                    timeout_s=30, what="not ready while the database refuses connections")
            assert "database" in body and "127.0.0.1" not in body and "refused" not in body
            assert _get(port, "/healthz") == (200, "ok\n")
            forwarder.open()
            wait_for(lambda: _get(port, "/readyz")[0] == 200, timeout_s=30, what="ready again")
    finally:
        forwarder.close()
