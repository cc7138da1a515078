"""R10: a cancelled enrolment is sent to PASI as Created in Error and purged from state 30 days later (event time)."""

from datetime import UTC, date, datetime, timedelta

import pytest

HOME, AWAY = "1111", "2222"
STUDENT = "123456789"
SEPTEMBER = date(2025, 9, 2)
CANCELLED_AT = datetime(2025, 9, 10, 16, 0, tzinfo=UTC)
PURGE_AT = CANCELLED_AT + timedelta(days=30)


@pytest.fixture
def concurrent_story(story):
    story.enrolled_concurrently(HOME, AWAY, SEPTEMBER)
    return story


def _cancel(story, school=AWAY, kind="CONCURRENT"):
    return story.at(CANCELLED_AT).cancelled(school, kind)


def test_cancellation_is_synced_as_created_in_error(concurrent_story):
    step = _cancel(concurrent_story)

    [sync] = step.syncs()
    assert (sync.action, sync.asn, sync.school_code, sync.enrolment_kind, sync.reason) == (
        "CREATED_IN_ERROR",
        STUDENT,
        AWAY,
        "CONCURRENT",
        "CANCELLED",
    )
    assert (sync.exit_date, sync.exit_code) == (None, None)
    assert (sync.source_event_id, sync.occurred_at) == (step.event.event_id, CANCELLED_AT)
    assert step.alerts() == []


def test_the_cancelled_enrolment_is_kept_until_its_purge_time(concurrent_story):
    _cancel(concurrent_story)

    cancelled = concurrent_story.enrolment(AWAY, "CONCURRENT")
    assert (cancelled.status, cancelled.purge_after) == ("CANCELLED", PURGE_AT)


def test_the_cancelled_enrolment_is_purged_once_event_time_reaches_thirty_days_later(concurrent_story):
    _cancel(concurrent_story)

    assert concurrent_story.someone_else_acts(PURGE_AT - timedelta(seconds=1)).outputs == []
    assert concurrent_story.enrolment(AWAY, "CONCURRENT") is not None

    step = concurrent_story.someone_else_acts(PURGE_AT, asn="555555555")

    assert step.outputs == []  # purging is state only
    assert concurrent_story.enrolment(AWAY, "CONCURRENT") is None
    assert concurrent_story.state.changes["enrolments"][(STUDENT, AWAY, "CONCURRENT")] is None
    assert concurrent_story.enrolment(HOME, "PRIMARY").status == "ACTIVE"
    assert concurrent_story.state.deadlines == {}


def test_a_primary_enrolment_is_cancelled_and_purged_the_same_way(concurrent_story):
    [sync] = _cancel(concurrent_story, school=HOME, kind="PRIMARY").syncs()
    assert (sync.action, sync.school_code, sync.enrolment_kind) == ("CREATED_IN_ERROR", HOME, "PRIMARY")

    concurrent_story.someone_else_acts(PURGE_AT)

    assert concurrent_story.enrolment(HOME, "PRIMARY") is None


def test_an_enrolment_started_again_before_the_purge_is_kept(concurrent_story):
    _cancel(concurrent_story)
    concurrent_story.concurrent_started(AWAY, HOME, date(2025, 9, 15))

    concurrent_story.someone_else_acts(PURGE_AT)

    restarted = concurrent_story.enrolment(AWAY, "CONCURRENT")
    assert (restarted.status, restarted.entry_date) == ("ACTIVE", date(2025, 9, 15))


def test_cancelling_an_enrolment_never_seen_still_syncs_and_leaves_nothing_to_purge(story):
    step = _cancel(story)

    assert [(s.action, s.school_code) for s in step.syncs()] == [("CREATED_IN_ERROR", AWAY)]
    assert story.enrolment(AWAY, "CONCURRENT") is None
    assert story.state.deadlines == {}


def test_the_same_cancellation_delivered_again_sends_nothing_and_keeps_one_purge(concurrent_story):
    first = _cancel(concurrent_story)

    second = concurrent_story.again(first)

    assert second.outputs == []
    assert len(concurrent_story.state.deadlines) == 1
    assert concurrent_story.enrolment(AWAY, "CONCURRENT").purge_after == PURGE_AT


@pytest.mark.parametrize("kind, school", [("CONCURRENT", AWAY), ("PRIMARY", HOME)])
def test_an_exit_for_a_cancelled_enrolment_changes_nothing_and_is_noted(concurrent_story, kind, school):
    _cancel(concurrent_story, school=school, kind=kind)

    step = concurrent_story.exited(school, kind, date(2025, 9, 20), reason="TRANSFER_OUT", continuing_at="7777")

    assert step.outputs == []
    assert concurrent_story.enrolment(school, kind).status == "CANCELLED"
    assert concurrent_story.state.transfers_of(STUDENT) == []
    assert concurrent_story.state.ignored == [(step.event.event_id, "a cancelled enrolment stays cancelled (R10)")]


def test_a_cancelled_enrolment_that_received_an_exit_is_still_purged_thirty_days_after_its_cancellation(
    concurrent_story,
):
    _cancel(concurrent_story)
    concurrent_story.exited(AWAY, "CONCURRENT", date(2025, 9, 20))

    concurrent_story.someone_else_acts(PURGE_AT)

    assert concurrent_story.enrolment(AWAY, "CONCURRENT") is None
