"""Writing a batch's effects: changed state, processed event ids, watermarks and outbox rows, set-based."""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, and_, bindparam, func
from sqlalchemy.dialects.postgresql import Insert as PostgresqlInsert
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement

from consumer.domain.state import State
from consumer.store import tables as t
from consumer.store.history import history_rows
from consumer.store.outbox_channel import announce_outbox
from consumer.store.rows import TABLE_OF, key_row, to_row
from schemas.records import OutboxRecord


def _insert(connection: Connection, table: Table) -> PostgresqlInsert | SqliteInsert:
    return (sqlite_insert if connection.dialect.name == "sqlite" else postgresql_insert)(table)


@dataclass(frozen=True)
class _Prepared:
    sql: str
    names: tuple[str, ...]  # the row keys, in the order of the statement's parameters
    # SQLAlchemy's bind processor of each parameter for this dialect, or None
    processors: tuple[Callable[[Any], Any] | None, ...]
    positional: bool


_PREPARED: dict[tuple[Any, ...], _Prepared] = {}
Build = Callable[[Connection], ClauseElement]  # a statement, built for a connection's dialect


def _execute_rows(connection: Connection, name: str, build: Build, rows: list[dict[str, Any]]) -> None:
    """Execute a statement for every row (executemany), as `connection.execute(statement, rows)`
    does, with less work per row.

    The statement (`build(connection)`) is built and compiled once per dialect and row shape; each
    value still goes through SQLAlchemy's own bind processor for its column type on this dialect
    (dates, UTC datetimes, JSON), so the driver gets the very parameters it got before. What is left
    out is SQLAlchemy's generic per-row parameter handling and the statement's construction on every
    call, which in the benchmarks' profiles cost more than the database's own work.
    """
    dialect = connection.dialect
    keys = tuple(rows[0])
    cache_key = (type(dialect), dialect.paramstyle, name, keys)
    prepared = _PREPARED.get(cache_key)
    if prepared is None:
        compiled = build(connection).compile(dialect=dialect, column_keys=list(keys))
        assert isinstance(compiled, SQLCompiler)  # a statement's compilation
        names = tuple(compiled.positiontup or ()) if compiled.positional else tuple(compiled.binds)
        if not set(names) <= set(keys):
            raise ValueError(f"{name}: parameters {sorted(set(names) - set(keys))} missing from the rows")
        processors = tuple(
            compiled.binds[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names
        )
        prepared = _PREPARED[cache_key] = _Prepared(compiled.string, names, processors, compiled.positional)
    names = prepared.names
    pick = itemgetter(*names) if len(names) > 1 else lambda row: tuple(row[n] for n in names)
    steps = [(at, _remembering(process)) for at, process in enumerate(prepared.processors) if process is not None]
    values = [list(pick(row)) for row in rows]  # each row's parameters in order, one C call a row
    for at, process in steps:
        for row_values in values:
            row_values[at] = process(row_values[at])
    parameters: list[tuple[Any, ...]] | list[dict[str, Any]]
    if prepared.positional:
        parameters = [tuple(row_values) for row_values in values]
    else:
        parameters = [dict(zip(names, row_values, strict=True)) for row_values in values]
    connection.exec_driver_sql(prepared.sql, parameters)


def _remembering(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`process` keeping its last answer: a batch's rows mostly share their times (the batch's commit time,
    End of Year's closing time), each converted once instead of once a row."""
    last_value, last_result = object(), None

    def remembered(value: Any) -> Any:
        nonlocal last_value, last_result
        if value is not last_value:
            last_value, last_result = value, process(value)
        return last_result

    return remembered


def _upsert_statement(table: Table) -> Build:
    def build(connection: Connection) -> ClauseElement:
        statement = _insert(connection, table)
        keys = [column.name for column in table.primary_key.columns]
        updates = {c.name: statement.excluded[c.name] for c in table.columns if c.name not in keys}
        return statement.on_conflict_do_update(index_elements=keys, set_=updates)

    return build


def upsert(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    _execute_rows(connection, f"upsert:{table.name}", _upsert_statement(table), rows)


def delete_keys(connection: Connection, table: Table, keys: list[dict[str, Any]]) -> None:
    if not keys:
        return
    columns = [column for column in table.primary_key.columns]
    condition = and_(*(column == bindparam(f"k_{column.name}") for column in columns))
    connection.execute(
        table.delete().where(condition), [{f"k_{name}": value for name, value in key.items()} for key in keys]
    )


def save_state(connection: Connection, state: State) -> None:
    """Write what the batch changed: a row it left as it found it is not written again."""
    for name in list(state.changes):
        table, _ = TABLE_OF[name]
        rows, deleted = _needed(state, name)
        upsert(connection, table, [to_row(row) for row in rows])
        delete_keys(connection, table, [key_row(table, key) for key in deleted])


def _needed(state: State, table: str) -> tuple[list[Any], list[Any]]:
    """The changes of `table` the store needs: rows to write and keys to delete. A row changed back to exactly
    what it was when the state got it (every value equal, and equal in representation: types, time zones, the
    order of a dict's keys) is left out, the store holding it already. Deletions are all kept: a row the state
    never held may still be stored."""
    changes, originals = state.changes.get(table, {}), state.originals.get(table, {})
    rows, deleted = [], []
    for key, row in changes.items():
        if row is None:
            deleted.append(key)
            continue
        before = originals.get(key)
        if before is None or row != before or repr(row) != repr(before):
            rows.append(row)
    return rows, deleted


def mark_processed(
    connection: Connection, ids: Mapping[str, str | None] | Iterable[str], now: datetime | None = None
) -> None:
    """Record processed ids, with the fingerprint of what each said when `ids` maps them to one."""
    processed_at = now or datetime.now(UTC)  # the batch's one commit time
    fingerprints = ids if isinstance(ids, Mapping) else dict.fromkeys(ids)
    rows = [
        {"event_id": event_id, "processed_at": processed_at, "fingerprint": fingerprint}
        for event_id, fingerprint in fingerprints.items()
    ]
    if rows:
        _execute_rows(
            connection,
            "mark_processed",
            lambda c: _insert(c, t.processed_events).on_conflict_do_nothing(index_elements=["event_id"]),
            rows,
        )


def save_watermarks(connection: Connection, marks: dict[tuple[str, int], datetime]) -> None:
    if not marks:
        return
    statement = _insert(connection, t.watermarks)
    greatest = func.max if connection.dialect.name == "sqlite" else func.greatest
    statement = statement.on_conflict_do_update(
        index_elements=["topic", "partition"],
        set_={"occurred_at": greatest(t.watermarks.c.occurred_at, statement.excluded.occurred_at)},
    )
    connection.execute(
        statement, [{"topic": topic, "partition": p, "occurred_at": at} for (topic, p), at in sorted(marks.items())]
    )


def write_outbox(connection: Connection, records: list[OutboxRecord], now: datetime | None = None) -> None:
    if not records:
        return
    created = now or datetime.now(UTC)
    _execute_rows(
        connection,
        "write_outbox",
        lambda c: t.outbox.insert(),
        [
            {
                "topic": r.topic,
                "key": r.key,
                "value": r.value,
                "headers": [[name, value.decode()] for name, value in r.headers],
                "message_id": r.message_id,
                "created_at": created,
            }
            for r in records
        ],
    )
    for table, key, rows in history_rows(records, created):
        _execute_rows(connection, f"history:{table.name}", _insert_new(table, key), rows)
    announce_outbox(connection)


def _insert_new(table: Table, key: str | None) -> Build:
    """Insert; with a unique `key`, one already there (the same message written again) keeps its first row."""
    if key is None:
        return lambda connection: table.insert()
    return lambda connection: _insert(connection, table).on_conflict_do_nothing(index_elements=[key])
