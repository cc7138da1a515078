"""R7 end to end: what a transfer continuing at the concurrent school expects, and when it expects anything at all.

Deadlines run on event time: the grace deadline (the start of the day after the transfer in America/Edmonton)
passes once another student's event at or after it has been read.
"""

from collections import Counter
from datetime import UTC, date, datetime

import pytest

from tests.support.outputs import alert

HOME, OTHER_HOME, AWAY, ONLINE, FAR_HOME = "1001", "1002", "2001", "2002", "9999"
ANN, BEN, DAN, EVE = "100000001", "100000002", "100000004", "100000005"
SEPTEMBER = date(2025, 9, 2)
DAY = date(2026, 3, 2)  # the transfer date
DUE = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)  # midnight after March 2 in Edmonton (UTC-7)


@pytest.mark.slow
def test_r7_a_course_re_enrolment_dated_after_the_transfer_day_leaves_the_course_missing(operator, scenario):
    scenario.enrolled_concurrently(HOME, AWAY, SEPTEMBER, asn=ANN)
    scenario.course_enrolled(AWAY, "MAT1791", "C1", 3500, SEPTEMBER, asn=ANN)
    scenario.course_enrolled(AWAY, "SCI1270", "C2", 3500, SEPTEMBER, asn=ANN)
    scenario.at(datetime(2026, 3, 2, 16, 0, tzinfo=UTC))
    scenario.exited(HOME, "PRIMARY", DAY, reason="TRANSFER_OUT", continuing_at=AWAY, asn=ANN)
    scenario.exited(AWAY, "CONCURRENT", DAY, reason="TRANSFER_OUT", asn=ANN)
    scenario.reenrolled(AWAY, DAY, asn=ANN)
    for course, section in (("MAT1791", "C1"), ("SCI1270", "C2")):
        scenario.course_exited(AWAY, course, section, DAY, asn=ANN)
    scenario.course_enrolled(AWAY, "MAT1791", "C1", 3500, date(2026, 3, 3), asn=ANN)  # a day late
    scenario.course_enrolled(AWAY, "SCI1270", "C2", 3500, DAY, asn=ANN)
    scenario.at(DUE).primary_started(FAR_HOME, DUE.date(), asn=EVE)  # event time reaches the grace deadline

    outputs = operator.handles(scenario)

    assert outputs.alert_rows() == Counter([
        alert("COURSE_REENROLMENT_MISSING", "RAISED", "COURSE_ENROLMENT", "WARNING", ANN, AWAY, HOME, 35),
    ])
    [missing] = outputs.alerts
    assert (missing["details"]["course_code"], missing["details"]["section_id"]) == ("MAT1791", "C1")


@pytest.mark.slow
def test_r7_expects_nothing_unless_the_student_is_enrolled_concurrently_at_the_continuing_school_that_day(
    operator, scenario
):
    scenario.primary_started(HOME, SEPTEMBER, asn=ANN)  # no concurrent enrolment at all
    scenario.primary_started(HOME, SEPTEMBER, asn=BEN)
    scenario.concurrent_started(AWAY, HOME, SEPTEMBER, asn=BEN)
    scenario.cancelled(AWAY, "CONCURRENT", asn=BEN)  # created in error
    scenario.enrolled_concurrently(OTHER_HOME, ONLINE, SEPTEMBER, asn=DAN)  # concurrent elsewhere: R9 watches it
    scenario.at(datetime(2026, 3, 2, 16, 0, tzinfo=UTC))
    for student, home in ((ANN, HOME), (BEN, HOME), (DAN, OTHER_HOME)):
        scenario.exited(home, "PRIMARY", DAY, reason="TRANSFER_OUT", continuing_at=AWAY, asn=student)
    scenario.at(DUE).primary_started(FAR_HOME, DUE.date(), asn=EVE)

    outputs = operator.handles(scenario)

    assert outputs.alert_rows() == Counter([
        alert("CONCURRENT_WITHOUT_PRIMARY", "RAISED", "ENROLMENT", "WARNING", DAN, ONLINE, OTHER_HOME, 35),
    ])
    assert Counter((s["asn"], s["reason"]) for s in outputs.syncs) == Counter(
        [(BEN, "CANCELLED")] + [(student, "TRANSFER_OUT") for student in (ANN, BEN, DAN)]
    )
