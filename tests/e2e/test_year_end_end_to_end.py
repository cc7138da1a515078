"""End of Year end to end: R3's year-end check (the mark of that year, scoped as R4) through the CLI."""

from collections import Counter
from datetime import date

from tests.e2e.conftest import alert, sync
from tests.support.events import term_closed

HOME, AWAY, ONLINE = "1001", "2001", "2002"
ANN, BEN = "100000001", "100000002"
LAST_SEPTEMBER, SEPTEMBER, OCTOBER = date(2024, 9, 3), date(2025, 9, 2), date(2025, 10, 1)
CLOSED_ON = date(2026, 6, 30)


def test_r3_at_end_of_year_needs_this_years_mark_and_covers_courses_whose_home_school_is_in_scope(
    operator, scenario
):
    for year, term in ((34, 3401), (35, 3501)):
        scenario.terms_configured(HOME, year, term)
        scenario.section_scheduled(AWAY, "MAT1791", "CHA-1", term)  # the same section id, each year
    scenario.enrolled_concurrently(ANN, HOME, AWAY, LAST_SEPTEMBER)
    scenario.course_enrolled(ANN, AWAY, "MAT1791", "CHA-1", 3401, LAST_SEPTEMBER, course_type="CHA")
    scenario.grade_posted(ANN, AWAY, "MAT1791", 3401, section="CHA-1", course_type="CHA")  # last year's mark
    scenario.course_enrolled(ANN, AWAY, "MAT1791", "CHA-1", 3501, SEPTEMBER, course_type="CHA")  # no mark this year
    scenario.primary_started(BEN, ONLINE, SEPTEMBER)  # ONLINE is BEN's home when the course is taken
    scenario.course_enrolled(BEN, ONLINE, "SCI1270", "CHA-2", 3501, SEPTEMBER, course_type="CHA")  # no section
    scenario.grade_posted(BEN, ONLINE, "SCI1270", 3501, section="CHA-2", course_type="CHA")
    scenario.exited(BEN, ONLINE, "PRIMARY", OCTOBER)
    scenario.enrolled_concurrently(BEN, HOME, ONLINE, OCTOBER)
    operator.produce(operator.settings.topic_enrollment_changed, scenario.events)
    operator.produce(operator.settings.topic_term_closed, [term_closed(35, CLOSED_ON, [HOME], "eoy-35-home")])

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
