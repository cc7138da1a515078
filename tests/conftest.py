"""Fixtures every test may use: a real broker, real databases, unique names and settings built from them."""

import contextlib
import os
import uuid
from datetime import UTC, datetime
from urllib.parse import quote

import psycopg
import pytest

from consumer.config.settings import Settings
from tests.support.events import Scenario
from tests.support.kafka import docker_answers, start_container, start_embedded

POSTGRES_URL = os.environ.get("PASI_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
_postgres_problem: str | None = None  # "" once the server answered


BROKER_FIXTURES = {"broker", "private_broker"}


SHARED_SCOPES = {"package", "module", "class"}


def pytest_xdist_auto_num_workers(config):
    """`-n auto` (addopts): six workers for a run with the `slow` tests, four for `-m "not slow"`.

    The slow tests mostly wait (consumer-group joins, idle periods, outages, subprocess start-up) and leave the
    two cores of the development machine half idle with four workers; the others keep the cores busy, and more
    workers would only add their start-up."""
    return 4 if "not slow" in (config.option.markexpr or "") else 6


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the `xdist_group` marks
def pytest_collection_modifyitems(items):
    """Mark `postgres` every test that reaches PostgreSQL through the fixtures (db_url's "postgres" case too), and
    `slow` every test that needs a broker (through the fixtures) or runs the command line (tests/e2e).

    The workers take tests one at a time (`--dist loadgroup`), so that tests of a minute never pile up on one
    worker; the tests of a module that share a module-scoped fixture are one group, so that a worker sets it up
    once and no other worker sets it up again."""
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if "make_postgres_url" in item.fixturenames or params.get("db_url") == "postgres":
            item.add_marker(pytest.mark.postgres)
        if BROKER_FIXTURES & set(item.fixturenames) or "e2e" in item.path.parts:
            item.add_marker(pytest.mark.slow)
        if _shares_a_fixture(item):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))


def _shares_a_fixture(item) -> bool:
    """Whether the test uses a fixture set up once for its module (or class), not once a test or a session."""
    definitions = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {})
    return any(d.scope in SHARED_SCOPES for defs in definitions.values() for d in defs)


@pytest.fixture(scope="session")
def broker(tmp_path_factory):
    """The broker the session's tests share: KAFKA_BOOTSTRAP_SERVERS, else a container, else embedded."""
    from tests.support.kafka import Broker

    external = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if external:
        yield Broker(external, "external")
        return
    if docker_answers():
        container, found = start_container()
        yield found
        container.stop()
        return
    found = start_embedded(tmp_path_factory.mktemp("broker"))
    yield found
    found.stop()


@pytest.fixture
def private_broker(tmp_path):
    """An embedded broker of this test's own, for tests that pause or restart it."""
    found = start_embedded(tmp_path / "broker")
    yield found
    found.stop()


@pytest.fixture
def unique():
    """A short suffix that makes topic and group names unique to this test."""
    return uuid.uuid4().hex[:10]


def _postgres_schema_url(schema: str) -> str:
    return f"{POSTGRES_URL}?options={quote(f'-csearch_path={schema}')}"


def postgres_answers() -> str | None:
    """None when the PostgreSQL server answers, else why not (asked once a session)."""
    global _postgres_problem
    if _postgres_problem is None:
        try:
            with psycopg.connect(POSTGRES_URL, connect_timeout=3):
                _postgres_problem = ""
        except psycopg.Error as exc:
            why = " ".join(str(exc).split())
            _postgres_problem = f"no PostgreSQL answers at {POSTGRES_URL} (set PASI_TEST_POSTGRES_URL): {why}"
    return _postgres_problem or None


_END_SESSIONS_LOCKING = """
    SELECT pg_terminate_backend(pid) FROM (
        SELECT DISTINCT l.pid FROM pg_locks l
        JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = %s AND l.pid <> pg_backend_pid()
    ) AS holders
"""


@contextlib.contextmanager
def postgres_schemas():
    """Makes PostgreSQL URLs whose tables live in schemas of their own, dropped at the end.

    Skips the test (or the tests of a wider fixture) when no PostgreSQL server answers."""
    problem = postgres_answers()
    if problem:
        pytest.skip(problem)
    schemas = []

    def make() -> str:
        schema = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
            connection.execute(f'CREATE SCHEMA "{schema}"')
        schemas.append(schema)
        return _postgres_schema_url(schema)

    try:
        yield make
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
            for schema in schemas:
                # a session a test left behind (a connection cut on the client side only) may still hold locks
                # on the schema's tables: it is ended, or the drop would wait for it
                connection.execute(_END_SESSIONS_LOCKING, (schema,))
                connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def make_postgres_url():
    """Makes PostgreSQL URLs whose tables live in schemas of their own, dropped after the test."""
    with postgres_schemas() as make:
        yield make


@pytest.fixture
def postgres_url(make_postgres_url):
    """A PostgreSQL URL whose tables live in a schema made for this test and dropped after it."""
    return make_postgres_url()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path):
    """Each state test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'state.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def make_settings(broker, unique, tmp_path):
    """Settings for this test: its own topics, group and var directory, on the session's broker."""

    def make(**overrides) -> Settings:
        values = dict(
            kafka_bootstrap_servers=broker.bootstrap,
            topic_enrollment_changed=f"enrollment-changed-{unique}",
            topic_term_closed=f"term-closed-{unique}",
            topic_core_alerts=f"core-alerts-{unique}",
            topic_pasi_exit_date_sync=f"pasi-exit-date-sync-{unique}",
            consumer_group=f"pasi-concurrent-{unique}",
            var_dir=tmp_path / "var",
            state_db_url=f"sqlite:///{tmp_path / 'state.db'}",
            metrics_port=0,
            # the embedded broker joins in ~session/2 and allows short sessions; real Kafka's minimum is 6 s
            session_timeout_ms=2000 if broker.kind == "embedded" else 6000,
            heartbeat_interval_ms=500 if broker.kind == "embedded" else 1000,
            alignment_wait_ms=300,
            log_format="json",
        )
        values.update(overrides)
        return Settings(_env_file=None, **values)

    return make


@pytest.fixture
def scenario():
    """Events to publish or feed to the service, a minute apart from a school day in September 2025 (year 35)."""
    return Scenario(datetime(2025, 9, 2, 15, 0, tzinfo=UTC), id_prefix="e2e")
