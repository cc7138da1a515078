"""R4: the End-of-Year broadcast closes every active concurrent enrolment in scope, one sync each."""

from datetime import UTC, date, datetime

import pytest

HOME, AWAY, ONLINE, ELSEWHERE = "1111", "2222", "4444", "3333"
STUDENT = "123456789"
SEPTEMBER = date(2025, 9, 2)
CLOSED_ON = date(2026, 6, 30)


@pytest.fixture
def concurrent_story(story):
    story.enrolled_concurrently(HOME, AWAY, SEPTEMBER)
    return story


def test_active_concurrent_enrolment_is_closed_with_exit_code_10000_and_one_sync(concurrent_story):
    step = concurrent_story.term_closed(35, CLOSED_ON)

    [sync] = step.syncs()
    assert (sync.action, sync.asn, sync.school_code, sync.enrolment_kind, sync.reason) == (
        "EXIT",
        STUDENT,
        AWAY,
        "CONCURRENT",
        "END_OF_YEAR",
    )
    assert (sync.exit_date, sync.exit_code) == (CLOSED_ON, None)  # after the policy date PASI takes no exit code
    assert sync.source_event_id == step.event.event_id
    closed = concurrent_story.enrolment(AWAY, "CONCURRENT")
    assert (closed.status, closed.exit_date, closed.exit_code, closed.exit_reason) == (
        "EXITED",
        CLOSED_ON,
        "10000",
        "END_OF_YEAR",
    )


def test_the_broadcast_may_override_the_exit_code(concurrent_story):
    concurrent_story.term_closed(35, CLOSED_ON, exit_code="20000")

    assert concurrent_story.enrolment(AWAY, "CONCURRENT").exit_code == "20000"


def test_primary_enrolments_stay_open(concurrent_story):
    concurrent_story.term_closed(35, CLOSED_ON)

    assert concurrent_story.enrolment(HOME, "PRIMARY").status == "ACTIVE"
    assert concurrent_story.syncs(enrolment_kind="PRIMARY") == []


@pytest.mark.parametrize("scope", [(), (AWAY,), (HOME,), (ELSEWHERE, HOME)])
def test_scope_is_the_concurrent_school_or_the_home_school_and_empty_means_every_school(concurrent_story, scope):
    [sync] = concurrent_story.term_closed(35, CLOSED_ON, school_codes=scope).syncs()

    assert (sync.school_code, sync.reason) == (AWAY, "END_OF_YEAR")


def test_enrolments_out_of_scope_stay_active(concurrent_story):
    assert concurrent_story.term_closed(35, CLOSED_ON, school_codes=(ELSEWHERE,)).syncs() == []
    assert concurrent_story.enrolment(AWAY, "CONCURRENT").status == "ACTIVE"


def test_each_active_concurrent_enrolment_gets_its_own_sync(concurrent_story):
    concurrent_story.concurrent_started(ONLINE, HOME, SEPTEMBER)
    concurrent_story.enrolled_concurrently(HOME, AWAY, SEPTEMBER, asn="987654321")

    syncs = concurrent_story.term_closed(35, CLOSED_ON).syncs()

    assert sorted((s.asn, s.school_code) for s in syncs) == [
        ("123456789", AWAY),
        ("123456789", ONLINE),
        ("987654321", AWAY),
    ]
    assert len({s.sync_id for s in syncs}) == 3


def test_an_exited_concurrent_enrolment_is_not_closed_again(concurrent_story):
    concurrent_story.exited(AWAY, "CONCURRENT", date(2026, 3, 2))

    step = concurrent_story.term_closed(35, CLOSED_ON)

    assert step.syncs() == []
    assert concurrent_story.enrolment(AWAY, "CONCURRENT").exit_date == date(2026, 3, 2)


def test_a_concurrent_enrolment_starting_after_the_close_belongs_to_the_next_year(story):
    story.enrolled_concurrently(HOME, AWAY, date(2026, 8, 31))

    assert story.term_closed(35, CLOSED_ON).syncs() == []
    assert story.enrolment(AWAY, "CONCURRENT").status == "ACTIVE"


def test_a_re_delivered_broadcast_changes_nothing(concurrent_story):
    first = concurrent_story.term_closed(35, CLOSED_ON)

    assert concurrent_story.close_year(first.event).outputs == []
    assert concurrent_story.term_closed(35, CLOSED_ON).outputs == []  # same run id, delivered as a new event


def test_the_same_run_gives_the_same_sync_id_when_replayed_from_scratch(make_story):
    def replay():
        told = make_story()
        told.enrolled_concurrently(HOME, AWAY, SEPTEMBER)
        return told.term_closed(35, CLOSED_ON).syncs()[0].sync_id

    assert replay() == replay()


@pytest.mark.parametrize(
    ("closed_on", "sent_code"),
    [(date(2019, 1, 30), "10000"), (date(2019, 1, 31), None), (date(2019, 2, 1), None)],
)
def test_exit_code_is_sent_only_before_the_policy_date(make_story, closed_on, sent_code):
    story = make_story(datetime(2019, 1, 30, 16, 0, tzinfo=UTC))
    story.enrolled_concurrently(HOME, AWAY, date(2018, 9, 4))

    [sync] = story.term_closed(28, closed_on).syncs()

    assert (sync.exit_date, sync.exit_code) == (closed_on, sent_code)
    assert story.enrolment(AWAY, "CONCURRENT").exit_code == "10000"


def test_an_overriding_exit_code_is_sent_before_the_policy_date(make_story):
    story = make_story(datetime(2018, 6, 29, 16, 0, tzinfo=UTC))
    story.enrolled_concurrently(HOME, AWAY, date(2017, 9, 5))

    [sync] = story.term_closed(27, date(2018, 6, 29), exit_code="20000").syncs()

    assert (sync.exit_date, sync.exit_code, sync.reason) == (date(2018, 6, 29), "20000", "END_OF_YEAR")


def test_closing_a_concurrent_enrolment_resolves_its_without_primary_alert(story):
    raised = story.concurrent_started(AWAY, HOME, SEPTEMBER).alerts(code="CONCURRENT_WITHOUT_PRIMARY")[0]

    step = story.term_closed(35, CLOSED_ON)

    assert [(a.alert_id, a.status) for a in step.alerts()] == [(raised.alert_id, "RESOLVED")]
