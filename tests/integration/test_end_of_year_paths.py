"""End of Year closes most students set-based and the rest through the rules: the outputs and the state are
exactly those of closing every student through the rules, on SQLite and PostgreSQL, with no broker."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from consumer.config.settings import Settings
from consumer.runtime.end_of_year import EndOfYearRunner
from consumer.store import tables
from tests.support.events import Scenario, asn, term_closed
from tests.support.service_parts import assemble

from .test_end_of_year import STOPPED, _broadcast

SCOPE = ["2001", "2002", "2003", "1001", "1002"]
STUDENTS = 40


def _student(story: Scenario, n: int) -> None:
    """Students of every kind End of Year meets, `n % 8` picking the kind."""
    s = asn(n)
    september, later = date(2025, 9, 2), date(2025, 9, 9)
    match n % 8:
        case 0:  # the common case: a home school and one concurrent enrolment
            story.primary_started("1001", september, asn=s)
            story.concurrent_started("2001", "1001", later, asn=s)
        case 1:  # two concurrent enrolments: two syncs, in school order
            story.primary_started("1001", september, asn=s)
            story.concurrent_started("2002", "1001", later, asn=s)
            story.concurrent_started("2001", "1001", later, asn=s)
        case 2:  # no primary enrolment: R8 raised, and resolved as the enrolment closes
            story.concurrent_started("2003", "1002", later, asn=s)
        case 3:  # a CHA course of the year without a mark: R3 at year end
            story.enrolled_concurrently("1001", "2001", september, asn=s)
            story.course_enrolled("2001", "MAT1791", "A", 3501, later, "CHA", asn=s)
        case 4:  # one concurrent enrolment out of scope stays active
            story.primary_started("1009", september, asn=s)
            story.concurrent_started("2009", "1009", later, asn=s)
            story.concurrent_started("2002", "1009", later, asn=s)
        case 5:  # one starts after the close: it belongs to the next year
            story.primary_started("1001", september, asn=s)
            story.concurrent_started("2001", "1001", date(2026, 7, 2), asn=s)
            story.concurrent_started("2002", "1001", later, asn=s)
        case 6:  # a CHA course with its mark
            story.enrolled_concurrently("1001", "2002", september, asn=s)
            story.course_enrolled("2002", "MAT1791", "A", 3501, later, "CHA", asn=s)
            story.grade_posted("2002", "MAT1791", 3501, "A", "CHA", asn=s)
        case _:  # an ended concurrent enrolment beside an active one
            story.enrolled_concurrently("1001", "2001", september, asn=s)
            story.exited("2001", "CONCURRENT", date(2026, 1, 30), asn=s)
            story.concurrent_started("2003", "1001", later, asn=s)


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


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def two_databases(request, tmp_path):
    if request.param == "sqlite":
        return [f"sqlite:///{tmp_path}/{name}.db" for name in ("rules", "set")]
    make = request.getfixturevalue("make_postgres_url")
    return [make(), make()]


@pytest.mark.parametrize("scope", [SCOPE, []], ids=["some schools", "every school"])
def test_set_based_closing_gives_what_the_rules_give_for_every_student(two_databases, scope):
    story = Scenario(datetime(2026, 3, 2, 16, 0, tzinfo=UTC), step=timedelta(seconds=1))
    for n in range(STUDENTS):
        _student(story, n)
    events = story.events
    closing = term_closed(35, date(2026, 6, 30), school_codes=scope, run_id="eoy-35-paths")
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
