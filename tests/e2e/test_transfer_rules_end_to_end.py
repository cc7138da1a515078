"""R7 end to end: what a transfer continuing at the concurrent school expects, and when it expects anything at all.

Deadlines run on event time: the grace deadline (the start of the day after the transfer in America/Edmonton)
passes once another student's event at or after it has been read.
"""

from collections import Counter
from datetime import UTC, date, datetime

from tests.e2e.conftest import alert

HOME, OTHER_HOME, AWAY, ONLINE, FAR_HOME = "1001", "1002", "2001", "2002", "9999"
ANN, BEN, DAN, EVE = "100000001", "100000002", "100000004", "100000005"
SEPTEMBER = date(2025, 9, 2)
DAY = date(2026, 3, 2)  # the transfer date
DUE = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)  # midnight after March 2 in Edmonton (UTC-7)


def test_r7_a_course_re_enrolment_dated_after_the_transfer_day_leaves_the_course_missing(operator, scenario):
    scenario.enrolled_concurrently(ANN, HOME, AWAY, SEPTEMBER)
    scenario.course_enrolled(ANN, AWAY, "MAT1791", "C1", 3500, SEPTEMBER)
    scenario.course_enrolled(ANN, AWAY, "SCI1270", "C2", 3500, SEPTEMBER)
    scenario.at(datetime(2026, 3, 2, 16, 0, tzinfo=UTC))
    scenario.exited(ANN, HOME, "PRIMARY", DAY, reason="TRANSFER_OUT", continuing_at=AWAY)
    scenario.exited(ANN, AWAY, "CONCURRENT", DAY, reason="TRANSFER_OUT")
    scenario.reenrolled(ANN, AWAY, DAY)
    for course, section in (("MAT1791", "C1"), ("SCI1270", "C2")):
        scenario.course_exited(ANN, AWAY, course, section, DAY)
    scenario.course_enrolled(ANN, AWAY, "MAT1791", "C1", 3500, date(2026, 3, 3))  # a day late
    scenario.course_enrolled(ANN, AWAY, "SCI1270", "C2", 3500, DAY)
    scenario.at(DUE).primary_started(EVE, FAR_HOME, DUE.date())  # event time reaches the grace deadline

    outputs = operator.handles(scenario)

    assert outputs.alert_rows() == Counter([
        alert("COURSE_REENROLMENT_MISSING", "RAISED", "COURSE_ENROLMENT", "WARNING", ANN, AWAY, HOME, 35),
    ])
    [missing] = outputs.alerts
    assert (missing["details"]["course_code"], missing["details"]["section_id"]) == ("MAT1791", "C1")


def test_r7_expects_nothing_unless_the_student_is_enrolled_concurrently_at_the_continuing_school_that_day(
    operator, scenario
):
    scenario.primary_started(ANN, HOME, SEPTEMBER)  # no concurrent enrolment at all
    scenario.primary_started(BEN, HOME, SEPTEMBER)
    scenario.concurrent_started(BEN, AWAY, HOME, SEPTEMBER)
    scenario.cancelled(BEN, AWAY, "CONCURRENT")  # created in error
    scenario.enrolled_concurrently(DAN, OTHER_HOME, ONLINE, SEPTEMBER)  # concurrent elsewhere: R9 watches it
    scenario.at(datetime(2026, 3, 2, 16, 0, tzinfo=UTC))
    for student, home in ((ANN, HOME), (BEN, HOME), (DAN, OTHER_HOME)):
        scenario.exited(student, home, "PRIMARY", DAY, reason="TRANSFER_OUT", continuing_at=AWAY)
    scenario.at(DUE).primary_started(EVE, FAR_HOME, DUE.date())

    outputs = operator.handles(scenario)

    assert outputs.alert_rows() == Counter([
        alert("CONCURRENT_WITHOUT_PRIMARY", "RAISED", "ENROLMENT", "WARNING", DAN, ONLINE, OTHER_HOME, 35),
    ])
    assert Counter((s["asn"], s["reason"]) for s in outputs.syncs) == Counter(
        [(BEN, "CANCELLED")] + [(student, "TRANSFER_OUT") for student in (ANN, BEN, DAN)]
    )
