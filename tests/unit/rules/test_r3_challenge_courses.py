"""R3: a challenge course (CHA) taken away from home needs its section, course enrolment and mark at that school."""

from datetime import date

import pytest

HOME, AWAY, ELSEWHERE = "1111", "2222", "3333"
STUDENT = "123456789"
SEPTEMBER = date(2025, 9, 2)
COURSE, SECTION, TERM = "MAT1791", "CHA-1", 3501


@pytest.fixture
def concurrent_story(story):
    """Home school HOME, concurrent at AWAY; both set up identically for year 35, so R1 and R2 stay quiet."""
    story.terms_configured(HOME, 35, 3500, TERM)
    story.terms_configured(AWAY, 35, 3500, TERM)
    story.enrolled_concurrently(HOME, AWAY, SEPTEMBER)
    return story


def _enrol(story, school=AWAY, course_type="CHA"):
    return story.course_enrolled(school, COURSE, SECTION, TERM, SEPTEMBER, course_type=course_type)


def _mark(story, school=AWAY, section=SECTION):
    return story.grade_posted(school, COURSE, TERM, section=section, course_type="CHA")


def _is_incomplete(alert, status: str) -> bool:
    return (
        alert.code,
        alert.category,
        alert.alert_type,
        alert.status,
        alert.asn,
        alert.school_code,
        alert.home_school_code,
        alert.school_year_id,
    ) == ("CHALLENGE_COURSE_INCOMPLETE", "COURSE_ENROLMENT", "WARNING", status, STUDENT, AWAY, HOME, 35)


def test_section_scheduled_before_the_course_enrolment_and_mark_raises_nothing(concurrent_story):
    concurrent_story.section_scheduled(AWAY, COURSE, SECTION, TERM)
    _enrol(concurrent_story)
    _mark(concurrent_story)

    assert concurrent_story.alerts() == []


def test_course_enrolment_before_its_section_raises_and_the_section_then_mark_resolve_it(concurrent_story):
    [raised] = _enrol(concurrent_story).alerts()
    assert _is_incomplete(raised, "RAISED")
    assert raised.details == {"course_code": COURSE, "section_id": SECTION, "missing": "section"}

    assert concurrent_story.section_scheduled(AWAY, COURSE, SECTION, TERM).outputs == []  # the mark is still missing
    [resolved] = _mark(concurrent_story).alerts()

    assert _is_incomplete(resolved, "RESOLVED")
    assert resolved.alert_id == raised.alert_id


def test_section_scheduled_after_the_course_enrolment_and_mark_resolves_the_alert(concurrent_story):
    raised = _enrol(concurrent_story).alerts()[0]
    assert _mark(concurrent_story).outputs == []  # still the same, already raised alert

    step = concurrent_story.section_scheduled(AWAY, COURSE, SECTION, TERM)

    [resolved] = step.alerts()
    assert _is_incomplete(resolved, "RESOLVED")
    assert resolved.alert_id == raised.alert_id
    assert resolved.source_event_id == step.event.event_id


def test_a_mark_without_section_or_course_enrolment_names_both_as_missing(concurrent_story):
    [raised] = _mark(concurrent_story).alerts()

    assert _is_incomplete(raised, "RAISED")
    assert raised.details["missing"] == "section,course_enrolment"


def test_a_mark_then_its_section_then_its_course_enrolment_resolves_on_the_last_fact(concurrent_story):
    _mark(concurrent_story)
    assert concurrent_story.section_scheduled(AWAY, COURSE, SECTION, TERM).outputs == []

    [resolved] = _enrol(concurrent_story).alerts()

    assert _is_incomplete(resolved, "RESOLVED")


def test_a_section_of_another_course_or_school_does_not_resolve(concurrent_story):
    _enrol(concurrent_story)
    _mark(concurrent_story)

    assert concurrent_story.section_scheduled(AWAY, "SCI1270", SECTION, TERM).outputs == []
    assert concurrent_story.section_scheduled(ELSEWHERE, COURSE, SECTION, TERM).outputs == []


def test_challenge_course_at_the_home_school_is_not_checked(concurrent_story):
    _enrol(concurrent_story, school=HOME)
    _mark(concurrent_story, school=HOME)

    assert concurrent_story.alerts() == []


def test_a_regular_course_away_from_home_is_not_checked(concurrent_story):
    _enrol(concurrent_story, course_type="REG")

    assert concurrent_story.alerts() == []


def test_one_alert_per_student_school_and_course(concurrent_story):
    raised = _enrol(concurrent_story).alerts()[0]
    assert _mark(concurrent_story).outputs == []
    assert concurrent_story.course_enrolled(AWAY, COURSE, "CHA-2", TERM, SEPTEMBER, course_type="CHA").outputs == []

    assert [a.alert_id for a in concurrent_story.alerts()] == [raised.alert_id]


def test_term_closed_raises_for_a_challenge_course_without_its_mark(concurrent_story):
    concurrent_story.section_scheduled(AWAY, COURSE, SECTION, TERM)
    _enrol(concurrent_story)

    step = concurrent_story.term_closed(35, date(2026, 6, 30))

    [raised] = step.alerts()
    assert _is_incomplete(raised, "RAISED")
    assert raised.details["missing"] == "mark"
    assert raised.source_event_id == step.event.event_id
    [resolved] = _mark(concurrent_story).alerts()
    assert _is_incomplete(resolved, "RESOLVED")


def test_term_closed_for_another_year_or_other_schools_does_not_check(concurrent_story):
    concurrent_story.section_scheduled(AWAY, COURSE, SECTION, TERM)
    _enrol(concurrent_story)

    assert concurrent_story.term_closed(34, date(2025, 6, 30), run_id="eoy-34").alerts() == []
    assert concurrent_story.term_closed(35, date(2026, 6, 30), school_codes=(ELSEWHERE,)).alerts() == []


def test_term_closed_with_every_fact_present_raises_nothing(concurrent_story):
    concurrent_story.section_scheduled(AWAY, COURSE, SECTION, TERM)
    _enrol(concurrent_story)
    _mark(concurrent_story)

    assert concurrent_story.term_closed(35, date(2026, 6, 30)).alerts() == []


def test_at_end_of_year_the_mark_is_what_is_needed_not_the_section(story):
    story.primary_started(AWAY, SEPTEMBER)  # AWAY is the home school when the course is taken: not checked
    _enrol(story)
    _mark(story)
    story.exited(AWAY, "PRIMARY", date(2025, 10, 1))
    story.enrolled_concurrently(HOME, AWAY, date(2025, 10, 1))

    assert story.term_closed(35, date(2026, 6, 30)).alerts() == []


def test_last_years_mark_does_not_complete_this_years_challenge_course(concurrent_story):
    for school in (HOME, AWAY):
        concurrent_story.terms_configured(school, 34, 3401)
    for term, entry in ((3401, date(2024, 9, 3)), (TERM, SEPTEMBER)):
        concurrent_story.section_scheduled(AWAY, COURSE, SECTION, term)
        concurrent_story.course_enrolled(AWAY, COURSE, SECTION, term, entry, course_type="CHA")
    concurrent_story.grade_posted(AWAY, COURSE, 3401, section=SECTION, course_type="CHA")
    assert concurrent_story.alerts() == []

    [raised] = concurrent_story.term_closed(35, date(2026, 6, 30)).alerts()

    assert _is_incomplete(raised, "RAISED")
    assert raised.details["missing"] == "mark"


def test_a_section_scheduled_for_another_year_is_not_this_years_section(concurrent_story):
    concurrent_story.section_scheduled(AWAY, COURSE, SECTION, 3401)

    [raised] = _enrol(concurrent_story).alerts()

    assert (raised.details["missing"], raised.school_year_id) == ("section", 35)
    assert [a.status for a in concurrent_story.section_scheduled(AWAY, COURSE, SECTION, TERM).alerts()] == []
    assert [a.status for a in _mark(concurrent_story).alerts()] == ["RESOLVED"]


def test_end_of_year_checks_challenge_courses_whose_home_school_is_in_scope(concurrent_story):
    concurrent_story.section_scheduled(AWAY, COURSE, SECTION, TERM)
    _enrol(concurrent_story)

    [raised] = concurrent_story.term_closed(35, date(2026, 6, 30), school_codes=(HOME,)).alerts()

    assert _is_incomplete(raised, "RAISED")
    assert raised.details["missing"] == "mark"
