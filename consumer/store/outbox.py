"""The outbox as the relay sees it: pending rows in id order, marking them sent, one relay at a time."""

import contextlib
import fcntl
import time
from datetime import UTC, datetime, timedelta
from typing import TextIO

import structlog
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.engine import Connection

from consumer.store import tables as t
from consumer.store.database import Database
from consumer.store.loader import chunks, column_in
from schemas.records import OutboxRecord

log = structlog.get_logger(__name__)
RELAY_LOCK_ID = 7429002  # with the schema's hash: one relay per schema
_TRY_LOCK = text("SELECT pg_try_advisory_lock(:id, hashtext(current_schema()))")
_LOCK_HOLDER = text(
    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = :id"
    " AND objid = hashtext(current_schema())::oid AND objsubid = 2"
    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)


class OutboxStore:
    def __init__(self, database: Database):
        self.database = database
        self._lock_connection: Connection | None = None
        self._lock_file: TextIO | None = None
        self._lock_pid: int | None = None  # the server process of the connection that took the lock

    def pending(self, limit: int) -> list[OutboxRecord]:
        o = t.outbox.c
        query = (
            select(o.id, o.topic, o.key, o.value, o.headers)
            .where(o.sent_at.is_(None), o.failed_at.is_(None))
            .order_by(o.id)
            .limit(limit)
        )
        rows = self.database.run(lambda connection: connection.execute(query).all())
        return [
            OutboxRecord(row.topic, row.key, row.value, [(n, v.encode()) for n, v in row.headers], id=row.id)
            for row in rows
        ]

    def mark_sent(self, ids: list[int]) -> None:
        now = datetime.now(UTC)

        def work(connection: Connection) -> None:
            for part in chunks(ids):
                sent = column_in(connection, t.outbox.c.id, part)
                connection.execute(update(t.outbox).where(sent).values(sent_at=now))
                # the sync's own record keeps when it was acknowledged after the outbox row is pruned
                sent_ids = select(t.outbox.c.message_id).where(sent)
                connection.execute(update(t.syncs).where(t.syncs.c.sync_id.in_(sent_ids)).values(sent_at=now))

        self.database.run(work)

    def mark_failed(self, id: int, error: str) -> None:
        """A row no retry can publish: kept (with its error) for the operator, no longer pending."""
        now = datetime.now(UTC)
        statement = update(t.outbox).where(t.outbox.c.id == id).values(failed_at=now, error=error[:2000])
        self.database.run(lambda connection: connection.execute(statement))

    def backlog(self) -> int:
        return self.head()[0]

    def head(self) -> tuple[int, int | None]:
        """How many rows wait to be published, and the id of the oldest."""
        o = t.outbox.c
        query = select(func.count(), func.min(o.id)).where(o.sent_at.is_(None), o.failed_at.is_(None))
        return tuple(self.database.run(lambda connection: connection.execute(query).one()))

    def prune(self, retention: timedelta) -> int:
        cutoff = datetime.now(UTC) - retention
        result = self.database.run(lambda c: c.execute(delete(t.outbox).where(t.outbox.c.sent_at < cutoff)))
        return result.rowcount or 0

    def try_lock(self) -> bool:
        """Become the only relay publishing from this database schema; released when the process ends."""
        if self.database.dialect == "sqlite":
            return self._try_file_lock()
        if self._lock_connection is not None:
            try:
                self._lock_connection.execute(text("SELECT 1"))
                self._lock_connection.rollback()  # an open transaction would hold back vacuum for good
                return True
            except Exception:
                self._drop_lock_connection()
        connection = self.database.connect()
        try:
            got = self._acquire(connection)
        except Exception:
            connection.close()
            raise
        if got:
            self._lock_connection = connection
            return True
        connection.close()
        return False

    def _acquire(self, connection: Connection) -> bool:
        key = {"id": RELAY_LOCK_ID}
        got = connection.execute(_TRY_LOCK, key).scalar()
        if not got and self._lock_pid is not None:
            # Our own session from before a broken connection may still hold the lock: the server has
            # not noticed that its client is gone (it may take TCP keep-alive hours). End it and retry.
            holder = connection.execute(_LOCK_HOLDER, key).scalar()
            if holder == self._lock_pid:
                log.warning("outbox relay lock held by this relay's lost connection: ending it", pid=holder)
                connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": holder})
                for _ in range(50):  # the session ends, and releases the lock, a moment later
                    got = connection.execute(_TRY_LOCK, key).scalar()
                    if got:
                        break
                    time.sleep(0.1)
        if got:
            self._lock_pid = connection.execute(text("SELECT pg_backend_pid()")).scalar()
        connection.commit()
        return bool(got)

    def _try_file_lock(self) -> bool:
        if self._lock_file is not None:
            return True
        if self.database.in_memory:  # no other process can open it, so none can relay from it
            return True
        handle = open(f"{self.database.engine.url.database}.relay.lock", "a+")  # noqa: SIM115 - held open for the life of the lock
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._lock_file = handle
        return True

    def _drop_lock_connection(self) -> None:
        with contextlib.suppress(Exception):  # the connection may already be gone; the lock went with it
            if self._lock_connection is not None:
                self._lock_connection.close()
        self._lock_connection = None

    def unlock(self) -> None:
        if self._lock_connection is not None:
            self._drop_lock_connection()
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None
