"""Loading the state a batch needs with a few set-based queries, never one query per event."""

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Column, Row, Table, any_, bindparam, func, or_, select, tuple_
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
from consumer.domain.reads import (
    ACTIVE_PAIRS,
    COURSE_ALERTS,
    COURSE_ENROLMENTS,
    ENROLMENTS,
    GRADES,
    SCHOOL_TERMS,
    SECTIONS,
    SETUP_ALERTS,
    STUDENT_ALERTS,
    TERM_ALERTS,
    TRANSFERS,
    LoadRequest,
    course_types,
)
from consumer.domain.rules import EVERY_READ, reads_for
from consumer.domain.state import State
from consumer.store import tables as t
from consumer.store.rows import from_rows

CHUNK = 2_000  # bound parameters per IN list
V = TypeVar("V")


def chunks(values: Iterable[V], size: int = CHUNK) -> Iterator[list[V]]:
    batch: list[V] = []
    for value in values:
        batch.append(value)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def column_in(connection: Connection, column: Column[Any], values: list[Any]) -> ColumnElement[bool]:
    """`column IN values`; on PostgreSQL `column = ANY(array)`, the list one bound parameter. An IN
    list renders a placeholder per value, and the driver re-parses that long statement on every
    execution."""
    if connection.dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(list(values))


def _select_in(
    connection: Connection, table: Table, column: Column[Any], values: Iterable[Any], *where: ColumnElement[bool]
) -> list[Row[Any]]:
    rows: list[Row[Any]] = []
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
        latest: datetime | None = connection.execute(select(func.max(w.occurred_at))).scalar()
        return latest
    marks = [at for topic, partition, at in connection.execute(select(w.topic, w.partition, w.occurred_at))
             if (topic, partition) in owned]
    return max(marks, default=None)


def load_state(connection: Connection, request: LoadRequest) -> State:
    """The state for `request`: of each kind of fact its reads declare (every kind without a declaration), the
    rows of the keys it names; the deadlines due by its horizon add their students and their rules' reads."""
    state = State(watermark(connection, request.owned))
    reads = EVERY_READ if request.reads is None else request.reads
    asns, schools, courses = set(request.asns), set(request.schools), set(request.courses)

    horizon = max(filter(None, (state.watermark, request.deadline_horizon)), default=None)
    if horizon is not None and request.deadlines:
        where = [t.deadlines.c.due_at <= horizon]
        if request.partitions is not None:
            partition = t.deadlines.c.partition
            where.append(or_(partition.in_(sorted(request.partitions)), partition.is_(None)))
        due = from_rows(Deadline, connection.execute(select(t.deadlines).where(*where)))
        state.load(due)
        asns |= {x.asn for x in due}
        reads |= reads_for({x.kind for x in due})

    alerts: dict[str, Alert] = {}
    a = t.alerts.c
    if COURSE_ALERTS in reads and request.scheduled:
        query = select(t.alerts).where(
            a.code == CHALLENGE_COURSE_INCOMPLETE.code, a.status == RAISED,
            tuple_(a.school_code, a.subject).in_(sorted(request.scheduled)),
        )
        for alert in from_rows(Alert, connection.execute(query)):
            alerts[alert.alert_key] = alert
            if alert.asn is not None:
                asns.add(alert.asn)
    if TERM_ALERTS in reads and request.configured:
        query = select(t.alerts).where(
            a.code == TERM_ID_MISMATCH.code, a.status == RAISED,
            tuple_(a.home_school_code, a.school_year_id).in_(sorted(request.configured)),
        )
        for alert in from_rows(Alert, connection.execute(query)):
            alerts[alert.alert_key] = alert
    setup_schools = set(request.setup_schools) | {school for school, _ in request.configured}
    if ACTIVE_PAIRS in reads and request.configured:
        state.pair_counts = _active_pairs(connection, sorted({school for school, _ in request.configured}))
        for home, school in state.pair_counts:
            schools |= {home, school}
            setup_schools.add(school)
    if SETUP_ALERTS in reads and setup_schools:
        rows = _select_in(connection, t.alerts, a.school_code, setup_schools, a.code == SCHOOL_SETUP_MISMATCH.code)
        for alert in from_rows(Alert, rows):
            alerts[alert.alert_key] = alert

    student = _StudentRows(connection, asns)
    enrolments = student.read(ENROLMENTS in reads, Enrolment, t.enrolments)
    course_enrolments = student.read(COURSE_ENROLMENTS in reads, CourseEnrolment, t.course_enrolments)
    grades = _grades(student, course_types(reads, GRADES))
    transfers = student.read(TRANSFERS in reads, Transfer, t.transfers)
    for alert in student.read(STUDENT_ALERTS in reads, Alert, t.alerts):
        alerts[alert.alert_key] = alert

    for enrolment in enrolments:
        schools.add(enrolment.school_code)
        if enrolment.home_school_code:
            schools.add(enrolment.home_school_code)
    schools |= {transfer.from_school_code for transfer in transfers}
    terms = []
    if SCHOOL_TERMS in reads:
        terms = from_rows(SchoolTerms, _select_in(connection, t.school_terms, t.school_terms.c.school_code, schools))

    courses |= {(ce.school_code, ce.course_code) for ce in course_enrolments if ce.course_type == "CHA"}
    courses |= {(x.school_code, x.subject) for x in alerts.values() if x.code == CHALLENGE_COURSE_INCOMPLETE.code}
    sections: list[Section] = []
    s = t.sections.c
    for part in chunks(sorted(courses) if SECTIONS in reads else []):
        sections += from_rows(
            Section, connection.execute(select(t.sections).where(tuple_(s.school_code, s.course_code).in_(part)))
        )

    for records in (enrolments, course_enrolments, grades, transfers, terms, sections, alerts.values()):
        state.load(records)
    return state


def _active_pairs(connection: Connection, schools: list[str]) -> dict[tuple[str, str], int]:
    """How many active concurrent enrolments each (home, school) pair involving one of `schools` has."""
    e = t.enrolments.c
    pairs = connection.execute(
        select(e.home_school_code, e.school_code, func.count())
        .where(e.kind == CONCURRENT, e.status == ACTIVE)
        .where(or_(e.school_code.in_(schools), e.home_school_code.in_(schools)))
        .group_by(e.home_school_code, e.school_code)
    ).all()
    return {(home, school): count for home, school, count in pairs}


class _StudentRows:
    """Rows of the tables keyed by student, for a set of students."""

    def __init__(self, connection: Connection, asns: set[str]):
        self.connection = connection
        self.asns = asns

    def read(self, wanted: bool, cls: type[V], table: Table, *where: ColumnElement[bool]) -> list[V]:
        if not wanted:
            return []
        return from_rows(cls, _select_in(self.connection, table, table.c.asn, self.asns, *where))


def _grades(student: _StudentRows, types: frozenset[str] | None) -> list[StoredGrade]:
    """The students' stored grades of `types` (None: of every type)."""
    if types is None:
        return student.read(True, StoredGrade, t.stored_grades)
    return student.read(bool(types), StoredGrade, t.stored_grades, t.stored_grades.c.course_type.in_(sorted(types)))


def processed(connection: Connection, event_ids: Iterable[str]) -> dict[str, str | None]:
    """The ids among `event_ids` that a committed batch has handled, with the fingerprint of what each said
    (None for ids processed before fingerprints were kept)."""
    p = t.processed_events.c
    found: dict[str, str | None] = {}
    for part in chunks(sorted(set(event_ids))):
        query = select(p.event_id, p.fingerprint).where(column_in(connection, p.event_id, part))
        found.update((event_id, fingerprint) for event_id, fingerprint in connection.execute(query))
    return found


__all__ = ["LoadRequest", "load_state", "processed", "watermark"]
