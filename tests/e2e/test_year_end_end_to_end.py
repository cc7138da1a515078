"""End of Year end to end: R3's year-end check (the mark of that year, scoped as R4), and the close taking effect at
its place in event-time order, through the CLI."""

import signal
from collections import Counter
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.exc import OperationalError

from consumer.store import tables
from producers.sample import SampleYear
from tests.support.events import event, exited, term_closed
from tests.support.operators import Operator
from tests.support.outputs import alert, sync
from tests.support.running import kill, start_cli
from tests.support.waiting import wait_for

HOME, AWAY, ONLINE = "1001", "2001", "2002"
ANN, BEN = "100000001", "100000002"
YAN, ZED = "199999998", "199999999"  # last in End of Year's cursor order
LAST_SEPTEMBER, SEPTEMBER, OCTOBER = date(2024, 9, 3), date(2025, 9, 2), date(2025, 10, 1)
CLOSED_ON = date(2026, 6, 30)


@pytest.mark.slow
def test_r3_at_end_of_year_needs_this_years_mark_and_covers_courses_whose_home_school_is_in_scope(
    operator, scenario
):
    for year, term in ((34, 3401), (35, 3501)):
        scenario.terms_configured(HOME, year, term)
        scenario.section_scheduled(AWAY, "MAT1791", "CHA-1", term)  # the same section id, each year
    scenario.enrolled_concurrently(HOME, AWAY, LAST_SEPTEMBER, asn=ANN)
    scenario.course_enrolled(AWAY, "MAT1791", "CHA-1", 3401, LAST_SEPTEMBER, course_type="CHA", asn=ANN)
    scenario.grade_posted(AWAY, "MAT1791", 3401, section="CHA-1", course_type="CHA", asn=ANN)  # last year's mark
    scenario.course_enrolled(AWAY, "MAT1791", "CHA-1", 3501, SEPTEMBER, course_type="CHA", asn=ANN)  # no mark this year
    scenario.primary_started(ONLINE, SEPTEMBER, asn=BEN)  # ONLINE is BEN's home when the course is taken
    scenario.course_enrolled(ONLINE, "SCI1270", "CHA-2", 3501, SEPTEMBER, course_type="CHA", asn=BEN)  # no section
    scenario.grade_posted(ONLINE, "SCI1270", 3501, section="CHA-2", course_type="CHA", asn=BEN)
    scenario.exited(ONLINE, "PRIMARY", OCTOBER, asn=BEN)
    scenario.enrolled_concurrently(HOME, ONLINE, OCTOBER, asn=BEN)
    operator.produce(operator.settings.topic_enrollment_changed, scenario.events)
    operator.produce(operator.settings.topic_term_closed, [term_closed(35, CLOSED_ON, [HOME], run_id="eoy-35-home")])

    operator.run()
    outputs = operator.outputs()

    assert outputs.alert_rows() == Counter([
        alert("CHALLENGE_COURSE_INCOMPLETE", "RAISED", "COURSE_ENROLMENT", "WARNING", ANN, AWAY, HOME, 35),
    ])
    assert outputs.alerts[0]["details"]["missing"] == "mark"  # BEN has his mark; the section is not needed now
    assert outputs.sync_rows() == Counter([
        sync("EXIT", BEN, ONLINE, "PRIMARY", "2025-10-01", None, "WITHDRAWN"),
        sync("EXIT", ANN, AWAY, "CONCURRENT", "2026-06-30", None, "END_OF_YEAR"),
        sync("EXIT", BEN, ONLINE, "CONCURRENT", "2026-06-30", None, "END_OF_YEAR"),
    ])


def _run_progress(settings) -> tuple[str, int] | None:
    engine = create_engine(settings.database_url)
    try:
        with engine.connect() as connection:
            row = connection.execute(select(tables.eoy_runs.c.status, tables.eoy_runs.c.closed_count)).first()
    except OperationalError:  # the service is still creating its tables, or holds the write lock
        return None
    finally:
        engine.dispose()
    return None if row is None else (row.status, row.closed_count)


@pytest.mark.slow
def test_end_of_year_takes_effect_at_its_place_even_when_stopped_midway_and_resumed(make_settings, tmp_path):
    """Events on both sides of the broadcast come in one batch. The live run is stopped (SIGTERM) while End of
    Year is closing students and started again; a replay into a fresh store, in batches of its own, must agree."""
    live = Operator(make_settings(eoy_chunk_size=1), tmp_path)
    sample = SampleYear(students=300)
    after = datetime(2026, 7, 1, 15, 0, tzinfo=UTC)  # the broadcast is at 2026-06-30 23:00 UTC
    late = [
        *(event("PrimaryEnrolmentStarted", HOME, {"entry_date": SEPTEMBER, "grade": "10"}, asn=s) for s in (YAN, ZED)),
        event("ConcurrentEnrolmentStarted", AWAY, {"entry_date": SEPTEMBER, "grade": "10", "home_school_code": HOME},
              asn=ZED),
        exited(AWAY, "CONCURRENT", CLOSED_ON, at=after, asn=ZED),  # read after the close, in the same batch
        event("ConcurrentEnrolmentStarted", AWAY, {"entry_date": date(2026, 6, 15), "grade": "10",
                                                  "home_school_code": HOME}, asn=YAN, at=after),  # after the close
    ]
    live.produce(live.settings.topic_enrollment_changed, sample.events() + late)
    live.produce(live.settings.topic_term_closed, [sample.end_of_year()])

    service = start_cli(live.settings, "run", log_path=tmp_path / "live.log")
    try:
        progress = wait_for(lambda: (p := _run_progress(live.settings)) and p[1] >= 5 and p, timeout_s=120,
                            interval_s=0.02, what="End of Year under way")
    finally:
        assert kill(service, signal.SIGTERM) == 0
    assert progress[0] == "RUNNING" and _run_progress(live.settings)[0] == "RUNNING", "not stopped midway"
    live.run()
    first = live.outputs()

    replay = Operator(make_settings(
        state_db_url=f"sqlite:///{tmp_path / 'replay.db'}", consumer_group=f"{live.settings.consumer_group}-replay",
        topic_core_alerts=f"{live.settings.topic_core_alerts}-replay",
        topic_pasi_exit_date_sync=f"{live.settings.topic_pasi_exit_date_sync}-replay",
        var_dir=tmp_path / "replay-var", max_poll_records=5_000, eoy_chunk_size=13,
    ), tmp_path)
    replay.run()
    again = replay.outputs()

    assert [(s["reason"], s["exit_date"]) for s in first.syncs if s["asn"] == ZED] == [
        ("END_OF_YEAR", "2026-06-30"), ("WITHDRAWN", "2026-06-30"),
    ]
    assert [s for s in first.syncs if s["asn"] == YAN] == []
    assert (again.alert_rows(), again.sync_rows()) == (first.alert_rows(), first.sync_rows())
    assert Counter(s["sync_id"] for s in again.syncs) == Counter(s["sync_id"] for s in first.syncs)
