"""R7: transfer out of the home school while continuing at the concurrent school: what happens at once, and at
the grace deadline (event time: the start of the transfer day in Edmonton + 1 day)."""

from datetime import UTC, date, datetime, timedelta

import pytest

HOME, AWAY = "1111", "2222"
STUDENT = "123456789"
SEPTEMBER = date(2025, 9, 2)
TRANSFER_DAY = date(2026, 3, 2)
DUE = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)  # midnight after March 2 in Edmonton (UTC-7 before DST)
MISSING_IN_ORDER = [
    ("CONCURRENT_EXIT_DATE_MISMATCH", "ENROLMENT", "CONFLICT", ""),
    ("REENROLMENT_MISSING", "ENROLMENT", "WARNING", ""),
    ("COURSE_REENROLMENT_MISSING", "COURSE_ENROLMENT", "WARNING", "MAT1791"),
    ("COURSE_REENROLMENT_MISSING", "COURSE_ENROLMENT", "WARNING", "SCI1270"),
]


@pytest.fixture
def transfer_story(make_story):
    """Home HOME, concurrent AWAY; courses ELA1105 (open) and PED1105 (ended Jan 30) at HOME, two courses at AWAY."""
    story = make_story(datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    story.enrolled_concurrently(HOME, AWAY, SEPTEMBER)
    story.course_enrolled(HOME, "ELA1105", "P1", 3500, SEPTEMBER)
    story.course_enrolled(HOME, "PED1105", "P2", 3501, SEPTEMBER)
    story.course_exited(HOME, "PED1105", "P2", date(2026, 1, 30))
    story.course_enrolled(AWAY, "MAT1791", "C1", 3500, SEPTEMBER)
    story.course_enrolled(AWAY, "SCI1270", "C2", 3500, SEPTEMBER)
    return story


def _transfer_out(story):
    return story.transferred_out(HOME, AWAY, TRANSFER_DAY)


def _courses_at_away_end(story):
    story.course_exited(AWAY, "MAT1791", "C1", TRANSFER_DAY)
    story.course_exited(AWAY, "SCI1270", "C2", TRANSFER_DAY)


def _ended_on(story, school, course, section):
    [enrolment] = story.state.course_enrolments_at(STUDENT, school, course, section)
    return enrolment.exit_date


def test_transfer_out_ends_the_open_home_courses_as_of_that_day_and_syncs_only_the_home_exit(transfer_story):
    step = _transfer_out(transfer_story)

    [sync] = step.syncs()
    assert (sync.school_code, sync.enrolment_kind, sync.reason, sync.exit_date) == (
        HOME,
        "PRIMARY",
        "TRANSFER_OUT",
        TRANSFER_DAY,
    )
    assert step.alerts() == []
    assert _ended_on(transfer_story, HOME, "ELA1105", "P1") == TRANSFER_DAY
    assert _ended_on(transfer_story, HOME, "PED1105", "P2") == date(2026, 1, 30)
    assert _ended_on(transfer_story, AWAY, "MAT1791", "C1") is None


def test_a_transfer_followed_through_raises_nothing_at_the_grace_deadline(transfer_story):
    _transfer_out(transfer_story)
    transfer_story.exited(AWAY, "CONCURRENT", TRANSFER_DAY, reason="TRANSFER_OUT")
    _courses_at_away_end(transfer_story)
    transfer_story.reenrolled(AWAY, TRANSFER_DAY)
    transfer_story.course_enrolled(AWAY, "MAT1791", "C1", 3500, TRANSFER_DAY)
    transfer_story.course_enrolled(AWAY, "SCI1270", "C2", 3500, TRANSFER_DAY)

    assert transfer_story.someone_else_acts(DUE).outputs == []
    assert transfer_story.alerts() == []
    assert transfer_story.state.deadlines == {}


def test_unmet_expectations_are_raised_at_the_grace_deadline_in_order(transfer_story):
    transferred = _transfer_out(transfer_story)
    _courses_at_away_end(transfer_story)

    step = transfer_story.someone_else_acts(DUE)

    alerts = step.alerts()
    assert [(a.code, a.category, a.alert_type, a.details.get("course_code", "")) for a in alerts] == MISSING_IN_ORDER
    for alert in alerts:
        assert (alert.status, alert.asn, alert.school_code, alert.home_school_code, alert.school_year_id) == (
            "RAISED",
            STUDENT,
            AWAY,
            HOME,
            35,
        )
        assert (alert.source_event_id, alert.occurred_at) == (transferred.event.event_id, DUE)
        assert alert.details["transfer_date"] == "2026-03-02"
    assert alerts[0].details["concurrent_exit_date"] == ""


def test_the_grace_deadline_passes_only_through_an_event_at_or_after_it(transfer_story):
    _transfer_out(transfer_story)

    assert transfer_story.someone_else_acts(DUE - timedelta(seconds=1)).outputs == []
    fired = transfer_story.someone_else_acts(DUE, asn="555555555")

    assert [a.code for a in fired.alerts()] == ["CONCURRENT_EXIT_DATE_MISMATCH", "REENROLMENT_MISSING"]
    assert transfer_story.someone_else_acts(DUE + timedelta(days=1), asn="666666666").outputs == []


def test_courses_at_the_concurrent_school_that_ended_another_day_are_not_expected_back(transfer_story):
    _transfer_out(transfer_story)
    transfer_story.exited(AWAY, "CONCURRENT", TRANSFER_DAY, reason="TRANSFER_OUT")
    transfer_story.reenrolled(AWAY, TRANSFER_DAY)
    transfer_story.course_exited(AWAY, "MAT1791", "C1", date(2026, 2, 20))

    assert transfer_story.someone_else_acts(DUE).outputs == []


def test_a_different_concurrent_exit_date_raises_the_mismatch_at_once(transfer_story):
    _transfer_out(transfer_story)

    step = transfer_story.exited(AWAY, "CONCURRENT", date(2026, 3, 5), reason="TRANSFER_OUT")

    [alert] = step.alerts()
    assert (alert.code, alert.category, alert.alert_type, alert.status) == (
        "CONCURRENT_EXIT_DATE_MISMATCH",
        "ENROLMENT",
        "CONFLICT",
        "RAISED",
    )
    assert (alert.school_code, alert.home_school_code, alert.source_event_id) == (AWAY, HOME, step.event.event_id)
    assert alert.details == {"transfer_date": "2026-03-02", "concurrent_exit_date": "2026-03-05"}
    assert [s.school_code for s in step.syncs()] == [AWAY]


def test_a_later_exit_date_recorded_before_the_transfer_is_a_mismatch_at_the_transfer(transfer_story):
    transfer_story.exited(AWAY, "CONCURRENT", date(2026, 3, 5))

    step = _transfer_out(transfer_story)

    [alert] = step.alerts()
    assert (alert.code, alert.status, alert.details["concurrent_exit_date"]) == (
        "CONCURRENT_EXIT_DATE_MISMATCH",
        "RAISED",
        "2026-03-05",
    )


def test_the_concurrent_exit_on_the_transfer_day_recorded_first_meets_the_expectation(transfer_story):
    transfer_story.exited(AWAY, "CONCURRENT", TRANSFER_DAY, reason="TRANSFER_OUT")
    _transfer_out(transfer_story)
    transfer_story.reenrolled(AWAY, TRANSFER_DAY)

    assert transfer_story.someone_else_acts(DUE).outputs == []


# course-enrolment history ------------------------------------------------------------------------------------------
def _follow_through_but_for_the_courses(story):
    _transfer_out(story)
    story.exited(AWAY, "CONCURRENT", TRANSFER_DAY, reason="TRANSFER_OUT")
    story.reenrolled(AWAY, TRANSFER_DAY)
    _courses_at_away_end(story)


def test_a_course_re_enrolment_dated_after_the_transfer_day_does_not_meet_the_expectation(transfer_story):
    _follow_through_but_for_the_courses(transfer_story)
    transfer_story.course_enrolled(AWAY, "MAT1791", "C1", 3500, TRANSFER_DAY + timedelta(days=1))
    transfer_story.course_enrolled(AWAY, "SCI1270", "C2", 3500, TRANSFER_DAY)

    step = transfer_story.someone_else_acts(DUE)

    assert [(a.code, a.details["course_code"]) for a in step.alerts()] == [("COURSE_REENROLMENT_MISSING", "MAT1791")]


def test_an_ended_course_enrolment_and_its_re_enrolment_are_two_facts(transfer_story):
    _follow_through_but_for_the_courses(transfer_story)
    transfer_story.course_enrolled(AWAY, "MAT1791", "C1", 3500, TRANSFER_DAY)

    history = transfer_story.state.course_enrolments_at(STUDENT, AWAY, "MAT1791", "C1")

    assert [(c.entry_date, c.exit_date) for c in history] == [(SEPTEMBER, TRANSFER_DAY), (TRANSFER_DAY, None)]


def test_a_course_exit_recorded_after_the_re_enrolment_ends_the_earlier_enrolment(transfer_story):
    _transfer_out(transfer_story)
    transfer_story.exited(AWAY, "CONCURRENT", TRANSFER_DAY, reason="TRANSFER_OUT")
    transfer_story.reenrolled(AWAY, TRANSFER_DAY)
    for course, section in (("MAT1791", "C1"), ("SCI1270", "C2")):
        transfer_story.course_enrolled(AWAY, course, section, 3500, TRANSFER_DAY)
        transfer_story.course_exited(AWAY, course, section, TRANSFER_DAY)

    assert transfer_story.someone_else_acts(DUE).outputs == []
    history = transfer_story.state.course_enrolments_at(STUDENT, AWAY, "MAT1791", "C1")
    assert [(c.entry_date, c.exit_date) for c in history] == [(SEPTEMBER, TRANSFER_DAY), (TRANSFER_DAY, None)]


# only a real concurrent enrolment at the continuing school starts R7 ------------------------------------------------
@pytest.mark.parametrize(
    "concurrent_at_away",
    ["none", "cancelled", "starts after the transfer day", "ended before the transfer day"],
)
def test_without_an_active_concurrent_enrolment_at_the_continuing_school_on_the_day_r7_does_not_start(
    make_story, concurrent_at_away
):
    story = make_story(datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    story.primary_started(HOME, SEPTEMBER)
    if concurrent_at_away == "cancelled":
        story.concurrent_started(AWAY, HOME, SEPTEMBER)
        story.cancelled(AWAY, "CONCURRENT")
    elif concurrent_at_away == "starts after the transfer day":
        story.concurrent_started(AWAY, HOME, TRANSFER_DAY + timedelta(days=1))
    elif concurrent_at_away == "ended before the transfer day":
        story.concurrent_started(AWAY, HOME, SEPTEMBER)
        story.exited(AWAY, "CONCURRENT", date(2026, 2, 27))

    _transfer_out(story)
    story.someone_else_acts(DUE)

    assert [a.code for a in story.alerts() if a.code != "CONCURRENT_WITHOUT_PRIMARY"] == []
    assert story.state.transfers_of(STUDENT) == []


def test_an_exit_continuing_at_its_own_school_starts_no_transfer_and_r9_watches(make_story):
    story = make_story(datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    story.enrolled_concurrently(HOME, AWAY, SEPTEMBER)

    step = story.transferred_out(HOME, HOME, TRANSFER_DAY)

    assert [(s.school_code, s.reason) for s in step.syncs()] == [(HOME, "TRANSFER_OUT")]
    [warning] = story.someone_else_acts(DUE).alerts()
    assert (warning.code, warning.alert_type, warning.school_code) == ("CONCURRENT_WITHOUT_PRIMARY", "WARNING", AWAY)
    assert story.state.transfers_of(STUDENT) == []


def test_a_day_of_grace_is_a_calendar_day_when_the_clocks_change(policy):
    from datetime import UTC, date, datetime

    # clocks in Edmonton move forward at 02:00 on 2026-03-08: midnight on the 9th is 06:00 UTC, not 07:00
    assert policy.grace_deadline(date(2026, 3, 8)) == datetime(2026, 3, 9, 6, 0, tzinfo=UTC)
    assert policy.grace_deadline(date(2026, 3, 2)) == datetime(2026, 3, 3, 7, 0, tzinfo=UTC)
