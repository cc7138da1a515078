"""R7: each transfer expectation's alert resolves when its missing fact arrives, whatever the order of arrival."""

from datetime import UTC, date, datetime

import pytest

HOME, AWAY = "1111", "2222"
SEPTEMBER = date(2025, 9, 2)
TRANSFER_DAY = date(2026, 3, 2)
DUE = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)


@pytest.fixture
def transfer_story(make_story):
    """Home HOME, concurrent AWAY with courses MAT1791/C1 and SCI1270/C2, told from the transfer day on."""
    story = make_story(datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    story.enrolled_concurrently(HOME, AWAY, SEPTEMBER)
    story.course_enrolled(AWAY, "MAT1791", "C1", 3500, SEPTEMBER)
    story.course_enrolled(AWAY, "SCI1270", "C2", 3500, SEPTEMBER)
    return story


@pytest.fixture
def everything_missing(transfer_story):
    """The transfer is recorded and AWAY's courses end that day, but nothing else follows by the deadline."""
    transfer_story.transferred_out(HOME, AWAY, TRANSFER_DAY)
    transfer_story.course_exited(AWAY, "MAT1791", "C1", TRANSFER_DAY)
    transfer_story.course_exited(AWAY, "SCI1270", "C2", TRANSFER_DAY)
    transfer_story.someone_else_acts(DUE)
    assert len(transfer_story.alerts(status="RAISED")) == 4
    return transfer_story


def _raised_id(story, code, course=None):
    [alert] = [a for a in story.alerts(code=code, status="RAISED") if a.details.get("course_code") == course]
    return alert.alert_id


def _changes(step):
    return [(a.code, a.status, a.alert_id) for a in step.alerts()]


def test_the_concurrent_exit_on_the_transfer_day_resolves_the_exit_date_mismatch(everything_missing):
    raised = _raised_id(everything_missing, "CONCURRENT_EXIT_DATE_MISMATCH")

    step = everything_missing.exited(AWAY, "CONCURRENT", TRANSFER_DAY, reason="TRANSFER_OUT")

    assert _changes(step) == [("CONCURRENT_EXIT_DATE_MISMATCH", "RESOLVED", raised)]
    assert step.alerts()[0].source_event_id == step.event.event_id


def test_re_enrolment_at_the_concurrent_school_resolves_reenrolment_missing(everything_missing):
    raised = _raised_id(everything_missing, "REENROLMENT_MISSING")

    step = everything_missing.reenrolled(AWAY, TRANSFER_DAY)

    assert _changes(step) == [("REENROLMENT_MISSING", "RESOLVED", raised)]


def test_each_course_re_enrolment_as_of_the_transfer_day_resolves_only_its_own_alert(everything_missing):
    raised = _raised_id(everything_missing, "COURSE_REENROLMENT_MISSING", "MAT1791")

    step = everything_missing.course_enrolled(AWAY, "MAT1791", "C1", 3500, TRANSFER_DAY)

    assert _changes(step) == [("COURSE_REENROLMENT_MISSING", "RESOLVED", raised)]
    assert _raised_id(everything_missing, "COURSE_REENROLMENT_MISSING", "SCI1270")


def test_a_course_re_enrolment_dated_another_day_resolves_nothing(everything_missing):
    assert everything_missing.course_enrolled(AWAY, "SCI1270", "C2", 3500, date(2026, 3, 3)).alerts() == []


def test_a_wrong_concurrent_exit_date_then_the_right_one_raises_once_and_resolves_once(transfer_story):
    transfer_story.transferred_out(HOME, AWAY, TRANSFER_DAY)
    wrong = transfer_story.exited(AWAY, "CONCURRENT", date(2026, 3, 5))
    right = transfer_story.exited(AWAY, "CONCURRENT", TRANSFER_DAY)

    at_deadline = transfer_story.someone_else_acts(DUE)

    [raised] = wrong.alerts()
    assert _changes(right) == [("CONCURRENT_EXIT_DATE_MISMATCH", "RESOLVED", raised.alert_id)]
    assert [a.code for a in at_deadline.alerts()] == ["REENROLMENT_MISSING"]


def test_follow_ups_recorded_before_the_transfer_count(transfer_story):
    transfer_story.exited(AWAY, "CONCURRENT", TRANSFER_DAY, reason="TRANSFER_OUT")
    transfer_story.reenrolled(AWAY, TRANSFER_DAY)

    assert transfer_story.transferred_out(HOME, AWAY, TRANSFER_DAY).alerts() == []
    assert transfer_story.someone_else_acts(DUE).outputs == []


def test_a_repeated_follow_up_resolves_nothing_twice(everything_missing):
    reenrolment = everything_missing.reenrolled(AWAY, TRANSFER_DAY)

    assert everything_missing.again(reenrolment).alerts() == []
    assert len(everything_missing.alerts(code="REENROLMENT_MISSING")) == 2  # RAISED, RESOLVED


def test_a_transfer_recorded_after_its_grace_deadline_is_checked_by_that_same_event(transfer_story):
    late = transfer_story.at(datetime(2026, 3, 10, 16, 0, tzinfo=UTC)).transferred_out(HOME, AWAY, TRANSFER_DAY)

    assert [a.code for a in late.alerts()] == ["CONCURRENT_EXIT_DATE_MISMATCH", "REENROLMENT_MISSING"]
