"""R1-R3, R5, R6 and R10 end to end: a scenario file produced with the CLI, the service run, both outputs tailed.

Each test is one operator round on its own topics and state database; the exact set of alerts and syncs is asserted.
"""

from collections import Counter
from datetime import date

import pytest

from tests.support.events import term_closed
from tests.support.outputs import alert, sync

HOME, OTHER_HOME, THIRD_HOME = "1001", "1002", "1003"
AWAY, ONLINE, ELSEWHERE = "2001", "2002", "3001"
ANN, BEN, CAL = "100000001", "100000002", "100000003"
SEPTEMBER = date(2025, 9, 2)


def _ids(outputs, code: str) -> set[str]:
    return {a["alert_id"] for a in outputs.alerts if a["code"] == code}


@pytest.mark.slow
def test_r1_grade_in_a_term_the_home_school_lacks_is_raised_and_resolved_once_the_home_configures_it(
    operator, scenario
):
    scenario.terms_configured(HOME, 35, 3500, 3501, 3502)
    scenario.enrolled_concurrently(HOME, ONLINE, SEPTEMBER, asn=ANN)
    scenario.grade_posted(ONLINE, "MAT1791", 3501, asn=ANN)  # a Term ID the home school has
    scenario.grade_posted(HOME, "ELA1105", 3503, asn=ANN)  # at the home school: not checked
    scenario.grade_posted(ONLINE, "SCI1270", 3503, asn=ANN)  # a Term ID the home school lacks
    scenario.terms_configured(HOME, 35, 3500, 3501, 3502, 3503)

    outputs = operator.handles(scenario)

    assert outputs.alert_rows() == Counter([
        alert("TERM_ID_MISMATCH", "RAISED", "EVALUATED_MARK", "WARNING", ANN, ONLINE, HOME, 35),
        alert("TERM_ID_MISMATCH", "RESOLVED", "EVALUATED_MARK", "WARNING", ANN, ONLINE, HOME, 35),
    ])
    assert len(_ids(outputs, "TERM_ID_MISMATCH")) == 1
    assert outputs.sync_rows() == Counter()


@pytest.mark.slow
def test_r2_different_term_setups_raise_school_setup_mismatch_per_pair_and_matching_setups_resolve_it(
    operator, scenario
):
    scenario.terms_configured(AWAY, 35, 3500, 3501, 3502, 3503)
    scenario.terms_configured(OTHER_HOME, 35, 3500, 3501, 3502)
    scenario.enrolled_concurrently(HOME, AWAY, SEPTEMBER, asn=ANN)  # HOME has no setup for year 35: no mismatch
    scenario.enrolled_concurrently(OTHER_HOME, AWAY, SEPTEMBER, asn=BEN)  # raised by the new pair
    scenario.terms_configured(HOME, 35, 3500)  # raised by the home school's configuration
    scenario.terms_configured(AWAY, 35, 3500, 3501, 3502)  # now matches OTHER_HOME, still differs from HOME
    scenario.terms_configured(HOME, 35, 3500, 3501, 3502)

    outputs = operator.handles(scenario)

    assert outputs.alert_rows() == Counter([
        alert("SCHOOL_SETUP_MISMATCH", "RAISED", "SECTION", "ADVICE", None, AWAY, OTHER_HOME, 35),
        alert("SCHOOL_SETUP_MISMATCH", "RAISED", "SECTION", "ADVICE", None, AWAY, HOME, 35),
        alert("SCHOOL_SETUP_MISMATCH", "RESOLVED", "SECTION", "ADVICE", None, AWAY, OTHER_HOME, 35),
        alert("SCHOOL_SETUP_MISMATCH", "RESOLVED", "SECTION", "ADVICE", None, AWAY, HOME, 35),
    ])
    assert len(_ids(outputs, "SCHOOL_SETUP_MISMATCH")) == 2
    assert outputs.sync_rows() == Counter()


@pytest.mark.slow
def test_r3_challenge_course_away_from_home_is_incomplete_until_its_section_enrolment_and_mark_all_exist(
    operator, scenario
):
    for school in (HOME, AWAY):
        scenario.terms_configured(school, 35, 3500, 3501)
    scenario.enrolled_concurrently(HOME, AWAY, SEPTEMBER, asn=ANN)
    scenario.enrolled_concurrently(HOME, AWAY, SEPTEMBER, asn=BEN)
    scenario.enrolled_concurrently(HOME, AWAY, SEPTEMBER, asn=CAL)
    scenario.course_enrolled(HOME, "MAT1791", "CHA-1", 3501, SEPTEMBER, course_type="CHA", asn=ANN)  # home: not checked
    scenario.course_enrolled(AWAY, "MAT1791", "CHA-1", 3501, SEPTEMBER, course_type="CHA", asn=ANN)  # no section
    scenario.section_scheduled(AWAY, "MAT1791", "CHA-1", 3501)  # the mark is still missing
    scenario.grade_posted(AWAY, "MAT1791", 3501, section="CHA-1", course_type="CHA", asn=ANN)  # complete
    # no section, no enrolment
    scenario.grade_posted(AWAY, "SCI1270", 3501, section="CHA-2", course_type="CHA", asn=BEN)
    scenario.course_enrolled(AWAY, "SCI1270", "CHA-2", 3501, SEPTEMBER, course_type="CHA", asn=BEN)  # no section yet
    scenario.section_scheduled(AWAY, "SCI1270", "CHA-2", 3501)  # complete: the school fact resolves it
    scenario.grade_posted(AWAY, "PHY2010", 3501, section="CHA-3", course_type="CHA", asn=CAL)  # stays incomplete
    scenario.section_scheduled(ELSEWHERE, "BIO3000", "CHA-4", 3502)
    # no mark by EOY
    scenario.course_enrolled(ELSEWHERE, "BIO3000", "CHA-4", 3502, SEPTEMBER, course_type="CHA", asn=ANN)
    operator.produce(operator.settings.topic_enrollment_changed, scenario.events)
    broadcast = term_closed(35, date(2026, 6, 30), [ELSEWHERE], run_id="eoy-r3")
    operator.produce(operator.settings.topic_term_closed, [broadcast])

    operator.run()
    outputs = operator.outputs()

    incomplete = ("CHALLENGE_COURSE_INCOMPLETE", "COURSE_ENROLMENT", "WARNING")
    assert outputs.alert_rows() == Counter([
        alert(incomplete[0], status, *incomplete[1:], student, school, HOME, 35)
        for student, school, status in [
            (ANN, AWAY, "RAISED"), (ANN, AWAY, "RESOLVED"), (BEN, AWAY, "RAISED"), (BEN, AWAY, "RESOLVED"),
            (CAL, AWAY, "RAISED"), (ANN, ELSEWHERE, "RAISED"),
        ]
    ])
    missing = {(a["asn"], a["school_code"], a["status"]): a["details"]["missing"] for a in outputs.alerts}
    assert missing[ANN, AWAY, "RAISED"] == "section"
    assert missing[BEN, AWAY, "RAISED"] == missing[CAL, AWAY, "RAISED"] == "section,course_enrolment"
    assert missing[ANN, ELSEWHERE, "RAISED"] == "mark"
    assert outputs.sync_rows() == Counter()


@pytest.mark.slow
def test_r5_an_edited_exit_code_is_synced_only_when_the_exit_date_is_before_the_policy_date(operator, scenario):
    scenario.at(scenario.clock.replace(year=2018))
    scenario.enrolled_concurrently(HOME, AWAY, date(2018, 9, 4), asn=ANN)
    scenario.enrolled_concurrently(HOME, AWAY, date(2018, 9, 4), asn=BEN)
    scenario.at(scenario.clock.replace(year=2019, month=1, day=30))
    scenario.exited(AWAY, "CONCURRENT", date(2019, 1, 30), reason="COMPLETED", exit_code="1234", asn=ANN)
    scenario.exited(AWAY, "CONCURRENT", date(2019, 1, 31), reason="COMPLETED", exit_code="1234", asn=BEN)
    scenario.exit_code_updated(AWAY, "CONCURRENT", "5678", asn=ANN)  # the day before the policy date: synced
    scenario.exit_code_updated(AWAY, "CONCURRENT", "5678", asn=BEN)  # on the policy date: stored, not synced
    scenario.exit_code_updated(AWAY, "CONCURRENT", "5678", asn=CAL)  # no such enrolment: nothing

    outputs = operator.handles(scenario)

    assert outputs.sync_rows() == Counter([
        sync("EXIT", ANN, AWAY, "CONCURRENT", "2019-01-30", "1234", "COMPLETED"),
        sync("EXIT", ANN, AWAY, "CONCURRENT", "2019-01-30", "5678", "COMPLETED"),
        sync("EXIT", BEN, AWAY, "CONCURRENT", "2019-01-31", None, "COMPLETED"),
    ])
    assert operator.stored_enrolment(BEN, AWAY, "CONCURRENT")["exit_code"] == "5678"
    assert outputs.alert_rows() == Counter()


@pytest.mark.slow
def test_r6_every_exit_is_synced_at_once_with_its_exit_code_only_before_the_policy_date(operator, scenario):
    scenario.at(scenario.clock.replace(year=2018))
    scenario.enrolled_concurrently(HOME, AWAY, date(2018, 9, 4), asn=ANN)
    scenario.primary_started(OTHER_HOME, date(2018, 9, 4), asn=BEN)
    scenario.at(scenario.clock.replace(year=2019, month=1, day=30))
    ann_left = scenario.exited(AWAY, "CONCURRENT", date(2019, 1, 30), reason="COMPLETED", exit_code="1234", asn=ANN)
    scenario.exited(OTHER_HOME, "PRIMARY", date(2019, 1, 31), exit_code="3000", asn=BEN)
    scenario.at(scenario.clock.replace(year=2026, month=3, day=2))
    scenario.primary_started(THIRD_HOME, SEPTEMBER, asn=CAL)
    cal_left = scenario.exited(
        THIRD_HOME, "PRIMARY", date(2026, 3, 2), reason="TRANSFER_OUT", exit_code="3000", asn=CAL
    )

    outputs = operator.handles(scenario)

    assert outputs.sync_rows() == Counter([
        sync("EXIT", ANN, AWAY, "CONCURRENT", "2019-01-30", "1234", "COMPLETED"),
        sync("EXIT", BEN, OTHER_HOME, "PRIMARY", "2019-01-31", None, "WITHDRAWN"),
        sync("EXIT", CAL, THIRD_HOME, "PRIMARY", "2026-03-02", None, "TRANSFER_OUT"),
    ])
    at_once = {s["asn"]: (s["source_event_id"], s["occurred_at"]) for s in outputs.syncs}
    assert at_once[ANN] == (ann_left.event_id, ann_left.occurred_at.isoformat().replace("+00:00", "Z"))
    assert at_once[CAL] == (cal_left.event_id, cal_left.occurred_at.isoformat().replace("+00:00", "Z"))
    assert outputs.alert_rows() == Counter()


@pytest.mark.slow
def test_r10_a_cancelled_enrolment_is_sent_as_created_in_error_and_purged_thirty_days_later(operator, scenario):
    scenario.enrolled_concurrently(HOME, AWAY, SEPTEMBER, asn=ANN)
    scenario.primary_started(OTHER_HOME, SEPTEMBER, asn=BEN)
    scenario.at(scenario.clock.replace(year=2026, month=3, day=2))
    scenario.cancelled(AWAY, "CONCURRENT", asn=ANN)
    scenario.at(scenario.clock.replace(month=3, day=20))
    scenario.cancelled(OTHER_HOME, "PRIMARY", asn=BEN)
    scenario.at(scenario.clock.replace(month=4, day=2)).primary_started(THIRD_HOME, date(2026, 4, 2), asn=CAL)

    outputs = operator.handles(scenario)

    assert outputs.sync_rows() == Counter([
        sync("CREATED_IN_ERROR", ANN, AWAY, "CONCURRENT", None, None, "CANCELLED"),
        sync("CREATED_IN_ERROR", BEN, OTHER_HOME, "PRIMARY", None, None, "CANCELLED"),
    ])
    assert outputs.alert_rows() == Counter()
    assert operator.stored_enrolment(ANN, AWAY, "CONCURRENT") is None  # 31 days of event time have passed
    assert operator.stored_enrolment(ANN, HOME, "PRIMARY")["status"] == "ACTIVE"
    assert operator.stored_enrolment(BEN, OTHER_HOME, "PRIMARY")["status"] == "CANCELLED"  # only 13 days


@pytest.mark.slow
def test_r10_an_exit_for_a_cancelled_enrolment_changes_nothing_and_the_purge_still_comes_thirty_days_later(
    operator, scenario
):
    scenario.enrolled_concurrently(HOME, AWAY, SEPTEMBER, asn=ANN)
    scenario.at(scenario.clock.replace(year=2026, month=3, day=2))
    scenario.cancelled(AWAY, "CONCURRENT", asn=ANN)
    scenario.at(scenario.clock.replace(month=3, day=20))
    scenario.exited(AWAY, "CONCURRENT", date(2026, 3, 20), asn=ANN)  # ignored: it stays cancelled
    scenario.at(scenario.clock.replace(month=4, day=2)).primary_started(THIRD_HOME, date(2026, 4, 2), asn=CAL)

    outputs = operator.handles(scenario)

    assert outputs.sync_rows() == Counter([sync("CREATED_IN_ERROR", ANN, AWAY, "CONCURRENT", None, None, "CANCELLED")])
    assert outputs.alert_rows() == Counter()
    assert operator.stored_enrolment(ANN, AWAY, "CONCURRENT") is None  # purged 31 days after the cancellation
