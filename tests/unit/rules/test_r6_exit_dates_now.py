"""R6: every school enrolment exit is synced to PASI at once; no exit code from the policy date (2019-01-31) on."""

from datetime import UTC, date, datetime, time

import pytest

HOME, AWAY = "1111", "2222"
STUDENT = "123456789"
SEPTEMBER = date(2025, 9, 2)
EXIT_DAY = date(2026, 3, 2)


@pytest.fixture
def concurrent_story(story):
    story.enrolled_concurrently(HOME, AWAY, SEPTEMBER)
    return story


def test_primary_exit_is_synced_at_once(concurrent_story):
    step = concurrent_story.exited(HOME, "PRIMARY", EXIT_DAY, reason="COMPLETED", exit_code="1040")

    [sync] = step.syncs()
    assert (sync.action, sync.asn, sync.school_code, sync.enrolment_kind, sync.reason) == (
        "EXIT",
        STUDENT,
        HOME,
        "PRIMARY",
        "COMPLETED",
    )
    assert (sync.exit_date, sync.exit_code) == (EXIT_DAY, None)
    assert (sync.source_event_id, sync.occurred_at) == (step.event.event_id, step.event.occurred_at)
    exited = concurrent_story.enrolment(HOME, "PRIMARY")
    assert (exited.status, exited.exit_date, exited.exit_code, exited.exit_reason) == (
        "EXITED",
        EXIT_DAY,
        "1040",
        "COMPLETED",
    )


def test_concurrent_exit_is_synced_at_once(concurrent_story):
    [sync] = concurrent_story.exited(AWAY, "CONCURRENT", EXIT_DAY, reason="WITHDRAWN").syncs()

    assert (sync.action, sync.school_code, sync.enrolment_kind, sync.reason, sync.exit_date) == (
        "EXIT",
        AWAY,
        "CONCURRENT",
        "WITHDRAWN",
        EXIT_DAY,
    )
    assert concurrent_story.enrolment(AWAY, "CONCURRENT").status == "EXITED"


@pytest.mark.parametrize(
    ("exit_date", "sent_code"),
    [(date(2019, 1, 30), "1040"), (date(2019, 1, 31), None), (date(2019, 2, 1), None)],
)
def test_exit_code_is_carried_only_for_exits_dated_before_the_policy_date(make_story, exit_date, sent_code):
    story = make_story(datetime.combine(exit_date, time(17), UTC))
    story.enrolled_concurrently(HOME, AWAY, date(2018, 9, 4))

    [sync] = story.exited(AWAY, "CONCURRENT", exit_date, exit_code="1040").syncs()

    assert (sync.exit_date, sync.exit_code) == (exit_date, sent_code)
    assert story.enrolment(AWAY, "CONCURRENT").exit_code == "1040"  # stored as received


def test_exit_of_an_enrolment_never_seen_starting_is_still_synced_and_recorded(story):
    [sync] = story.exited(AWAY, "CONCURRENT", EXIT_DAY).syncs()

    assert (sync.school_code, sync.enrolment_kind, sync.exit_date) == (AWAY, "CONCURRENT", EXIT_DAY)
    recorded = story.enrolment(AWAY, "CONCURRENT")
    assert (recorded.status, recorded.entry_date, recorded.exit_date) == ("EXITED", None, EXIT_DAY)


def test_the_same_exit_delivered_again_sends_nothing_more(concurrent_story):
    """The service drops a re-delivered event id; once that id is forgotten, the state still knows the exit."""
    first = concurrent_story.exited(AWAY, "CONCURRENT", EXIT_DAY)

    assert concurrent_story.again(first).outputs == []


def test_a_new_exit_event_for_the_same_enrolment_is_a_new_sync(concurrent_story):
    first = concurrent_story.exited(AWAY, "CONCURRENT", EXIT_DAY).syncs()[0]

    corrected = concurrent_story.exited(AWAY, "CONCURRENT", date(2026, 3, 3)).syncs()[0]

    assert corrected.sync_id != first.sync_id
    assert corrected.exit_date == date(2026, 3, 3)
