"""End-of-Year runs in the store: one row per run id, a cursor over students, set-based candidates."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, or_, select, union, update
from sqlalchemy.engine import Connection

from consumer.domain.model import ACTIVE, CONCURRENT, PRIMARY, RAISED, EndOfYearRun, Enrolment
from consumer.store import tables as t
from consumer.store.rows import from_rows
from consumer.store.writer import _insert


def insert_runs(connection: Connection, runs: list[EndOfYearRun]) -> int:
    """Record new runs; a run id already recorded (a re-delivered broadcast) is left as it is."""
    inserted = 0
    now = datetime.now(UTC)
    for run in runs:
        statement = (
            _insert(connection, t.eoy_runs)
            .on_conflict_do_nothing(index_elements=["run_id"])
            .returning(t.eoy_runs.c.run_id)
        )
        result = connection.execute(
            statement,
            {
                "run_id": run.run_id,
                "event_id": run.event_id,
                "school_year_id": run.school_year_id,
                "closed_on": run.closed_on,
                "school_codes": sorted(run.school_codes),
                "exit_code": run.exit_code,
                "occurred_at": run.occurred_at,
                "status": "RUNNING",
                "cursor_asn": "",
                "closed_count": 0,
                "started_at": now,
            },
        )
        inserted += len(result.all())  # no row back: the run id was already recorded
    return inserted


def next_running(connection: Connection) -> EndOfYearRun | None:
    row = connection.execute(
        select(t.eoy_runs).where(t.eoy_runs.c.status == "RUNNING").order_by(t.eoy_runs.c.occurred_at).limit(1)
    ).first()
    if row is None:
        return None
    return EndOfYearRun(
        run_id=row.run_id,
        event_id=row.event_id,
        school_year_id=row.school_year_id,
        closed_on=row.closed_on,
        school_codes=frozenset(row.school_codes),
        exit_code=row.exit_code,
        occurred_at=row.occurred_at,
        status=row.status,
        cursor_asn=row.cursor_asn,
        closed_count=row.closed_count,
    )


def candidate_asns(connection: Connection, run: EndOfYearRun, limit: int) -> list[str]:
    """The next students after the cursor with an active concurrent enrolment or a CHA course of the year in
    scope: by its school, or (as R4) by the student's home school."""
    e, c = t.enrolments.c, t.course_enrolments.c
    scope = sorted(run.school_codes)
    enrolled = select(e.asn).where(e.kind == CONCURRENT, e.status == ACTIVE, e.asn > run.cursor_asn)
    challenged = select(c.asn).where(
        c.course_type == "CHA",
        c.term_id >= run.school_year_id * 100,
        c.term_id < (run.school_year_id + 1) * 100,
        c.asn > run.cursor_asn,
    )
    if scope:
        enrolled = enrolled.where(or_(e.school_code.in_(scope), e.home_school_code.in_(scope)))
        at_home_in_scope = select(e.asn).where(
            or_(e.home_school_code.in_(scope), and_(e.kind == PRIMARY, e.school_code.in_(scope)))
        )
        challenged = challenged.where(or_(c.school_code.in_(scope), c.asn.in_(at_home_in_scope)))
    first = enrolled.order_by(e.asn).limit(limit).subquery()
    second = challenged.order_by(c.asn).limit(limit).subquery()
    both = union(select(first.c.asn), select(second.c.asn)).subquery()
    return list(connection.execute(select(both.c.asn).order_by(both.c.asn).limit(limit)).scalars())


def active_concurrent(connection: Connection, asns: list[str]) -> list[Enrolment]:
    """The active concurrent enrolments of `asns`, by student and school."""
    e = t.enrolments.c
    statement = (
        select(t.enrolments)
        .where(e.asn.in_(asns), e.kind == CONCURRENT, e.status == ACTIVE)
        .order_by(e.asn, e.school_code)
    )
    return from_rows(Enrolment, connection.execute(statement).all())


def with_more_to_judge(connection: Connection, run: EndOfYearRun, asns: list[str]) -> set[str]:
    """Those of `asns` with a raised alert or a CHA course enrolment of the run's year: closing them asks
    more of the rules (R3's marks, R8 and R9 resolving) than closing their enrolments."""
    a, c = t.alerts.c, t.course_enrolments.c
    raised = select(a.asn).where(a.asn.in_(asns), a.status == RAISED)
    challenged = select(c.asn).where(
        c.asn.in_(asns),
        c.course_type == "CHA",
        c.term_id >= run.school_year_id * 100,
        c.term_id < (run.school_year_id + 1) * 100,
    )
    return set(connection.execute(union(raised, challenged)).scalars())


def change_active_concurrent(connection: Connection, asns: list[str], changes: dict[str, Any]) -> None:
    """Every active concurrent enrolment of `asns` changed alike, in one statement."""
    e = t.enrolments.c
    connection.execute(
        update(t.enrolments).where(e.asn.in_(asns), e.kind == CONCURRENT, e.status == ACTIVE).values(**changes)
    )


def advance(connection: Connection, run: EndOfYearRun, cursor_asn: str, closed: int) -> None:
    connection.execute(
        update(t.eoy_runs)
        .where(t.eoy_runs.c.run_id == run.run_id)
        .values(cursor_asn=cursor_asn, closed_count=t.eoy_runs.c.closed_count + closed)
    )


def finish(connection: Connection, run: EndOfYearRun) -> None:
    connection.execute(
        update(t.eoy_runs)
        .where(and_(t.eoy_runs.c.run_id == run.run_id))
        .values(status="DONE", finished_at=datetime.now(UTC))
    )
