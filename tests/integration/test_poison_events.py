"""An event the database or a rule cannot take costs one dead letter, never the service."""

from datetime import UTC, date, datetime, timedelta

import psycopg
import pytest

import consumer.runtime.service
from schemas.codec import AvroCodec
from schemas.events import EventBase
from tests.support.events import asn, event, exited
from tests.support.running import publish, read_topic, run_cli, run_service
from tests.support.service_parts import assemble

DAY = date(2026, 3, 2)
LONGEST = "X" * 200  # the contract's longest course code and section id


def _with_changes(message: EventBase, **payload_changes) -> tuple[bytes, bytes]:
    """A record whose Avro is well formed but whose payload strings are changed after validation."""
    datum = message.model_dump()
    datum["payload"] = (f"pasi.concurrent.{message.event_type}Payload", datum["payload"] | payload_changes)
    return message.key.encode(), AvroCodec().encode("EnrollmentChanged", datum)


def _dead_letters(settings) -> list[dict[str, str]]:
    records = read_topic(settings, settings.dead_letter_topic(settings.topic_enrollment_changed), decode=False)
    return [{name: value.decode() for name, value in r.headers} for r in records]


def _later_exits(count: int) -> list:
    return [exited("1234", "PRIMARY", DAY, asn=asn(500 + i)) for i in range(count)]


def test_strings_with_a_nul_character_are_dead_lettered_and_the_events_after_them_processed(make_settings, db_url):
    settings = make_settings(state_db_url=db_url)
    started = event("PrimaryEnrolmentStarted", "1234", {"entry_date": DAY, "grade": "10"}, asn=asn(1))
    enrolled = event(
        "CourseEnrolled", "1234",
        {"course_code": "MAT1791", "section_id": "C1", "term_id": 3500, "entry_date": DAY, "course_type": "REG"},
        asn=asn(2),
    )
    later = _later_exits(20)
    publish(settings, settings.topic_enrollment_changed, [],
            raw=[_with_changes(started, grade="1\x000"), _with_changes(enrolled, course_code="MAT\x001791")])
    publish(settings, settings.topic_enrollment_changed, later)

    assert run_service(settings) == 0

    letters = _dead_letters(settings)
    assert [letter["error.class"] for letter in letters] == ["InvalidMessage", "InvalidMessage"]
    assert all("control character" in letter["error.message"] for letter in letters)
    syncs = read_topic(settings, settings.topic_pasi_exit_date_sync)
    assert sorted(s.source_event_id for s in syncs) == sorted(e.event_id for e in later)


def test_an_alert_about_the_longest_course_code_and_section_is_stored_and_published(make_settings, db_url):
    settings = make_settings(state_db_url=db_url)
    home, away, student = "1001", "2001", asn(3)
    september = date(2025, 9, 2)
    at = datetime(2025, 9, 2, 15, 0, tzinfo=UTC)
    course = {"course_code": LONGEST, "section_id": LONGEST}

    def happens(event_type, school, payload, when=None):
        nonlocal at
        at = when or at + timedelta(minutes=1)
        return event(event_type, school, payload, asn=student, at=at)

    events = [
        happens("PrimaryEnrolmentStarted", home, {"entry_date": september, "grade": "10"}),
        happens("ConcurrentEnrolmentStarted", away, {"entry_date": september, "grade": "10", "home_school_code": home}),
        happens("CourseEnrolled", away, course | {"term_id": 3500, "entry_date": september, "course_type": "REG"}),
        happens("SchoolEnrolmentExited", home, {
            "enrolment_kind": "PRIMARY", "exit_date": DAY, "exit_code": None, "reason": "TRANSFER_OUT",
            "continuing_at_school_code": away,
        }, when=datetime(2026, 3, 2, 16, 0, tzinfo=UTC)),
        happens("CourseExited", away, course | {"exit_date": DAY}),
        happens("SchoolEnrolmentExited", away, {
            "enrolment_kind": "CONCURRENT", "exit_date": DAY, "exit_code": None, "reason": "TRANSFER_OUT",
            "continuing_at_school_code": None,
        }),
        happens("StudentReEnrolled", away, {"entry_date": DAY, "grade": "10"}),
        # another student's event at the grace deadline moves event time past it
        event("PrimaryEnrolmentStarted", "9999", {"entry_date": DAY, "grade": "10"}, asn=asn(4),
              at=datetime(2026, 3, 3, 8, 0, tzinfo=UTC)),
    ]
    publish(settings, settings.topic_enrollment_changed, events)

    assert run_service(settings) == 0

    alerts = read_topic(settings, settings.topic_core_alerts)
    missing = [a for a in alerts if a.code == "COURSE_REENROLMENT_MISSING"]
    assert len(missing) == 1 and missing[0].details["course_code"] == LONGEST
    assert not _dead_letters(settings)


@pytest.mark.slow
def test_a_rule_that_fails_on_one_event_costs_that_event_a_dead_letter_and_nothing_else(
    make_settings, db_url, monkeypatch
):
    settings = make_settings(state_db_url=db_url, max_poll_records=50)
    events = _later_exits(40)
    victim = events[17]
    handle_event = consumer.runtime.service.handle_event

    def failing_for_the_victim(state, message, policy, partition):
        if message.event_id == victim.event_id:
            raise ZeroDivisionError(f"rule bug while handling {message.asn}")
        return handle_event(state, message, policy, partition)

    monkeypatch.setattr(consumer.runtime.service, "handle_event", failing_for_the_victim)
    publish(settings, settings.topic_enrollment_changed, events)

    assert run_service(settings) == 0
    assert run_service(settings) == 0  # a second run re-reads nothing and dead-letters nothing again

    letters = _dead_letters(settings)
    assert len(letters) == 1
    assert letters[0]["error.class"] == "ZeroDivisionError"
    assert victim.asn not in letters[0]["error.message"] and victim.asn[-3:] in letters[0]["error.message"]
    syncs = read_topic(settings, settings.topic_pasi_exit_date_sync)
    assert sorted(s.source_event_id for s in syncs) == sorted(e.event_id for e in events if e is not victim)
    print(f"figures: rule failing on 1 of {len(events)} events: 1 dead letter, {len(syncs)} syncs, 0 lost")


@pytest.mark.slow
def test_an_event_dead_lettered_for_a_failure_is_applied_when_replayed_after_the_fix(
    make_settings, db_url, monkeypatch
):
    settings = make_settings(state_db_url=db_url, max_poll_records=50)
    events = _later_exits(6)
    victim = events[3]
    handle_event = consumer.runtime.service.handle_event

    def failing_for_the_victim(state, message, policy, partition):
        if message.event_id == victim.event_id:
            raise ZeroDivisionError("rule bug")
        return handle_event(state, message, policy, partition)

    monkeypatch.setattr(consumer.runtime.service, "handle_event", failing_for_the_victim)
    publish(settings, settings.topic_enrollment_changed, events)
    assert run_service(settings) == 0
    monkeypatch.undo()  # the fix

    result = run_cli(settings, "dlq", "replay", settings.topic_enrollment_changed)
    assert result.returncode == 0, result.stderr
    assert run_service(settings) == 0

    syncs = read_topic(settings, settings.topic_pasi_exit_date_sync)
    assert sorted(s.source_event_id for s in syncs) == sorted(e.event_id for e in events)


def test_an_event_the_database_refuses_is_dead_lettered_and_the_rest_of_its_batch_processed(
    make_settings, postgres_url
):
    settings = make_settings(state_db_url=postgres_url, max_poll_records=50)
    events = _later_exits(40)
    refused = events[29]
    assemble(settings).close()  # migrated: the trigger needs the table
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute(f"""
            CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.asn = '{refused.asn}' THEN RAISE EXCEPTION 'refused enrolment of %', NEW.asn; END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER refuse BEFORE INSERT OR UPDATE ON enrolments FOR EACH ROW EXECUTE FUNCTION refuse();
        """)
    publish(settings, settings.topic_enrollment_changed, events)

    assert run_service(settings) == 0

    letters = _dead_letters(settings)
    assert len(letters) == 1
    assert letters[0]["error.class"] == "ProgrammingError"
    message = letters[0]["error.message"]
    assert "refused enrolment of" in message and refused.asn not in message and "parameters" not in message
    syncs = read_topic(settings, settings.topic_pasi_exit_date_sync)
    assert sorted(s.source_event_id for s in syncs) == sorted(e.event_id for e in events if e is not refused)
    print(f"figures: database refusing 1 of {len(events)} events: 1 dead letter, {len(syncs)} syncs, 0 lost")

