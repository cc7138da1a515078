"""The database connection: SQLite (WAL, one writer) or PostgreSQL, with transient errors retried by tenacity."""

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import structlog
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from tenacity import Retrying, retry_if_exception, stop_after_delay, wait_exponential, wait_random

from consumer.errors import DatabaseUnavailable

log = structlog.get_logger(__name__)
T = TypeVar("T")


# connection, rollback (serialization, deadlock), insufficient resources, operator intervention (shutdown)
_TRANSIENT_SQLSTATE_CLASSES = ("08", "40", "53", "57")


def transient(exc: BaseException) -> bool:
    """Lost connections, lock timeouts and serialization conflicts pass; mistakes and violations do not."""
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    original = exc.orig
    sqlstate = getattr(original, "sqlstate", None)
    if sqlstate:
        return sqlstate[:2] in _TRANSIENT_SQLSTATE_CLASSES
    if isinstance(original, sqlite3.OperationalError):
        text = str(original).lower()
        return "locked" in text or "busy" in text
    return isinstance(exc, OperationalError)  # e.g. the server refused the connection


class Interrupted(Exception):
    """Waiting for the database was given up because the service is stopping."""


class Database:
    def __init__(self, url: str, retry_seconds: float = 60.0):
        self.url = normalize_url(url)
        self.retry_seconds = retry_seconds
        self.engine = create_db_engine(self.url)
        self.on_retry: Callable[[BaseException], None] = lambda exc: None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def run(self, work: Callable[[Connection], T], retry: bool = True) -> T:
        """Run `work` in one transaction; transient failures roll back and run it again from the start."""
        if not retry:
            with self.engine.begin() as connection:
                return work(connection)
        retrying = Retrying(
            retry=retry_if_exception(transient),
            wait=wait_exponential(multiplier=0.05, max=5.0) + wait_random(0, 0.05),
            stop=stop_after_delay(self.retry_seconds),
            before_sleep=self._before_sleep,
            reraise=True,
        )
        for attempt in retrying:
            with attempt, self.engine.begin() as connection:
                return work(connection)
        raise AssertionError("unreachable")

    def _before_sleep(self, state) -> None:
        exc = state.outcome.exception()
        log.warning("database error, retrying", attempt=state.attempt_number, error=str(exc).splitlines()[0])
        self.on_retry(exc)

    def check(self) -> None:
        """Raise DatabaseUnavailable with a fix if the database cannot be reached."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except DBAPIError as exc:
            reason = str(exc.orig or exc).strip().splitlines()[0]
            raise DatabaseUnavailable(
                f"cannot reach the state database {self.engine.url.render_as_string(hide_password=True)}: "
                f"{reason}; check STATE_DB_URL (unset it to use SQLite under VAR_DIR)"
            ) from None

    def dispose(self) -> None:
        self.engine.dispose()


def normalize_url(url: str) -> str:
    """`postgresql://` and `postgres://` use psycopg 3."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def create_db_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    return create_engine(url, pool_pre_ping=True, isolation_level="REPEATABLE READ", pool_size=5)


def _sqlite_on_connect(dbapi_connection, _record) -> None:
    # The driver's own transaction handling is turned off so that BEGIN IMMEDIATE takes the
    # write lock up front: two writers then queue on busy_timeout instead of failing to upgrade.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin_immediate(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")
