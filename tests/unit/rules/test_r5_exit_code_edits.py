"""R5: an edited exit code is stored; it is synced only for an exit dated before the policy date (2019-01-31)."""

from datetime import UTC, date, datetime

import pytest

HOME, AWAY = "1111", "2222"
STUDENT = "123456789"
DAY_BEFORE_POLICY, POLICY_DATE = date(2019, 1, 30), date(2019, 1, 31)


@pytest.fixture
def winter_story(make_story):
    """A concurrent student in school year 28 (2018-19), told around the policy date."""
    story = make_story(datetime(2019, 1, 29, 16, 0, tzinfo=UTC))
    story.enrolled_concurrently(HOME, AWAY, date(2018, 9, 4))
    return story


def test_edit_after_an_end_of_year_before_the_policy_date_is_synced_with_the_code(winter_story):
    winter_story.term_closed(28, DAY_BEFORE_POLICY)

    step = winter_story.exit_code_updated(AWAY, "CONCURRENT", "1040")

    [sync] = step.syncs()
    assert (sync.action, sync.asn, sync.school_code, sync.enrolment_kind) == ("EXIT", STUDENT, AWAY, "CONCURRENT")
    assert (sync.exit_date, sync.exit_code, sync.reason) == (DAY_BEFORE_POLICY, "1040", "END_OF_YEAR")
    assert sync.source_event_id == step.event.event_id
    assert winter_story.enrolment(AWAY, "CONCURRENT").exit_code == "1040"


@pytest.mark.parametrize("exit_date", [POLICY_DATE, date(2019, 2, 1)])
def test_edit_of_an_exit_on_or_after_the_policy_date_is_stored_but_not_synced(winter_story, exit_date):
    winter_story.term_closed(28, exit_date)

    step = winter_story.exit_code_updated(AWAY, "CONCURRENT", "1040")

    assert step.outputs == []
    assert winter_story.enrolment(AWAY, "CONCURRENT").exit_code == "1040"
    assert winter_story.state.changes["enrolments"][(STUDENT, AWAY, "CONCURRENT")].exit_code == "1040"


def test_edit_of_an_ordinary_exit_before_the_policy_date_keeps_its_reason(winter_story):
    winter_story.exited(HOME, "PRIMARY", DAY_BEFORE_POLICY, reason="WITHDRAWN", exit_code="1010")

    [sync] = winter_story.exit_code_updated(HOME, "PRIMARY", "1020").syncs()

    assert (sync.enrolment_kind, sync.exit_date, sync.exit_code, sync.reason) == (
        "PRIMARY",
        DAY_BEFORE_POLICY,
        "1020",
        "WITHDRAWN",
    )


def test_edit_of_an_enrolment_not_yet_exited_sends_nothing(winter_story):
    assert winter_story.exit_code_updated(AWAY, "CONCURRENT", "1040").outputs == []


def test_edit_of_an_unknown_enrolment_changes_nothing(winter_story):
    step = winter_story.exit_code_updated("5555", "CONCURRENT", "1040")

    assert step.outputs == []
    assert winter_story.enrolment("5555", "CONCURRENT") is None


def test_an_edit_delivered_again_before_the_policy_date_sends_nothing_more(winter_story):
    """The service drops a re-delivered event id; once that id is forgotten, the stored exit code already matches."""
    winter_story.term_closed(28, DAY_BEFORE_POLICY)
    first = winter_story.exit_code_updated(AWAY, "CONCURRENT", "1040")
    assert len(first.syncs()) == 1

    assert winter_story.again(first).outputs == []
