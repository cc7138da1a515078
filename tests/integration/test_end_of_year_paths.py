"""End of Year closes most students set-based and the rest through the rules: the outputs and the state are
exactly those of closing every student through the rules, on SQLite and PostgreSQL, with no broker."""

from datetime import date

import pytest
from sqlalchemy import select

from consumer.config.settings import Settings
from consumer.runtime.end_of_year import EndOfYearRunner
from consumer.store import tables
from tests.support.events import asn, event, exited, term_closed
from tests.support.service_parts import assemble

from .test_end_of_year import STOPPED, _broadcast

SCOPE = ["2001", "2002", "2003", "1001", "1002"]
STUDENTS = 160


def _primary(student, school="1001"):
    return event("PrimaryEnrolmentStarted", school, {"entry_date": date(2025, 9, 2), "grade": "10"}, student)


def _concurrent(student, school, home="1001", entry=date(2025, 9, 9)):
    payload = {"entry_date": entry, "grade": "10", "home_school_code": home}
    return event("ConcurrentEnrolmentStarted", school, payload, student)


def _challenge(student, school, with_mark: bool):
    course = {"course_code": "MAT1791", "section_id": "A", "term_id": 3501, "course_type": "CHA"}
    events = [event("CourseEnrolled", school, course | {"entry_date": date(2025, 9, 9)}, student)]
    if with_mark:
        events.append(event("StoredGradePosted", school, course | {"mark": "71", "credits": 5}, student))
    return events


def _student(n: int) -> list:
    """Students of every kind End of Year meets, `n % 8` picking the kind."""
    s = asn(n)
    match n % 8:
        case 0:  # the common case: a home school and one concurrent enrolment
            return [_primary(s), _concurrent(s, "2001")]
        case 1:  # two concurrent enrolments: two syncs, in school order
            return [_primary(s), _concurrent(s, "2002"), _concurrent(s, "2001")]
        case 2:  # no primary enrolment: R8 raised, and resolved as the enrolment closes
            return [_concurrent(s, "2003", home="1002")]
        case 3:  # a CHA course of the year without a mark: R3 at year end
            return [_primary(s), _concurrent(s, "2001"), *_challenge(s, "2001", with_mark=False)]
        case 4:  # one concurrent enrolment out of scope stays active
            return [_primary(s, "1009"), _concurrent(s, "2009", home="1009"), _concurrent(s, "2002", home="1009")]
        case 5:  # one starts after the close: it belongs to the next year
            return [_primary(s), _concurrent(s, "2001", entry=date(2026, 7, 2)), _concurrent(s, "2002")]
        case 6:  # a CHA course with its mark
            return [_primary(s), _concurrent(s, "2002"), *_challenge(s, "2002", with_mark=True)]
        case _:  # an ended concurrent enrolment beside an active one
            return [_primary(s), _concurrent(s, "2001"), exited(s, "2001", date(2026, 1, 30), kind="CONCURRENT"),
                    _concurrent(s, "2003")]


def _everything(parts) -> dict[str, list]:
    o = tables.outbox.c
    with parts.database.engine.connect() as connection:
        outbox = connection.execute(
            select(o.topic, o.key, o.value, o.headers, o.message_id).order_by(o.id)).all()
        return {
            "outbox": [tuple(row) for row in outbox],
            "enrolments": sorted(tuple(r) for r in connection.execute(select(tables.enrolments)).all()),
            "alerts": sorted(tuple(r) for r in connection.execute(select(tables.alerts)).all()),
            "runs": [tuple(r)[:-2] for r in connection.execute(select(tables.eoy_runs)).all()],  # without times
        }


@pytest.fixture(params=["sqlite", "postgres"])
def two_databases(request, tmp_path):
    if request.param == "sqlite":
        return [f"sqlite:///{tmp_path}/{name}.db" for name in ("rules", "set")]
    make = request.getfixturevalue("make_postgres_url")
    return [make(), make()]


@pytest.mark.parametrize("scope", [SCOPE, []], ids=["some schools", "every school"])
def test_set_based_closing_gives_what_the_rules_give_for_every_student(two_databases, scope):
    events = [e for n in range(STUDENTS) for e in _student(n)]
    closing = term_closed(35, date(2026, 6, 30), schools=scope, run_id="eoy-35-paths")
    seen, paths = [], []
    for url, every_student in zip(two_databases, (True, False), strict=True):
        parts = assemble(Settings(state_db_url=url), create_topics=False)
        try:
            parts.process(events)
            assert _broadcast(parts, closing) == 1
            runner = EndOfYearRunner(parts.database, parts.service.policy, parts.service.encoder, chunk_size=7)
            runner.judge_every_student = every_student
            closed = runner.run_pending(STOPPED.__class__())
            seen.append((closed, _everything(parts)))
            paths.append(runner.students)
        finally:
            parts.close()
    (closed_by_rules, by_rules), (closed_set_based, set_based) = seen
    assert closed_set_based == closed_by_rules > 0
    assert set_based == by_rules
    assert paths[0]["set-based"] == 0 and paths[1]["set-based"] > 0 and paths[1]["rules"] > 0
    # the population reached the rules End of Year needs beyond R4: R3 raised, R8 resolved by the closing
    a = tables.alerts.c
    statuses = {(row[list(a.keys()).index("rule")], row[list(a.keys()).index("status")]) for row in by_rules["alerts"]}
    assert {("R3", "RAISED"), ("R8", "RESOLVED")} <= statuses
