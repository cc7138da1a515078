"""The database connection: SQLite (WAL, one writer) or PostgreSQL, with transient errors retried by tenacity."""

import sqlite3
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import structlog
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from tenacity import RetryCallState, Retrying, retry_if_exception, wait_exponential, wait_random

from consumer.errors import DatabaseUnavailable

log = structlog.get_logger(__name__)
T = TypeVar("T")


# connection, rollback (serialization, deadlock), insufficient resources, operator intervention (shutdown)
_TRANSIENT_SQLSTATE_CLASSES = ("08", "40", "53", "57")
_TRANSIENT_SQLSTATES = ("55P03",)  # lock_not_available: lock_timeout ran out while a lock was held


def transient(exc: BaseException) -> bool:
    """Lost connections, lock timeouts and serialization conflicts pass; mistakes and violations do not."""
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    original = exc.orig
    sqlstate = getattr(original, "sqlstate", None)
    if sqlstate:
        return sqlstate[:2] in _TRANSIENT_SQLSTATE_CLASSES or sqlstate in _TRANSIENT_SQLSTATES
    if isinstance(original, sqlite3.OperationalError):
        text = str(original).lower()
        return "locked" in text or "busy" in text
    return isinstance(exc, OperationalError)  # e.g. the server refused the connection


class Interrupted(Exception):
    """Waiting for the database was given up because the service is stopping."""


class Database:
    def __init__(self, url: str, retry_seconds: float = 60.0, lock_timeout_ms: int = 30_000):
        self.url = normalize_url(url)
        self.retry_seconds = retry_seconds
        self.engine = create_db_engine(self.url, lock_timeout_ms)
        self.on_retry: Callable[[BaseException], None] = lambda exc: None
        # The service never gives up on its database: past `retry_seconds` it keeps waiting (and is
        # not ready) until `interrupt` is set. Commands for operators give up and say why.
        self.wait_forever = False
        self.interrupt = threading.Event()
        self.failing_since: float | None = None  # monotonic time of the first failure of an ongoing outage

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def in_memory(self) -> bool:
        """An SQLite store in this process's memory: no other process (a relay, a second consumer) can open it."""
        url = self.engine.url
        return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")

    def run(self, work: Callable[[Connection], T], retry: bool = True) -> T:
        """Run `work` in one transaction; transient failures roll back and run it again from the start."""
        if not retry:
            with self.engine.begin() as connection:
                return work(connection)

        def transaction() -> T:
            with self.engine.begin() as connection:
                return work(connection)

        return self._retrying(transaction)

    def connect(self) -> Connection:
        """A connection of the caller's own (e.g. to hold a session lock), reached with `run`'s retries."""
        return self._retrying(self.engine.connect)

    def _retrying(self, call: Callable[[], T]) -> T:
        retrying = Retrying(
            retry=retry_if_exception(transient),
            wait=wait_exponential(multiplier=0.05, max=2.0) + wait_random(0, 0.05),
            stop=self._give_up,
            sleep=self._sleep,
            before_sleep=self._before_sleep,
            reraise=True,
        )
        try:
            result = retrying(call)
        except Exception as exc:
            if self.interrupt.is_set() and transient(exc):
                raise Interrupted(f"stopped while waiting for the database: {str(exc).splitlines()[0]}") from exc
            raise
        if self.failing_since is not None:
            log.info("database reachable again", after_s=round(time.monotonic() - self.failing_since, 1))
            self.failing_since = None
        return result

    def _give_up(self, state: RetryCallState) -> bool:
        if self.interrupt.is_set():
            return True
        return not self.wait_forever and (state.seconds_since_start or 0) >= self.retry_seconds

    def _sleep(self, seconds: float) -> None:
        self.interrupt.wait(seconds)

    def _before_sleep(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome is not None else None
        assert exc is not None  # a retry follows a failed attempt
        if self.failing_since is None:
            self.failing_since = time.monotonic() - (state.seconds_since_start or 0)
        waited = round(state.seconds_since_start or 0, 1)
        error = str(exc).splitlines()[0]
        if waited >= self.retry_seconds:
            log.error("database unavailable past DB_RETRY_SECONDS: still waiting, not ready",
                      attempt=state.attempt_number, waited_s=waited, error=error)
        else:
            log.warning("database error, retrying", attempt=state.attempt_number, waited_s=waited, error=error)
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


def create_db_engine(url: str, lock_timeout_ms: int = 30_000) -> Engine:
    """A statement waiting for a lock gives up after `lock_timeout_ms` (a transient error, so retried
    and logged): a table locked for long is then visible in the log instead of a silent wait."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"timeout": lock_timeout_ms / 1000, "check_same_thread": False},
            hide_parameters=True,
        )
        event.listen(engine, "connect", partial(_sqlite_on_connect, lock_timeout_ms))
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    connect_args = {} if "connect_timeout" in parsed.query else {"connect_timeout": 10}
    # hide_parameters: error messages must not carry the values of a statement (ASNs among them)
    engine = create_engine(
        url,
        pool_pre_ping=True,
        isolation_level="REPEATABLE READ",
        pool_size=5,
        connect_args=connect_args,
        hide_parameters=True,
    )
    event.listen(engine, "connect", partial(_postgresql_on_connect, lock_timeout_ms))
    return engine


def _postgresql_on_connect(lock_timeout_ms: int, dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute(f"SET lock_timeout = {int(lock_timeout_ms)}")
    dbapi_connection.commit()


def _sqlite_on_connect(lock_timeout_ms: int, dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling is turned off so that BEGIN IMMEDIATE takes the
    # write lock up front: two writers then queue on busy_timeout instead of failing to upgrade.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={int(lock_timeout_ms)}")
    cursor.close()


def _sqlite_begin_immediate(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")
