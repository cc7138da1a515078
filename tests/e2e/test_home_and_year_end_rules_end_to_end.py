"""R4, R7, R8 and R9 end to end: End of Year, transfers and concurrent enrolments without a home, through the CLI.

Deadlines run on event time: a check due at the grace deadline (the start of the day after the exit date in
America/Edmonton) fires once another event at or after it has been read, here another student's enrolment.
"""

from collections import Counter
from datetime import UTC, date, datetime

import pytest

from tests.support.outputs import alert, sync

HOME, OTHER_HOME, THIRD_HOME, FAR_HOME = "1001", "1002", "1003", "9999"
AWAY, ONLINE, ELSEWHERE = "2001", "2002", "3001"
ANN, BEN, CAL, DAN, EVE = "100000001", "100000002", "100000003", "100000004", "100000005"
SEPTEMBER = date(2025, 9, 2)
DAY = date(2026, 3, 2)  # the exit or transfer date
DUE = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)  # midnight after March 2 in Edmonton (UTC-7)


@pytest.mark.slow
def test_r4_end_of_year_closes_each_active_concurrent_enrolment_in_scope_once_even_when_broadcast_twice(
    operator, scenario
):
    scenario.enrolled_concurrently(HOME, AWAY, SEPTEMBER, asn=ANN)  # in scope by its school
    scenario.enrolled_concurrently(OTHER_HOME, ONLINE, SEPTEMBER, asn=BEN)  # in scope by its home school
    scenario.enrolled_concurrently(THIRD_HOME, ELSEWHERE, SEPTEMBER, asn=CAL)  # out of scope
    scenario.enrolled_concurrently(HOME, AWAY, SEPTEMBER, asn=DAN)
    scenario.at(datetime(2026, 3, 2, 16, 0, tzinfo=UTC)).exited(AWAY, "CONCURRENT", DAY, asn=DAN)  # no longer active
    operator.produce(operator.settings.topic_enrollment_changed, scenario.events)
    broadcast = ("--year", "35", "--closed-on", "2026-06-30", "--school", AWAY, "--school", OTHER_HOME)

    first, again = operator.eoy(*broadcast), operator.eoy(*broadcast)
    operator.run()
    outputs = operator.outputs()

    assert first["run_id"] == again["run_id"] and first["event_id"] != again["event_id"]
    assert outputs.sync_rows() == Counter([
        sync("EXIT", DAN, AWAY, "CONCURRENT", "2026-03-02", None, "WITHDRAWN"),
        sync("EXIT", ANN, AWAY, "CONCURRENT", "2026-06-30", None, "END_OF_YEAR"),
        sync("EXIT", BEN, ONLINE, "CONCURRENT", "2026-06-30", None, "END_OF_YEAR"),
    ])
    assert outputs.alert_rows() == Counter()
    closed = operator.stored_enrolment(ANN, AWAY, "CONCURRENT")
    assert (closed["status"], closed["exit_date"], closed["exit_code"]) == ("EXITED", date(2026, 6, 30), "10000")
    assert operator.stored_enrolment(ANN, HOME, "PRIMARY")["status"] == "ACTIVE"
    assert operator.stored_enrolment(CAL, ELSEWHERE, "CONCURRENT")["status"] == "ACTIVE"


@pytest.mark.slow
def test_r7_transfer_out_expectations_unmet_by_the_deadline_raise_in_order_and_resolve_when_the_facts_arrive(
    operator, scenario
):
    scenario.enrolled_concurrently(HOME, AWAY, SEPTEMBER, asn=ANN)
    scenario.course_enrolled(HOME, "ELA1105", "P1", 3500, SEPTEMBER, asn=ANN)
    scenario.course_enrolled(AWAY, "MAT1791", "C1", 3500, SEPTEMBER, asn=ANN)
    scenario.enrolled_concurrently(OTHER_HOME, AWAY, SEPTEMBER, asn=BEN)
    scenario.at(datetime(2026, 3, 2, 16, 0, tzinfo=UTC))
    scenario.exited(HOME, "PRIMARY", DAY, reason="TRANSFER_OUT", continuing_at=AWAY, asn=ANN)
    scenario.course_exited(AWAY, "MAT1791", "C1", DAY, asn=ANN)
    scenario.exited(OTHER_HOME, "PRIMARY", DAY, reason="TRANSFER_OUT", continuing_at=AWAY, asn=BEN)
    ben_mismatch = scenario.exited(AWAY, "CONCURRENT", date(2026, 3, 3), reason="TRANSFER_OUT", asn=BEN)
    scenario.reenrolled(AWAY, DAY, asn=BEN)
    scenario.at(DUE).primary_started(FAR_HOME, DUE.date(), asn=CAL)  # event time reaches the grace deadline
    scenario.exited(AWAY, "CONCURRENT", DAY, reason="TRANSFER_OUT", asn=ANN)
    scenario.reenrolled(AWAY, DAY, asn=ANN)
    scenario.course_enrolled(AWAY, "MAT1791", "C1", 3500, DAY, asn=ANN)

    outputs = operator.handles(scenario)

    expected = [
        ("CONCURRENT_EXIT_DATE_MISMATCH", "ENROLMENT", "CONFLICT"),
        ("REENROLMENT_MISSING", "ENROLMENT", "WARNING"),
        ("COURSE_REENROLMENT_MISSING", "COURSE_ENROLMENT", "WARNING"),
    ]
    assert outputs.alert_rows() == Counter(
        [alert(code, status, category, kind, ANN, AWAY, HOME, 35)
         for status in ("RAISED", "RESOLVED") for code, category, kind in expected]
        + [alert("CONCURRENT_EXIT_DATE_MISMATCH", "RAISED", "ENROLMENT", "CONFLICT", BEN, AWAY, OTHER_HOME, 35)]
    )
    raised = [a for a in outputs.alerts if a["asn"] == ANN and a["status"] == "RAISED"]
    assert [a["code"] for a in raised] == [code for code, _, _ in expected]
    assert {a["occurred_at"] for a in raised} == {"2026-03-03T07:00:00Z"}
    [ben] = [a for a in outputs.alerts if a["asn"] == BEN]
    assert ben["source_event_id"] == ben_mismatch.event_id  # at once, not at the deadline
    assert outputs.sync_rows() == Counter([
        sync("EXIT", ANN, HOME, "PRIMARY", "2026-03-02", None, "TRANSFER_OUT"),
        sync("EXIT", ANN, AWAY, "CONCURRENT", "2026-03-02", None, "TRANSFER_OUT"),
        sync("EXIT", BEN, OTHER_HOME, "PRIMARY", "2026-03-02", None, "TRANSFER_OUT"),
        sync("EXIT", BEN, AWAY, "CONCURRENT", "2026-03-03", None, "TRANSFER_OUT"),
    ])


@pytest.mark.slow
def test_r8_concurrent_enrolment_without_an_active_primary_elsewhere_is_rejected_until_one_starts(
    operator, scenario
):
    scenario.concurrent_started(AWAY, HOME, SEPTEMBER, asn=ANN)  # no primary at all
    scenario.enrolled_concurrently(OTHER_HOME, AWAY, SEPTEMBER, asn=BEN)  # a primary elsewhere: accepted
    scenario.primary_started(AWAY, SEPTEMBER, asn=CAL)
    scenario.concurrent_started(AWAY, THIRD_HOME, SEPTEMBER, asn=CAL)  # its only primary is at the same school
    scenario.primary_started(HOME, SEPTEMBER, asn=ANN)

    outputs = operator.handles(scenario)

    assert outputs.alert_rows() == Counter([
        alert("CONCURRENT_WITHOUT_PRIMARY", "RAISED", "ENROLMENT", "REJECTION", ANN, AWAY, HOME, 35),
        alert("CONCURRENT_WITHOUT_PRIMARY", "RESOLVED", "ENROLMENT", "REJECTION", ANN, AWAY, HOME, 35),
        alert("CONCURRENT_WITHOUT_PRIMARY", "RAISED", "ENROLMENT", "REJECTION", CAL, AWAY, THIRD_HOME, 35),
    ])
    assert outputs.sync_rows() == Counter()


@pytest.mark.slow
def test_r9_concurrent_enrolment_left_without_a_primary_by_the_deadline_warns_until_a_new_primary_starts(
    operator, scenario
):
    scenario.enrolled_concurrently(HOME, AWAY, SEPTEMBER, asn=ANN)
    scenario.enrolled_concurrently(OTHER_HOME, AWAY, SEPTEMBER, asn=BEN)
    scenario.at(datetime(2026, 3, 2, 16, 0, tzinfo=UTC))
    scenario.exited(HOME, "PRIMARY", DAY, asn=ANN)
    scenario.exited(OTHER_HOME, "PRIMARY", DAY, asn=BEN)
    scenario.primary_started(THIRD_HOME, DAY, asn=BEN)  # a new home before the deadline
    scenario.at(DUE).primary_started(FAR_HOME, DUE.date(), asn=CAL)  # event time reaches the grace deadline
    scenario.primary_started(THIRD_HOME, date(2026, 3, 4), asn=ANN)

    outputs = operator.handles(scenario)

    assert outputs.alert_rows() == Counter([
        alert("CONCURRENT_WITHOUT_PRIMARY", "RAISED", "ENROLMENT", "WARNING", ANN, AWAY, HOME, 35),
        alert("CONCURRENT_WITHOUT_PRIMARY", "RESOLVED", "ENROLMENT", "WARNING", ANN, AWAY, HOME, 35),
    ])
    [raised] = [a for a in outputs.alerts if a["status"] == "RAISED"]
    assert raised["occurred_at"] == "2026-03-03T07:00:00Z"
    assert outputs.sync_rows() == Counter([
        sync("EXIT", ANN, HOME, "PRIMARY", "2026-03-02", None, "WITHDRAWN"),
        sync("EXIT", BEN, OTHER_HOME, "PRIMARY", "2026-03-02", None, "WITHDRAWN"),
    ])


@pytest.mark.slow
def test_r8_is_judged_on_the_entry_date_and_a_rejection_that_comes_back_is_raised_under_a_new_id(operator, scenario):
    scenario.concurrent_started(AWAY, HOME, SEPTEMBER, asn=ANN)  # no primary: rejected
    scenario.primary_started(HOME, date(2025, 10, 1), asn=ANN)  # does not cover September 2
    scenario.concurrent_started(AWAY, HOME, date(2025, 10, 6), asn=ANN)  # re-opened within the primary: resolved
    scenario.exited(AWAY, "CONCURRENT", date(2025, 11, 3), asn=ANN)
    scenario.exited(HOME, "PRIMARY", date(2025, 11, 3), asn=ANN)
    scenario.concurrent_started(AWAY, HOME, date(2025, 11, 10), asn=ANN)  # no primary again: a new occurrence

    outputs = operator.handles(scenario)

    rejection = ("CONCURRENT_WITHOUT_PRIMARY", "ENROLMENT", "REJECTION")
    assert [(a["code"], a["category"], a["alert_type"], a["status"]) for a in outputs.alerts] == [
        (*rejection, "RAISED"), (*rejection, "RESOLVED"), (*rejection, "RAISED"),
    ]
    first, resolved, second = (a["alert_id"] for a in outputs.alerts)
    assert first == resolved != second
    assert outputs.alerts[1]["source_event_id"] == scenario.events[2].event_id
