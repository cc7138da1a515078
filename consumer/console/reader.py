"""The console's own connection to the state store: read-only, and never in the service's way."""

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from consumer.store.database import normalize_url


def read_only_engine(url: str) -> Engine:
    """SQLite: plain reads on a WAL database take no lock, so the service's writers never wait for the
    console (the service's own engine begins every transaction by taking the write lock).
    PostgreSQL: read-only transactions."""
    url = normalize_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 5, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_query_only)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=4, execution_options={"postgresql_readonly": True})


def _sqlite_query_only(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA query_only=1")
    cursor.close()
