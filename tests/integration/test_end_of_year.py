"""End of Year closes enrolments chunk by chunk, resumes where it stopped, and ignores a re-delivered run."""

import threading
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from consumer.runtime.end_of_year import EndOfYearRunner
from consumer.runtime.records import InputRecord
from consumer.store import tables
from schemas.term_closed import TermClosed
from tests.support.events import asn, event, exited, term_closed
from tests.support.running import CODEC
from tests.support.service_parts import assemble

STUDENTS = 1_200
STOPPED = threading.Event()
STOPPED.set()


def _enrol(parts) -> None:
    events = []
    for n in range(STUDENTS):
        student = asn(n)
        started = {"entry_date": date(2025, 9, 2), "grade": "10"}
        events.append(event("PrimaryEnrolmentStarted", "1001", started, asn=student))
        events.append(event(
            "ConcurrentEnrolmentStarted", "2001",
            {"entry_date": date(2025, 9, 9), "grade": "10", "home_school_code": "1001"}, asn=student,
        ))
    parts.process(events)


def _broadcast(parts, message) -> int:
    """The broadcast recorded; its End of Year left to the test's own runners (the service's is stopped)."""
    record = InputRecord(parts.settings.topic_term_closed, 0, 0, b"35", CODEC.encode(message), message)
    return parts.service.process([record], stop=STOPPED).runs_started


def _records(parts, messages: list) -> list[InputRecord]:
    """One batch as the consumer hands it over: each message on its topic, in the given (event-time) order."""
    topics = {TermClosed: parts.settings.topic_term_closed}
    return [
        InputRecord(topics.get(type(m), parts.settings.topic_enrollment_changed), 0, n, m.key.encode(),
                    CODEC.encode(m), m)
        for n, m in enumerate(messages)
    ]


def _syncs(parts) -> list[str]:
    with parts.database.engine.connect() as connection:
        ids = connection.execute(select(tables.outbox.c.message_id).where(
            tables.outbox.c.topic == parts.settings.topic_pasi_exit_date_sync)).scalars()
        return list(ids)


def _run_row(parts):
    with parts.database.engine.connect() as connection:
        return connection.execute(select(tables.eoy_runs)).one()


def test_end_of_year_resumes_after_stopping_midway_and_closes_each_enrolment_once(make_settings, db_url):
    parts = assemble(make_settings(state_db_url=db_url), create_topics=False)
    try:
        _enrol(parts)
        closing = term_closed(35, date(2026, 6, 30), run_id="eoy-35-resume")
        assert _broadcast(parts, closing) == 1

        stop, chunks = threading.Event(), []
        interrupted = EndOfYearRunner(parts.database, parts.service.policy, parts.service.encoder, chunk_size=250)
        interrupted.on_chunk = lambda: (chunks.append(1), len(chunks) == 2 and stop.set())
        assert interrupted.run_pending(stop) == 500
        row = _run_row(parts)
        assert (row.status, row.closed_count, row.cursor_asn) == ("RUNNING", 500, asn(499))

        resumed = EndOfYearRunner(parts.database, parts.service.policy, parts.service.encoder, chunk_size=250)
        assert resumed.run_pending() == STUDENTS - 500
        row = _run_row(parts)
        assert (row.status, row.closed_count) == ("DONE", STUDENTS)
        syncs = _syncs(parts)
        assert len(syncs) == len(set(syncs)) == STUDENTS

        with parts.database.engine.connect() as connection:
            closed = connection.execute(
                select(tables.enrolments.c.status, tables.enrolments.c.exit_code, tables.enrolments.c.exit_date)
                .where(tables.enrolments.c.kind == "CONCURRENT")
            ).all()
        assert set(closed) == {("EXITED", "10000", date(2026, 6, 30))}
    finally:
        parts.close()


def test_a_redelivered_broadcast_with_the_same_run_id_changes_nothing(make_settings, db_url):
    parts = assemble(make_settings(state_db_url=db_url), create_topics=False)
    try:
        _enrol(parts)
        runner = EndOfYearRunner(parts.database, parts.service.policy, parts.service.encoder, chunk_size=500)
        assert _broadcast(parts, term_closed(35, date(2026, 6, 30), run_id="eoy-35-once")) == 1
        assert runner.run_pending() == STUDENTS
        again = term_closed(35, date(2026, 6, 30), run_id="eoy-35-once", event_id=str(uuid.uuid4()),
                            at=datetime(2026, 7, 1, 9, 0, tzinfo=UTC))
        assert _broadcast(parts, again) == 0
        assert runner.run_pending() == 0
        assert len(_syncs(parts)) == STUDENTS
    finally:
        parts.close()


@pytest.mark.slow
def test_two_processes_running_the_same_end_of_year_close_each_enrolment_once(make_settings, db_url):
    """Every consumer process works through unfinished runs (at start and after a TermClosed): on a
    shared store two of them must not close the same chunk twice."""
    settings = make_settings(state_db_url=db_url)
    parts = assemble(settings, create_topics=False)
    other = assemble(settings, create_topics=False)  # a second process: a database connection of its own
    try:
        _enrol(parts)
        assert _broadcast(parts, term_closed(35, date(2026, 6, 30), run_id="eoy-35-two")) == 1
        runners = [
            EndOfYearRunner(p.database, p.service.policy, p.service.encoder, chunk_size=50) for p in (parts, other)
        ]
        closed = [0, 0]

        def work(n: int) -> None:
            closed[n] = runners[n].run_pending()

        threads = [threading.Thread(target=work, args=(n,)) for n in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        syncs = _syncs(parts)
        assert len(syncs) == len(set(syncs)) == STUDENTS
        assert sum(closed) == STUDENTS
        assert (_run_row(parts).status, _run_row(parts).closed_count) == ("DONE", STUDENTS)
    finally:
        other.close()
        parts.close()


def test_events_after_the_broadcast_in_the_same_batch_see_the_year_closed(make_settings, db_url):
    parts = assemble(make_settings(state_db_url=db_url, eoy_chunk_size=7), create_topics=False)
    try:
        students = [asn(n) for n in range(40)]
        late = asn(99)  # last in the run's cursor order
        before = [
            event(kind, school, payload, asn=student)
            for student in students + [late]
            for kind, school, payload in (
                ("PrimaryEnrolmentStarted", "1001", {"entry_date": date(2025, 9, 2), "grade": "10"}),
                ("ConcurrentEnrolmentStarted", "2001",
                 {"entry_date": date(2025, 9, 9), "grade": "10", "home_school_code": "1001"}),
            )
        ]
        after_the_broadcast = datetime(2026, 7, 1, 15, 0, tzinfo=UTC)
        batch = before + [
            term_closed(35, date(2026, 6, 30), run_id="eoy-35-in-place"),
            exited("2001", "CONCURRENT", date(2026, 6, 30), at=after_the_broadcast, asn=late),
            event("ConcurrentEnrolmentStarted", "2002",
                  {"entry_date": date(2026, 6, 15), "grade": "10", "home_school_code": "1001"}, asn=late,
                  at=after_the_broadcast + timedelta(minutes=1)),
        ]

        stats = parts.service.process(_records(parts, batch))

        assert stats.handled == len(batch)
        reasons = [(s.asn, s.school_code, s.reason) for s in map(CODEC.decode, _sync_values(parts))]
        assert reasons.count((late, "2001", "END_OF_YEAR")) == 1  # closed at the broadcast's place ...
        assert reasons.count((late, "2001", "WITHDRAWN")) == 1  # ... then its own exit, read after it
        assert (late, "2002", "END_OF_YEAR") not in reasons  # started after the broadcast: not closed
        assert len(reasons) == len(students) + 2
        assert _run_row(parts).status == "DONE"
    finally:
        parts.close()


def _sync_values(parts) -> list[bytes]:
    with parts.database.engine.connect() as connection:
        query = select(tables.outbox.c.value).where(tables.outbox.c.topic == parts.settings.topic_pasi_exit_date_sync)
        return list(connection.execute(query.order_by(tables.outbox.c.id)).scalars())


def _refuse_closing(parts, student: str) -> None:
    """The database refuses to store the given student's closed concurrent enrolment (a trigger)."""
    if parts.database.engine.dialect.name == "sqlite":
        statement = (
            "CREATE TRIGGER refuse_closing BEFORE UPDATE ON enrolments "
            f"WHEN NEW.asn = '{student}' AND NEW.status = 'EXITED' BEGIN SELECT RAISE(ABORT, 'refused'); END"
        )
    else:
        statement = (
            f"ALTER TABLE enrolments ADD CONSTRAINT refuse_closing CHECK (asn <> '{student}' OR status <> 'EXITED')"
        )
    with parts.database.engine.begin() as connection:
        connection.exec_driver_sql(statement)


@pytest.mark.slow
def test_a_student_end_of_year_cannot_close_is_set_aside_and_every_other_student_is_closed(make_settings, db_url):
    parts = assemble(make_settings(state_db_url=db_url), create_topics=False)
    try:
        _enrol(parts)
        _refuse_closing(parts, asn(300))
        assert _broadcast(parts, term_closed(35, date(2026, 6, 30), run_id="eoy-35-refused")) == 1

        runner = EndOfYearRunner(parts.database, parts.service.policy, parts.service.encoder, chunk_size=250)
        assert runner.run_pending() == STUDENTS - 1

        row = _run_row(parts)
        assert (row.status, row.closed_count) == ("DONE", STUDENTS - 1)
        assert len(set(_syncs(parts))) == STUDENTS - 1
    finally:
        parts.close()
