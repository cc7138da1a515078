"""Deadlines in a group of consumers fire as they would in one consumer reading every partition.

Each process takes the watermark of its own partitions: another process's partitions may be days
ahead of events it has still to read. Once it has read its partitions to their end, it fires the
deadlines the group's event time has passed. Driven through the service on a real database, one
`process` call per batch as the loop makes them, with the partitions each process would own.
"""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from consumer.runtime.records import InputRecord
from consumer.store import tables
from tests.support.events import asn, event, exited
from tests.support.running import CODEC
from tests.support.service_parts import assemble

DAY = date(2026, 3, 2)
AT = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
ANN, BEN, CAL = asn(1), asn(2), asn(3)


def _enrolled(student: str, home: str, concurrent: str) -> list:
    """A primary enrolment at `home` since September and a concurrent one at `concurrent`."""
    return [
        event("PrimaryEnrolmentStarted", home, {"entry_date": date(2025, 9, 2), "grade": "10"}, asn=student,
              at=AT - timedelta(days=150)),
        event("ConcurrentEnrolmentStarted", concurrent,
              {"entry_date": date(2025, 9, 9), "grade": "10", "home_school_code": home}, asn=student,
              at=AT - timedelta(days=140)),
    ]


def _student_year():
    """Ann transfers out of 1001 to continue at 2001 and is re-enrolled there two hours later, well
    inside the one-day grace; Cal leaves 1002 and nothing follows, so his R9 check fires."""
    ann = [
        *_enrolled(ANN, "1001", "2001"),
        exited("1001", "PRIMARY", DAY, reason="TRANSFER_OUT", continuing_at="2001", at=AT, asn=ANN),
        exited("2001", "CONCURRENT", DAY, reason="TRANSFER_OUT", at=AT + timedelta(minutes=5), asn=ANN),
        event("StudentReEnrolled", "2001", {"entry_date": DAY, "grade": "10"}, asn=ANN, at=AT + timedelta(hours=2)),
    ]
    cal = [
        *_enrolled(CAL, "1002", "2002"),
        exited("1002", "PRIMARY", DAY, at=AT + timedelta(minutes=1), asn=CAL),
    ]
    later = event("PrimaryEnrolmentStarted", "1003", {"entry_date": date(2026, 3, 5), "grade": "10"}, asn=BEN,
                  at=AT + timedelta(days=3))
    return ann, cal, later


def _records(settings, events, partition: int, first_offset: int = 0) -> list[InputRecord]:
    topic = settings.topic_enrollment_changed
    return [
        InputRecord(topic, partition, first_offset + n, e.key.encode(), CODEC.encode(e), e)
        for n, e in enumerate(events)
    ]


def _outputs(parts) -> dict[str, bytes]:
    with parts.database.engine.connect() as connection:
        rows = connection.execute(select(tables.outbox.c.message_id, tables.outbox.c.value)).all()
    return {row.message_id: bytes(row.value) for row in rows}


def _alerts(parts) -> dict[str, tuple]:
    with parts.database.engine.connect() as connection:
        rows = connection.execute(select(tables.alerts)).all()
    return {row.alert_id: (row.code, row.status, row.asn) for row in rows}


def test_two_processes_fire_deadlines_as_one_process_does(make_settings, db_url, make_postgres_url, tmp_path):
    ann, cal, later = _student_year()

    one = assemble(make_settings(state_db_url=db_url), create_topics=False)
    merged = sorted(_records(one.settings, ann, 0) + _records(one.settings, cal, 0, 10)
                    + _records(one.settings, [later], 1), key=lambda r: r.message.occurred_at)
    one.service.process(merged)  # one process, every partition, in event-time order

    other_url = make_postgres_url() if db_url.startswith("postgresql") else f"sqlite:///{tmp_path / 'two.db'}"
    two = assemble(make_settings(state_db_url=other_url), create_topics=False)
    topic = two.settings.topic_enrollment_changed
    first, second = {(topic, 0)}, {(topic, 1)}
    # Process B reads the other partition first, days ahead of process A's partition ...
    two.service.process(_records(two.settings, [later], 1), {1}, second)
    # ... then A reads its students: Ann's re-enrolment comes before her grace deadline on A's clock.
    two.service.process(_records(two.settings, ann[:3], 0), {0}, first)
    two.service.process(_records(two.settings, ann[3:] + cal, 0, 3), {0}, first)
    assert not [a for a in _alerts(two).values() if a[0] == "REENROLMENT_MISSING"], "fired ahead of Ann's events"
    # A has read its partition to its end: Cal's R9 check is past the group's event time and fires.
    fired = two.service.fire_group_deadlines({0})
    assert sum(fired.alerts.values()) >= 1
    assert two.service.fire_group_deadlines({0}).alerts == {}, "fired once only"

    assert _alerts(two) == _alerts(one)
    assert ("CONCURRENT_WITHOUT_PRIMARY", "RAISED", CAL) in _alerts(one).values()
    assert _outputs(two) == _outputs(one)
    one.close()
    two.close()
