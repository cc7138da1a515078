"""R8: a concurrent enrolment needs an active primary elsewhere when it starts; R9: one left without it is orphaned."""

from datetime import UTC, date, datetime, timedelta

import pytest

HOME, AWAY, NEW_HOME = "1111", "2222", "5555"
STUDENT = "123456789"
SEPTEMBER = date(2025, 9, 2)
EXIT_DAY = date(2026, 3, 2)
DUE = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)  # midnight after March 2 in Edmonton


def _kind(alert):
    return (alert.code, alert.category, alert.alert_type, alert.status)


# R8 ---------------------------------------------------------------------------------------------------------------
def test_concurrent_enrolment_without_any_primary_is_rejected(story):
    step = story.concurrent_started(AWAY, HOME, SEPTEMBER)

    [alert] = step.alerts()
    assert _kind(alert) == ("CONCURRENT_WITHOUT_PRIMARY", "ENROLMENT", "REJECTION", "RAISED")
    assert (alert.asn, alert.school_code, alert.home_school_code, alert.school_year_id) == (STUDENT, AWAY, HOME, 35)
    assert alert.details == {"entry_date": "2025-09-02", "home_school_code": HOME}
    assert alert.source_event_id == step.event.event_id


def test_concurrent_enrolment_with_an_active_primary_at_another_school_is_accepted(story):
    story.primary_started(HOME, SEPTEMBER)

    assert story.concurrent_started(AWAY, HOME, SEPTEMBER).outputs == []


@pytest.mark.parametrize("home_exit", [date(2025, 8, 29), SEPTEMBER])  # exit dates are exclusive
def test_a_primary_ended_by_the_entry_date_does_not_count(story, home_exit):
    story.primary_started(HOME, date(2024, 9, 3))
    story.exited(HOME, "PRIMARY", home_exit)

    assert [_kind(a) for a in story.concurrent_started(AWAY, HOME, SEPTEMBER).alerts()] == [
        ("CONCURRENT_WITHOUT_PRIMARY", "ENROLMENT", "REJECTION", "RAISED")
    ]


def test_a_primary_at_the_concurrent_school_itself_is_no_home(story):
    story.primary_started(AWAY, SEPTEMBER)

    assert len(story.concurrent_started(AWAY, HOME, SEPTEMBER).alerts(alert_type="REJECTION")) == 1


def test_a_concurrent_enrolment_whose_home_school_is_its_own_school_is_rejected(story):
    story.primary_started(AWAY, SEPTEMBER)

    step = story.concurrent_started(AWAY, AWAY, SEPTEMBER)

    [alert] = step.alerts()
    assert _kind(alert) == ("CONCURRENT_WITHOUT_PRIMARY", "ENROLMENT", "REJECTION", "RAISED")
    assert (alert.school_code, alert.home_school_code) == (AWAY, AWAY)


def test_the_rejection_resolves_when_a_primary_starts_elsewhere(story):
    raised = story.concurrent_started(AWAY, HOME, SEPTEMBER).alerts()[0]

    [resolved] = story.primary_started(HOME, SEPTEMBER).alerts()

    assert (resolved.alert_id, resolved.status, resolved.school_code) == (raised.alert_id, "RESOLVED", AWAY)


@pytest.mark.parametrize("ending", ["exited", "cancelled"])
def test_the_rejection_resolves_when_the_concurrent_enrolment_ends(story, ending):
    raised = story.concurrent_started(AWAY, HOME, SEPTEMBER).alerts()[0]

    if ending == "exited":
        step = story.exited(AWAY, "CONCURRENT", date(2025, 9, 10))
    else:
        step = story.cancelled(AWAY, "CONCURRENT")

    assert [(a.alert_id, a.status) for a in step.alerts()] == [(raised.alert_id, "RESOLVED")]


def test_a_primary_starting_after_the_entry_date_does_not_resolve_the_rejection(story):
    story.concurrent_started(AWAY, HOME, SEPTEMBER)

    assert story.primary_started(HOME, date(2025, 10, 1)).alerts() == []
    assert len(story.alerts(code="CONCURRENT_WITHOUT_PRIMARY", status="RAISED")) == 1


def test_re_opening_the_concurrent_enrolment_within_a_primary_resolves_the_rejection(story):
    [raised] = story.concurrent_started(AWAY, HOME, SEPTEMBER).alerts()
    story.primary_started(HOME, date(2025, 10, 1))

    step = story.concurrent_started(AWAY, HOME, date(2025, 10, 6))

    assert [(a.alert_id, a.status) for a in step.alerts()] == [(raised.alert_id, "RESOLVED")]
    assert step.alerts()[0].source_event_id == step.event.event_id


def test_cancelling_the_only_primary_that_covered_the_entry_date_raises_the_rejection(story):
    story.enrolled_concurrently(HOME, AWAY, SEPTEMBER)

    step = story.cancelled(HOME, "PRIMARY")

    assert [_kind(a) for a in step.alerts()] == [("CONCURRENT_WITHOUT_PRIMARY", "ENROLMENT", "REJECTION", "RAISED")]


def test_a_rejection_that_comes_back_after_resolution_is_raised_under_a_new_id(story):
    [first] = story.concurrent_started(AWAY, HOME, SEPTEMBER).alerts()
    story.primary_started(HOME, SEPTEMBER)
    story.exited(HOME, "PRIMARY", date(2025, 11, 3))
    story.exited(AWAY, "CONCURRENT", date(2025, 11, 3))

    [second] = story.concurrent_started(AWAY, HOME, date(2025, 11, 10)).alerts()

    assert (second.status, second.school_code) == ("RAISED", AWAY)
    assert second.alert_id != first.alert_id
    assert [a.alert_id for a in story.alerts(status="RAISED")] == [first.alert_id, second.alert_id]


# R9 ---------------------------------------------------------------------------------------------------------------
@pytest.fixture
def orphan_story(make_story):
    story = make_story(datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    story.enrolled_concurrently(HOME, AWAY, SEPTEMBER)
    return story


def test_concurrent_enrolment_left_without_a_home_warns_at_the_grace_deadline(orphan_story):
    left = orphan_story.exited(HOME, "PRIMARY", EXIT_DAY, reason="WITHDRAWN")
    assert left.alerts() == []

    step = orphan_story.someone_else_acts(DUE)

    [alert] = step.alerts()
    assert _kind(alert) == ("CONCURRENT_WITHOUT_PRIMARY", "ENROLMENT", "WARNING", "RAISED")
    assert (alert.asn, alert.school_code, alert.home_school_code, alert.school_year_id) == (STUDENT, AWAY, HOME, 35)
    assert alert.details == {"exited_school_code": HOME, "exit_date": "2026-03-02"}
    assert (alert.source_event_id, alert.occurred_at) == (left.event.event_id, DUE)


def test_the_orphan_check_waits_for_an_event_at_or_after_the_deadline(orphan_story):
    orphan_story.exited(HOME, "PRIMARY", EXIT_DAY, reason="OTHER")

    assert orphan_story.someone_else_acts(DUE - timedelta(seconds=1)).outputs == []
    assert len(orphan_story.someone_else_acts(DUE, asn="555555555").alerts(alert_type="WARNING")) == 1


def test_a_transfer_out_without_a_continuing_school_is_watched_too(orphan_story):
    orphan_story.exited(HOME, "PRIMARY", EXIT_DAY, reason="TRANSFER_OUT")

    assert [a.alert_type for a in orphan_story.someone_else_acts(DUE).alerts()] == ["WARNING"]


def test_a_new_primary_before_the_deadline_prevents_the_warning(orphan_story):
    orphan_story.exited(HOME, "PRIMARY", EXIT_DAY)
    orphan_story.primary_started(NEW_HOME, EXIT_DAY)

    assert orphan_story.someone_else_acts(DUE).outputs == []


def test_the_concurrent_enrolment_ending_before_the_deadline_prevents_the_warning(orphan_story):
    orphan_story.exited(HOME, "PRIMARY", EXIT_DAY)
    orphan_story.exited(AWAY, "CONCURRENT", EXIT_DAY)

    assert orphan_story.someone_else_acts(DUE).outputs == []


def test_continuing_at_the_concurrent_school_is_not_an_orphan(orphan_story):
    orphan_story.transferred_out(HOME, AWAY, EXIT_DAY)

    assert orphan_story.someone_else_acts(DUE).alerts(code="CONCURRENT_WITHOUT_PRIMARY") == []


def test_the_warning_resolves_when_a_new_primary_starts(orphan_story):
    orphan_story.exited(HOME, "PRIMARY", EXIT_DAY)
    raised = orphan_story.someone_else_acts(DUE).alerts()[0]

    step = orphan_story.primary_started(NEW_HOME, date(2026, 3, 9))

    assert [(a.alert_id, a.status, a.alert_type) for a in step.alerts()] == [(raised.alert_id, "RESOLVED", "WARNING")]


def test_the_warning_and_a_rejection_at_the_same_school_are_different_alerts(story):
    rejection = story.concurrent_started(AWAY, HOME, SEPTEMBER).alerts()[0]
    story.primary_started(HOME, SEPTEMBER)
    story.at(datetime(2026, 3, 2, 16, 0, tzinfo=UTC)).exited(HOME, "PRIMARY", EXIT_DAY)

    warning = story.someone_else_acts(DUE).alerts()[0]

    assert (warning.school_code, warning.alert_type) == (AWAY, "WARNING")
    assert warning.alert_id != rejection.alert_id


def test_a_transfer_out_continuing_at_a_school_that_is_not_concurrent_is_watched(orphan_story):
    orphan_story.transferred_out(HOME, "7777", EXIT_DAY)

    warnings = orphan_story.someone_else_acts(DUE).alerts(code="CONCURRENT_WITHOUT_PRIMARY")

    assert [(a.school_code, a.alert_type, a.status) for a in warnings] == [(AWAY, "WARNING", "RAISED")]
