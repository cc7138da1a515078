"""What the console reads is written by the service itself: alert transitions, syncs and dead letters in the
batch's transaction, acknowledgements by the relay, partition positions by the running consumer."""

from datetime import date, timedelta

import pytest

from consumer.runtime.records import InputRecord
from consumer.store import tables as t
from consumer.store.outbox import OutboxStore
from tests.support.console import console_settings
from tests.support.events import event, exited
from tests.support.running import ServiceThread, publish
from tests.support.service_parts import assemble
from tests.support.waiting import wait_for

HOME, AWAY, STUDENT = "1111", "2222", "123456789"
SEPTEMBER = date(2025, 9, 2)


@pytest.fixture
def parts(db_url, tmp_path):
    found = assemble(console_settings(db_url, tmp_path), create_topics=False)
    yield found
    found.close()


def _rows(parts, table, *where) -> list:
    with parts.database.engine.connect() as connection:
        return connection.execute(table.select().where(*where)).all()


def _grade_then_home_terms() -> list:
    """A grade in a term the home school has not configured (TERM_ID_MISMATCH raised), then the home school
    configures it (resolved)."""
    first, last = date(2025, 9, 2), date(2026, 6, 26)
    terms = [{"term_id": 3501, "abbreviation": "S1", "first_day": first, "last_day": last}]
    return [
        event("PrimaryEnrolmentStarted", HOME, {"entry_date": SEPTEMBER, "grade": "10"}, asn=STUDENT),
        event("ConcurrentEnrolmentStarted", AWAY, {"entry_date": SEPTEMBER, "grade": "10", "home_school_code": HOME},
              asn=STUDENT),
        event("StoredGradePosted", AWAY, {"course_code": "MAT1791", "section_id": "1", "term_id": 3501, "mark": "80",
                                          "credits": 5, "course_type": "REG"}, asn=STUDENT),
        event("SchoolTermsConfigured", HOME, {"school_year_id": 35, "terms": terms, "is_summer_school": False}),
    ]


def test_an_alert_raised_and_resolved_in_one_batch_keeps_both_transitions_and_their_events(parts):
    events = _grade_then_home_terms()
    parts.process(events)

    [alert] = _rows(parts, t.alerts)
    assert (alert.code, alert.status) == ("TERM_ID_MISMATCH", "RESOLVED")
    steps = sorted(_rows(parts, t.alert_events, t.alert_events.c.alert_id == alert.alert_id),
                   key=lambda step: step.occurred_at)
    assert [(step.status, step.source_event_id) for step in steps] == [
        ("RAISED", events[2].event_id), ("RESOLVED", events[3].event_id),
    ]


def test_the_same_events_delivered_again_add_no_transition(parts):
    events = _grade_then_home_terms()
    parts.process(events)
    parts.process(events, partition=1)
    assert len(_rows(parts, t.alert_events)) == 2


def test_a_sync_is_kept_after_its_outbox_row_is_pruned_with_the_time_the_broker_acknowledged_it(parts):
    parts.process([
        event("PrimaryEnrolmentStarted", HOME, {"entry_date": SEPTEMBER, "grade": "10"}, asn=STUDENT),
        event("ConcurrentEnrolmentStarted", AWAY, {"entry_date": SEPTEMBER, "grade": "10", "home_school_code": HOME},
              asn=STUDENT),
        exited(HOME, "PRIMARY", date(2026, 3, 2), asn=STUDENT),
    ])
    [sync] = _rows(parts, t.syncs)
    assert (sync.action, sync.asn, sync.school_code, sync.sent_at) == ("EXIT", STUDENT, HOME, None)
    assert sync.created_at is not None

    outbox = OutboxStore(parts.database)
    [row] = _rows(parts, t.outbox, t.outbox.c.message_id == sync.sync_id)
    outbox.mark_sent([row.id])
    [acknowledged] = _rows(parts, t.syncs)
    assert acknowledged.sent_at is not None and acknowledged.sent_at >= sync.created_at

    assert outbox.prune(timedelta(0)) >= 1
    assert _rows(parts, t.outbox, t.outbox.c.message_id == sync.sync_id) == []
    assert _rows(parts, t.syncs) == [acknowledged]


def test_a_dead_letter_is_recorded_with_its_reason_and_where_it_came_from(parts):
    topic = parts.settings.topic_enrollment_changed
    parts.service.process([InputRecord(topic, 4, 99, b"key-1", b"\x01\x02", None, "DecodeError", "bad magic")])
    [letter] = _rows(parts, t.dead_letters)
    assert (letter.topic, letter.source_topic, letter.source_partition, letter.source_offset) == (
        parts.settings.dead_letter_topic(topic), topic, 4, 99,
    )
    assert (letter.key, letter.value_size, letter.error_class, letter.error_message) == (
        "key-1", 2, "DecodeError", "bad magic",
    )


def test_the_running_service_records_its_position_on_every_partition(make_settings):
    settings = make_settings(partitions_enrollment_changed=2)
    events = _grade_then_home_terms()
    publish(settings, settings.topic_enrollment_changed, events)
    with ServiceThread(settings) as service:
        database = service.runtime.database

        def caught_up() -> list:
            with database.engine.connect() as connection:
                rows = connection.execute(t.consumer_status.select()).all()
            read = {(row.topic, row.partition) for row in rows if row.lag == 0 and row.position == row.highwater}
            expected = {(settings.topic_enrollment_changed, p) for p in range(2)}
            expected.add((settings.topic_term_closed, 0))
            return rows if read == expected and any(row.last_batch_at for row in rows) else []

        rows = wait_for(caught_up, timeout_s=60, what="every partition recorded as read to its end")
    assert sum(row.position for row in rows if row.topic == settings.topic_enrollment_changed) == len(events)
    assert {row.member for row in rows} and all(":" in row.member for row in rows)
