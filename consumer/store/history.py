"""What the console looks back on, written in the transaction of the outbox rows it describes.

One row per alert transition, per sync and per dead letter: a few inserts a batch, none per event
that changes nothing. Sent outbox rows are pruned after OUTBOX_RETENTION_HOURS; these stay.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Table

from consumer.store import tables as t
from schemas.outputs import CoreAlert, PasiExitDateSync
from schemas.records import OutboxRecord


def history_rows(
    records: list[OutboxRecord], created: datetime
) -> list[tuple[Table, str | None, list[dict[str, Any]]]]:
    """(table, unique key column or None, rows) of the alert transitions, syncs and dead letters among
    outbox `records`."""
    transitions: list[dict[str, Any]] = []
    syncs: list[dict[str, Any]] = []
    dead: list[dict[str, Any]] = []
    for record in records:
        message = record.message
        if isinstance(message, CoreAlert):
            transitions.append(_transition(message))
        elif isinstance(message, PasiExitDateSync):
            syncs.append(_sync(message, created))
        elif record.dead_letter:
            dead.append(_dead_letter(record))
    found = ((t.alert_events, None, transitions), (t.syncs, "sync_id", syncs), (t.dead_letters, "message_id", dead))
    return [(table, key, rows) for table, key, rows in found if rows]


def _transition(alert: CoreAlert) -> dict[str, Any]:
    return {
        "alert_id": alert.alert_id,
        "status": alert.status,
        "source_event_id": alert.source_event_id,
        "occurred_at": alert.occurred_at,
    }


def _sync(sync: PasiExitDateSync, created: datetime) -> dict[str, Any]:
    return {
        "sync_id": sync.sync_id,
        "action": sync.action,
        "asn": sync.asn,
        "school_code": sync.school_code,
        "enrolment_kind": sync.enrolment_kind,
        "exit_date": sync.exit_date,
        "exit_code": sync.exit_code,
        "reason": sync.reason,
        "source_event_id": sync.source_event_id,
        "occurred_at": sync.occurred_at,
        "created_at": created,
    }


def _dead_letter(record: OutboxRecord) -> dict[str, Any]:
    headers = {name: value.decode("utf-8", "replace") for name, value in record.headers}
    return {
        "message_id": record.message_id,
        "topic": record.topic,
        "source_topic": headers.get("source.topic", ""),
        "source_partition": int(headers.get("source.partition", -1)),
        "source_offset": int(headers.get("source.offset", -1)),
        "key": None if record.key is None else _printable(record.key.decode("utf-8", "backslashreplace"), 200),
        "value_size": len(record.value),
        "error_class": _printable(headers.get("error.class", ""), 200),
        "error_message": _printable(headers.get("error.message", ""), 4000),
        "failed_at": datetime.fromisoformat(headers["failed_at"]),
    }


def _printable(text: str, limit: int) -> str:
    """Text a database column takes: control characters (PostgreSQL refuses NUL) written as escapes, cut to fit."""
    if not text.isprintable():
        text = "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)
    return text[:limit]
