"""Re-deliveries after the processed id is forgotten: an event whose effect is already in the state changes nothing.

The service drops an event whose id it has processed; it forgets ids after PROCESSED_EVENTS_RETENTION_DAYS, and a
re-delivery after that reaches the rules, which find its effect already there.
"""

from datetime import UTC, date, datetime

HOME, AWAY = "1111", "2222"
STUDENT = "123456789"
SEPTEMBER = date(2025, 9, 2)
DAY = date(2026, 3, 2)
DUE = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)
ALREADY_APPLIED = "already applied"


def _noted(story, step) -> list[str]:
    return [reason for event_id, reason in story.state.ignored if event_id == step.event.event_id]


def test_a_transfer_delivered_again_after_its_deadline_restarts_nothing(make_story):
    story = make_story(datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    story.enrolled_concurrently(HOME, AWAY, SEPTEMBER)
    transferred = story.transferred_out(HOME, AWAY, DAY)
    story.someone_else_acts(DUE)
    raised = len(story.alerts())
    story.exited(AWAY, "CONCURRENT", DAY, reason="TRANSFER_OUT")
    story.reenrolled(AWAY, DAY)

    again = story.again(transferred)

    assert again.outputs == [] and _noted(story, again) == [ALREADY_APPLIED]
    assert story.someone_else_acts(datetime(2026, 3, 10, tzinfo=UTC), asn="555555555").outputs == []
    assert len(story.alerts(status="RAISED")) == raised and len(story.alerts(status="RESOLVED")) == 2


def test_a_start_delivered_again_after_the_exit_does_not_reopen_the_enrolment(story):
    started = story.enrolled_concurrently(HOME, AWAY, SEPTEMBER)
    story.exited(AWAY, "CONCURRENT", date(2025, 12, 19))

    again = story.again(started)

    assert again.outputs == [] and _noted(story, again) == [ALREADY_APPLIED]
    assert story.enrolment(AWAY, "CONCURRENT").status == "EXITED"


def test_a_course_enrolment_delivered_again_keeps_its_recorded_exit(story):
    story.enrolled_concurrently(HOME, AWAY, SEPTEMBER)
    enrolled = story.course_enrolled(AWAY, "MAT1791", "C1", 3500, SEPTEMBER)
    story.course_exited(AWAY, "MAT1791", "C1", date(2026, 1, 30))

    again = story.again(enrolled)

    assert _noted(story, again) == [ALREADY_APPLIED]
    [kept] = story.state.course_enrolments_at(STUDENT, AWAY, "MAT1791", "C1")
    assert kept.exit_date == date(2026, 1, 30)


def test_an_exit_on_the_same_day_for_another_reason_is_a_new_fact_and_synced(story):
    story.enrolled_concurrently(HOME, AWAY, SEPTEMBER)
    story.exited(AWAY, "CONCURRENT", DAY, reason="WITHDRAWN")

    [sync] = story.exited(AWAY, "CONCURRENT", DAY, reason="COMPLETED").syncs()

    assert (sync.exit_date, sync.reason) == (DAY, "COMPLETED")


def test_a_school_setup_delivered_again_is_noted_and_changes_nothing(story):
    configured = story.terms_configured(HOME, 35, 3500, 3501)

    again = story.again(configured)

    assert again.outputs == [] and _noted(story, again) == [ALREADY_APPLIED]


def test_a_start_from_before_the_cancellation_delivered_again_leaves_the_enrolment_cancelled(story):
    story.primary_started(HOME, SEPTEMBER)
    started = story.concurrent_started(AWAY, HOME, SEPTEMBER)
    cancelled = story.cancelled(AWAY, "CONCURRENT")

    again = [story.again(started), story.again(cancelled)]

    assert [step.outputs for step in again] == [[], []]
    assert story.enrolment(AWAY, "CONCURRENT").status == "CANCELLED"


def test_a_start_after_the_cancellation_is_a_new_enrolment(story):
    story.enrolled_concurrently(HOME, AWAY, SEPTEMBER)
    story.cancelled(AWAY, "CONCURRENT")

    story.concurrent_started(AWAY, HOME, SEPTEMBER)

    assert story.enrolment(AWAY, "CONCURRENT").status == "ACTIVE"


def test_an_exit_of_an_earlier_enrolment_delivered_again_does_not_end_the_current_one(story):
    story.primary_started(HOME, SEPTEMBER)
    left = story.exited(HOME, "PRIMARY", date(2025, 11, 14))
    story.primary_started(HOME, date(2026, 1, 5))

    again = story.again(left)

    assert again.outputs == [] and _noted(story, again) == [ALREADY_APPLIED]
    assert story.enrolment(HOME, "PRIMARY").status == "ACTIVE"
