"""Every alert: a deterministic id, RAISED once, RESOLVED once with that id; raised again, a new occurrence and id."""

from datetime import date

import pytest

from consumer.domain.decisions import alert_key, occurrence_id

HOME, AWAY = "1111", "2222"
STUDENT, OTHER_STUDENT = "123456789", "987654321"
SEPTEMBER = date(2025, 9, 2)


@pytest.fixture
def mismatched(story):
    """AWAY's year-35 setup differs from HOME's while a student attends both: R2 has raised its alert."""
    story.terms_configured(HOME, 35, 3500, 3501)
    story.terms_configured(AWAY, 35, 3500, 3502)
    story.enrolled_concurrently(HOME, AWAY, SEPTEMBER)
    assert len(story.alerts(status="RAISED")) == 1
    return story


def _history(story):
    return [(a.alert_id, a.status) for a in story.alerts()]


def test_the_first_occurrence_id_is_made_of_rule_code_student_school_and_subject(mismatched):
    [alert] = mismatched.alerts()

    assert alert.alert_id == alert_key("R2", "SCHOOL_SETUP_MISMATCH", None, AWAY, f"{HOME}/35")


def test_an_alert_is_raised_once_however_often_its_cause_is_seen(mismatched):
    reconfigured = mismatched.terms_configured(AWAY, 35, 3500, 3503)

    assert mismatched.again(reconfigured).outputs == []
    assert mismatched.enrolled_concurrently(HOME, AWAY, SEPTEMBER, asn=OTHER_STUDENT).outputs == []
    assert [status for _, status in _history(mismatched)] == ["RAISED"]


def test_an_alert_is_resolved_once_with_the_same_id(mismatched):
    [raised] = mismatched.alerts()

    resolving = mismatched.terms_configured(AWAY, 35, 3500, 3501)
    assert mismatched.again(resolving).outputs == []
    assert mismatched.terms_configured(HOME, 35, 3500, 3501).outputs == []

    assert _history(mismatched) == [(raised.alert_id, "RAISED"), (raised.alert_id, "RESOLVED")]
    resolved = mismatched.alerts(status="RESOLVED")[0]
    assert (resolved.code, resolved.school_code, resolved.home_school_code) == ("SCHOOL_SETUP_MISMATCH", AWAY, HOME)
    assert resolved.source_event_id == resolving.event.event_id
    assert "resolution" in resolved.details


def test_an_alert_raised_again_after_resolution_is_a_new_occurrence_with_an_id_of_its_own(mismatched):
    [raised] = mismatched.alerts()
    mismatched.terms_configured(AWAY, 35, 3500, 3501)

    again = mismatched.terms_configured(AWAY, 35, 3500, 3504)

    [reraised] = again.alerts()
    assert reraised.status == "RAISED" and reraised.alert_id != raised.alert_id
    assert reraised.alert_id == occurrence_id(raised.alert_id, 2)
    assert reraised.details["only_at_school"] == "3504"
    [resolved] = mismatched.terms_configured(AWAY, 35, 3500, 3501).alerts()
    assert (resolved.alert_id, resolved.status) == (reraised.alert_id, "RESOLVED")
    message_ids = mismatched.message_ids()
    assert len(message_ids) == 4 and len(set(message_ids)) == 4


def test_no_alert_id_is_ever_raised_twice(mismatched):
    for term in (3501, 3504, 3501, 3505, 3501):
        mismatched.terms_configured(AWAY, 35, 3500, term)

    raised = [alert_id for alert_id, status in _history(mismatched) if status == "RAISED"]
    assert len(raised) == 3 and len(set(raised)) == 3
    for alert_id in raised:
        assert _history(mismatched).count((alert_id, "RESOLVED")) == 1


def test_a_student_alert_follows_the_same_lifecycle(story):
    raised = story.concurrent_started(AWAY, HOME, SEPTEMBER)
    assert story.again(raised).outputs == []
    resolved = story.primary_started(HOME, SEPTEMBER)
    assert story.again(resolved).outputs == []
    story.exited(HOME, "PRIMARY", date(2025, 9, 5))
    story.concurrent_started(AWAY, HOME, date(2025, 9, 8))

    [first] = raised.alerts()
    second = occurrence_id(first.alert_id, 2)
    assert _history(story) == [(first.alert_id, "RAISED"), (first.alert_id, "RESOLVED"), (second, "RAISED")]


def test_alerts_of_different_students_have_different_ids(story):
    first = story.concurrent_started(AWAY, HOME, SEPTEMBER).alerts()[0]
    second = story.concurrent_started(AWAY, HOME, SEPTEMBER, asn=OTHER_STUDENT).alerts()[0]

    assert (first.asn, second.asn) == (STUDENT, OTHER_STUDENT)
    assert first.alert_id != second.alert_id


def test_replaying_the_same_history_gives_the_same_ids(make_story):
    def tell():
        story = make_story()
        story.terms_configured(HOME, 35, 3500)
        story.terms_configured(AWAY, 35, 3501)
        story.concurrent_started(AWAY, HOME, SEPTEMBER)
        story.primary_started(HOME, SEPTEMBER)
        story.exited(HOME, "PRIMARY", date(2025, 10, 1))
        return [(o.kind, o.message_id) for o in story.state.outputs]

    first, second = tell(), tell()

    assert first == second
    assert [kind for kind, _ in first] == ["alert", "alert", "alert", "sync"]
