"""Loading the state a batch needs with a few set-based queries, never one query per event."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import any_, bindparam, func, or_, select, tuple_
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from consumer.domain.alerts import CHALLENGE_COURSE_INCOMPLETE, SCHOOL_SETUP_MISMATCH, TERM_ID_MISMATCH
from consumer.domain.model import (
    ACTIVE,
    CONCURRENT,
    RAISED,
    Alert,
    CourseEnrolment,
    Deadline,
    Enrolment,
    SchoolTerms,
    Section,
    StoredGrade,
    Transfer,
)
from consumer.domain.state import State
from consumer.store import tables as t
from consumer.store.rows import from_rows

CHUNK = 2_000  # bound parameters per IN list


@dataclass
class LoadRequest:
    """What a batch touches; the loader widens it to everything the rules may read."""

    asns: set[str] = field(default_factory=set)
    schools: set[str] = field(default_factory=set)
    configured: set[tuple[str, int]] = field(default_factory=set)  # SchoolTermsConfigured (school, year)
    scheduled: set[tuple[str, str]] = field(default_factory=set)  # SectionScheduled (school, course)
    courses: set[tuple[str, str]] = field(default_factory=set)  # (school, course) whose sections matter
    setup_schools: set[str] = field(default_factory=set)  # schools whose R2 alerts matter
    deadline_horizon: datetime | None = None
    partitions: set[int] | None = None  # deadlines of these input partitions only (None: all)
    # the (topic, partition)s whose event time this process has seen: the watermark is theirs (None: all)
    owned: set[tuple[str, int]] | None = None
    deadlines: bool = True  # load the deadlines due by the horizon


def chunks(values: Iterable, size: int = CHUNK) -> Iterator[list]:
    batch = []
    for value in values:
        batch.append(value)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def column_in(connection: Connection, column, values: list) -> ColumnElement:
    """`column IN values`; on PostgreSQL `column = ANY(array)`, the list one bound parameter. An IN
    list renders a placeholder per value, and the driver re-parses that long statement on every
    execution."""
    if connection.dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(list(values))


def _select_in(connection: Connection, table, column, values, *where) -> list:
    rows = []
    for part in chunks(sorted(values)):
        rows += connection.execute(select(table).where(column_in(connection, column, part), *where)).all()
    return rows


def watermark(connection: Connection, owned: set[tuple[str, int]] | None = None) -> datetime | None:
    """The latest event time seen on `owned` input partitions (all of them with None).

    A process of a group takes the watermark of its own partitions only: another process's partitions
    may be ahead of events it has still to read, and a deadline fired on their time would come before
    events a single process would have handled first (see Service.fire_group_deadlines)."""
    w = t.watermarks.c
    if owned is None:
        return connection.execute(select(func.max(w.occurred_at))).scalar()
    marks = [at for topic, partition, at in connection.execute(select(w.topic, w.partition, w.occurred_at))
             if (topic, partition) in owned]
    return max(marks, default=None)


def load_state(connection: Connection, request: LoadRequest) -> State:
    state = State(watermark(connection, request.owned))
    asns = set(request.asns)
    schools = set(request.schools)

    horizon = max(filter(None, (state.watermark, request.deadline_horizon)), default=None)
    if horizon is not None and request.deadlines:
        where = [t.deadlines.c.due_at <= horizon]
        if request.partitions is not None:
            partition = t.deadlines.c.partition
            where.append(or_(partition.in_(sorted(request.partitions)), partition.is_(None)))
        due = from_rows(Deadline, connection.execute(select(t.deadlines).where(*where)))
        state.load(due)
        asns |= {x.asn for x in due}

    alerts: dict[str, Alert] = {}
    a = t.alerts.c
    for school, course in request.scheduled:
        query = select(t.alerts).where(
            a.code == CHALLENGE_COURSE_INCOMPLETE.code, a.status == RAISED, a.school_code == school, a.subject == course
        )
        for alert in from_rows(Alert, connection.execute(query)):
            alerts[alert.alert_key] = alert
            asns.add(alert.asn)
    setup_schools = set(request.setup_schools)
    if request.configured:
        for school, year in request.configured:
            query = select(t.alerts).where(
                a.code == TERM_ID_MISMATCH.code,
                a.status == RAISED,
                a.home_school_code == school,
                a.school_year_id == year,
            )
            for alert in from_rows(Alert, connection.execute(query)):
                alerts[alert.alert_key] = alert
        configured_schools = sorted({school for school, _ in request.configured})
        e = t.enrolments.c
        pairs = connection.execute(
            select(e.home_school_code, e.school_code, func.count())
            .where(
                e.kind == CONCURRENT,
                e.status == ACTIVE,
                or_(e.school_code.in_(configured_schools), e.home_school_code.in_(configured_schools)),
            )
            .group_by(e.home_school_code, e.school_code)
        ).all()
        state.pair_counts = {(home, school): count for home, school, count in pairs}
        for home, school in state.pair_counts:
            schools |= {home, school}
            setup_schools.add(school)
        setup_schools |= set(configured_schools)
    if setup_schools:
        rows = _select_in(connection, t.alerts, a.school_code, setup_schools, a.code == SCHOOL_SETUP_MISMATCH.code)
        for alert in from_rows(Alert, rows):
            alerts[alert.alert_key] = alert

    asns.discard(None)
    enrolments = from_rows(Enrolment, _select_in(connection, t.enrolments, t.enrolments.c.asn, asns))
    course_enrolments = from_rows(
        CourseEnrolment, _select_in(connection, t.course_enrolments, t.course_enrolments.c.asn, asns)
    )
    grades = from_rows(
        StoredGrade,
        _select_in(connection, t.stored_grades, t.stored_grades.c.asn, asns, t.stored_grades.c.course_type == "CHA"),
    )
    transfers = from_rows(Transfer, _select_in(connection, t.transfers, t.transfers.c.asn, asns))
    for alert in from_rows(Alert, _select_in(connection, t.alerts, a.asn, asns)):
        alerts[alert.alert_key] = alert

    for enrolment in enrolments:
        schools.add(enrolment.school_code)
        if enrolment.home_school_code:
            schools.add(enrolment.home_school_code)
    schools |= {transfer.from_school_code for transfer in transfers}
    terms = from_rows(SchoolTerms, _select_in(connection, t.school_terms, t.school_terms.c.school_code, schools))

    courses = set(request.courses)
    courses |= {(ce.school_code, ce.course_code) for ce in course_enrolments if ce.course_type == "CHA"}
    courses |= {(x.school_code, x.subject) for x in alerts.values() if x.code == CHALLENGE_COURSE_INCOMPLETE.code}
    sections = []
    s = t.sections.c
    for part in chunks(sorted(courses)):
        sections += from_rows(
            Section, connection.execute(select(t.sections).where(tuple_(s.school_code, s.course_code).in_(part)))
        )

    state.load(enrolments)
    state.load(course_enrolments)
    state.load(grades)
    state.load(transfers)
    state.load(terms)
    state.load(sections)
    state.load(alerts.values())
    return state


def processed(connection: Connection, event_ids: Iterable[str]) -> dict[str, str | None]:
    """The ids among `event_ids` that a committed batch has handled, with the fingerprint of what each said
    (None for ids processed before fingerprints were kept)."""
    p = t.processed_events.c
    found: dict[str, str | None] = {}
    for part in chunks(sorted(set(event_ids))):
        query = select(p.event_id, p.fingerprint).where(column_in(connection, p.event_id, part))
        found.update((event_id, fingerprint) for event_id, fingerprint in connection.execute(query))
    return found


def known_runs(connection: Connection, run_ids: Iterable[str]) -> set[str]:
    ids = sorted(set(run_ids))
    if not ids:
        return set()
    return set(connection.execute(select(t.eoy_runs.c.run_id).where(t.eoy_runs.c.run_id.in_(ids))).scalars())


__all__ = ["LoadRequest", "load_state", "processed", "known_runs", "watermark"]
