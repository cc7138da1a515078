"""Consumption pauses while the outbox backlog is over its limit; operators can see health and metrics."""

import select
import socket
import threading
from datetime import date

import pytest

from consumer.config.settings import Settings
from consumer.errors import PortInUse
from consumer.runtime import metrics
from consumer.runtime.end_of_year import EndOfYearRunner
from consumer.runtime.health import HealthServer
from consumer.runtime.loop import ConsumerLoop
from consumer.store import tables
from tests.support.events import asn, exited
from tests.support.http import get as _get
from tests.support.kafka import free_port
from tests.support.running import ServiceThread, publish
from tests.support.service_parts import assemble
from tests.support.waiting import wait_for


def test_consumption_pauses_while_the_outbox_backlog_is_over_its_limit(make_settings):
    settings = make_settings(outbox_backlog_limit=100, max_poll_records=50, shutdown_timeout_s=1)
    events = [exited("1234", "PRIMARY", date(2026, 3, 2), asn=asn(i)) for i in range(1_000)]
    publish(settings, settings.topic_enrollment_changed, events)
    parts = assemble(settings)
    unreachable = make_settings(kafka_bootstrap_servers="127.0.0.1:1", kafka_connect_timeout_ms=200)
    relay = parts.relay(unreachable)  # cannot publish: the backlog only grows
    stop = threading.Event()
    runner = EndOfYearRunner(parts.database, parts.service.policy, parts.service.encoder)
    loop = ConsumerLoop(settings, parts.service, runner, relay, stop)
    thread = threading.Thread(target=loop.run, daemon=True)
    relay.start()
    thread.start()
    try:
        wait_for(lambda: loop.pauses.backpressure, timeout_s=60, what="consumption to pause")
        assert metrics.PAUSED._value.get() == 1
        held = parts.count(tables.processed_events)
        wait_for(lambda: parts.count(tables.processed_events) == held, timeout_s=5, what="nothing more processed")
        assert 100 < held <= 100 + 2 * settings.max_poll_records < len(events)
        assert parts.count(tables.processed_events) == held
    finally:
        stop.set()
        relay.stop()
        thread.join(timeout=60)
        parts.close()


def test_health_readiness_and_metrics_are_served_while_the_service_runs(make_settings):
    port = free_port()
    settings = make_settings(metrics_port=port, metrics_host="127.0.0.1")
    publish(settings, settings.topic_enrollment_changed, [exited("1234", "PRIMARY", date(2026, 3, 2), asn=asn(1))])
    with ServiceThread(settings) as service:
        assert _get(port, "/healthz") == (200, "ok\n")
        wait_for(lambda: _get(port, "/readyz")[0] == 200, timeout_s=30, what="readiness")
        wait_for(lambda: service.runtime.relay.outbox.backlog() == 0 and metrics.PUBLISHED._metrics, 30, what="a sync")
        status, body = _get(port, "/metrics")
    assert status == 200
    for name in (
        "pasi_events_consumed_total", "pasi_events_processed_total", "pasi_syncs_total",
        "pasi_messages_published_total", "pasi_outbox_backlog", "pasi_consumer_lag", "pasi_batch_duration_seconds",
        "pasi_publish_retries_total", "pasi_events_dead_lettered_total", "pasi_alerts_total",
    ):
        assert name in body
    assert 'pasi_events_processed_total{event_type="SchoolEnrolmentExited"}' in body


def test_readiness_names_what_is_not_ready_and_no_more():
    detail = "connection to server at 10.1.2.3, user pasi: FATAL [SQL: SELECT 1] psycopg.OperationalError"
    server = HealthServer("127.0.0.1", 0, lambda: {"database": detail, "broker": None}).start()
    try:
        assert _get(server.port, "/readyz") == (503, "not ready: database\n")
    finally:
        server.stop()


def _answer(port: int, path: str) -> tuple[int, str] | None:
    """The response, or None while the server still refuses connections (it has not yet seen others close)."""
    try:
        return _get(port, path)
    except OSError:
        return None


@pytest.mark.slow  # holds connections open for seconds while it counts the refused ones
def test_the_endpoints_serve_a_bounded_number_of_connections_at_once():
    # idle connections are kept far longer than a busy machine may take to refuse the others
    server = HealthServer("127.0.0.1", 0, dict, max_connections=4, idle_timeout_s=120).start()
    idle = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(40)]
    try:
        def hung_up() -> list:  # readable at once: the server closed them (end of file)
            readable = select.select(idle, [], [], 0)[0]
            return readable if len(readable) >= len(idle) - 4 else []

        closed = wait_for(hung_up, timeout_s=10, what="the connections over the bound to be closed")
        assert all(connection.recv(1) == b"" for connection in closed)
        assert len(idle) - len(closed) == 4, "four are served, waiting for a request; the others were refused"
    finally:
        for connection in idle:
            connection.close()
    assert wait_for(lambda: _answer(server.port, "/healthz") == (200, "ok\n"), timeout_s=10, what="served again")
    server.stop()


def test_the_endpoints_listen_on_this_host_only_unless_told():
    assert Settings(_env_file=None).metrics_host == "127.0.0.1"


def test_a_metrics_port_in_use_is_refused_with_a_fix():
    server = HealthServer("127.0.0.1", 0, dict).start()
    try:
        with pytest.raises(PortInUse, match=f"127.0.0.1:{server.port}.*METRICS_PORT"):
            HealthServer("127.0.0.1", server.port, dict)
    finally:
        server.stop()
