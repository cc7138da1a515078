"""PostgreSQL's LISTEN/NOTIFY as the outbox's doorbell: a transaction that writes outbox rows notifies, at its
commit, whoever listens (a relay of its own, `pasi-concurrent relay`), so no relay needs to poll for them.

The notification names the schema whose outbox has rows (relays of other schemas of the database ignore
it). SQLite has no such thing: a relay there is woken through its pipe by `run`, or looks every
`RELAY_POLL_S`.
"""

import threading
from collections.abc import Callable

import structlog
from sqlalchemy import text
from sqlalchemy.engine import Connection, make_url

log = structlog.get_logger(__name__)
CHANNEL = "pasi_outbox"
_NOTIFY = text(f"SELECT pg_notify('{CHANNEL}', current_schema())")


def announce_outbox(connection: Connection) -> None:
    """Within the transaction writing outbox rows: ring at its commit (PostgreSQL; nothing on SQLite)."""
    if connection.dialect.name == "postgresql":
        connection.execute(_NOTIFY)


def listen_for_outbox(url: str, wake: Callable[[], None], stop: threading.Event, reconnect_s: float = 1.0) -> None:
    """Until `stop`: call `wake()` for every notification of this URL's schema, and once after each (re)connection
    (rows committed while nobody listened). Connection failures are logged and retried."""
    import psycopg  # only PostgreSQL stores listen

    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    failing = False  # logged once an outage, not once a retry
    while not stop.is_set():
        try:
            with psycopg.connect(conninfo, autocommit=True) as connection:
                schema = connection.execute("SELECT current_schema()").fetchone()
                connection.execute(f"LISTEN {CHANNEL}")
                if failing:
                    log.info("outbox notifications received again")
                    failing = False
                wake()
                while not stop.is_set():
                    for notification in connection.notifies(timeout=1.0):
                        if schema is None or notification.payload == schema[0]:
                            wake()
        except Exception as exc:
            if not failing:
                error = f"{type(exc).__name__}: {exc}"[:300]
                log.warning("outbox notifications not received; the relay looks every RELAY_POLL_S", error=error)
                failing = True
            stop.wait(reconnect_s)
