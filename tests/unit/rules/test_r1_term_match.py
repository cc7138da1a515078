"""R1: a stored grade at a concurrent school must carry one of the home school's Term IDs for that year."""

from datetime import date

import pytest

HOME, AWAY = "1111", "2222"
STUDENT = "123456789"
SEPTEMBER = date(2025, 9, 2)


@pytest.fixture
def concurrent_story(story):
    """The student's home is HOME; they also attend AWAY concurrently, school year 35 (2025-26)."""
    story.enrolled_concurrently(HOME, AWAY, SEPTEMBER)
    return story


def test_grade_in_a_term_the_home_school_has_not_configured_raises_term_id_mismatch(concurrent_story):
    concurrent_story.terms_configured(HOME, 35, 3500, 3501, 3502)

    step = concurrent_story.grade_posted(AWAY, "MAT1791", 3503)

    [alert] = step.alerts()
    assert (alert.code, alert.category, alert.alert_type, alert.status) == (
        "TERM_ID_MISMATCH",
        "EVALUATED_MARK",
        "WARNING",
        "RAISED",
    )
    assert (alert.asn, alert.school_code, alert.home_school_code, alert.school_year_id) == (STUDENT, AWAY, HOME, 35)
    assert alert.details["term_id"] == "3503"
    assert alert.details["home_term_ids"] == "3500,3501,3502"
    assert alert.source_event_id == step.event.event_id
    assert alert.occurred_at == step.event.occurred_at


def test_grade_after_the_home_school_configured_its_term_raises_nothing(concurrent_story):
    concurrent_story.terms_configured(HOME, 35, 3500, 3501, 3502)

    step = concurrent_story.grade_posted(AWAY, "MAT1791", 3502)

    assert step.outputs == []


def test_grade_before_the_home_school_configures_its_terms_is_resolved_when_it_does(concurrent_story):
    raised = concurrent_story.grade_posted(AWAY, "MAT1791", 3501).alerts(code="TERM_ID_MISMATCH")[0]
    assert raised.details["home_term_ids"] == ""

    configured = concurrent_story.terms_configured(HOME, 35, 3500, 3501)

    [resolved] = configured.alerts()
    assert (resolved.code, resolved.status, resolved.alert_id) == ("TERM_ID_MISMATCH", "RESOLVED", raised.alert_id)
    assert (resolved.school_code, resolved.home_school_code, resolved.school_year_id) == (AWAY, HOME, 35)
    assert resolved.source_event_id == configured.event.event_id


def test_home_configuration_without_the_term_leaves_the_alert_raised(concurrent_story):
    concurrent_story.grade_posted(AWAY, "MAT1791", 3503)

    assert concurrent_story.terms_configured(HOME, 35, 3500, 3501).outputs == []
    assert [a.status for a in concurrent_story.alerts(code="TERM_ID_MISMATCH")] == ["RAISED"]


def test_configuring_another_year_or_another_school_resolves_nothing(concurrent_story):
    concurrent_story.grade_posted(AWAY, "MAT1791", 3501)

    assert concurrent_story.terms_configured(HOME, 36, 3600, 3601).outputs == []
    assert concurrent_story.terms_configured(AWAY, 35, 3500, 3501).alerts(code="TERM_ID_MISMATCH") == []


def test_each_course_and_term_has_its_own_alert(concurrent_story):
    concurrent_story.terms_configured(HOME, 35, 3500)

    first = concurrent_story.grade_posted(AWAY, "MAT1791", 3501).alerts()[0]
    second = concurrent_story.grade_posted(AWAY, "SCI1270", 3501).alerts()[0]
    third = concurrent_story.grade_posted(AWAY, "MAT1791", 3502).alerts()[0]

    assert len({first.alert_id, second.alert_id, third.alert_id}) == 3


def test_a_repeated_grade_raises_nothing_new(concurrent_story):
    posted = concurrent_story.grade_posted(AWAY, "MAT1791", 3503)

    assert concurrent_story.again(posted).outputs == []
    assert concurrent_story.grade_posted(AWAY, "MAT1791", 3503).outputs == []
    assert len(concurrent_story.alerts(code="TERM_ID_MISMATCH")) == 1


def test_grade_at_the_home_school_is_not_checked(concurrent_story):
    concurrent_story.terms_configured(HOME, 35, 3500)

    assert concurrent_story.grade_posted(HOME, "MAT1791", 3503).outputs == []


def test_grade_at_a_school_where_the_student_is_not_concurrent_is_not_checked(story):
    story.primary_started(HOME, SEPTEMBER)
    story.terms_configured(HOME, 35, 3500)

    assert story.grade_posted(AWAY, "MAT1791", 3503).outputs == []


def test_a_term_the_home_school_configured_with_dates_in_another_school_year_is_not_one_of_its_term_ids(
    concurrent_story,
):
    concurrent_story.terms_configured(HOME, 35, 3500, 3502, ending={3502: date(2026, 8, 14)})

    [alert] = concurrent_story.grade_posted(AWAY, "MAT1791", 3502).alerts()

    assert (alert.code, alert.status, alert.home_school_code, alert.school_year_id) == (
        "TERM_ID_MISMATCH", "RAISED", HOME, 35
    )
    assert alert.details["home_term_ids"] == "3500"
    assert "another school year" in alert.message


def test_a_term_id_of_another_year_in_the_home_schools_setup_is_not_a_term_of_the_grades_year(concurrent_story):
    concurrent_story.terms_configured(HOME, 35, 3500, 3601)

    [alert] = concurrent_story.grade_posted(AWAY, "MAT1791", 3601).alerts()

    assert (alert.code, alert.school_year_id, alert.details["term_id"]) == ("TERM_ID_MISMATCH", 36, "3601")
    assert concurrent_story.grade_posted(AWAY, "SCI1270", 3500).outputs == []
