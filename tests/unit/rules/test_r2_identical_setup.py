"""R2: a concurrent school's Term IDs for a year must be identical to its students' home school's."""

from datetime import date

HOME, AWAY = "1111", "2222"
SEPTEMBER = date(2025, 9, 2)
OTHER_STUDENT = "987654321"


def _is_setup_mismatch(alert, status: str, year: int = 35) -> bool:
    return (
        alert.code,
        alert.category,
        alert.alert_type,
        alert.status,
        alert.asn,
        alert.school_code,
        alert.home_school_code,
        alert.school_year_id,
    ) == ("SCHOOL_SETUP_MISMATCH", "SECTION", "ADVICE", status, None, AWAY, HOME, year)


def test_setups_configured_before_the_concurrent_enrolment_are_compared_when_it_starts(story):
    story.terms_configured(HOME, 35, 3500, 3501)
    story.terms_configured(AWAY, 35, 3500, 3501, 3502)
    story.primary_started(HOME, SEPTEMBER)

    step = story.concurrent_started(AWAY, HOME, SEPTEMBER)

    [alert] = step.alerts(code="SCHOOL_SETUP_MISMATCH")
    assert _is_setup_mismatch(alert, "RAISED")
    assert alert.details == {
        "school_term_ids": "3500,3501,3502",
        "home_term_ids": "3500,3501",
        "only_at_school": "3502",
        "only_at_home": "",
    }
    assert alert.source_event_id == step.event.event_id


def test_setup_configured_after_the_concurrent_enrolment_is_compared_when_it_arrives(story):
    story.enrolled_concurrently(HOME, AWAY, SEPTEMBER)
    assert story.terms_configured(HOME, 35, 3500, 3501).outputs == []  # AWAY has no setup for 35 yet

    step = story.terms_configured(AWAY, 35, 3500, 3502)

    [alert] = step.alerts()
    assert _is_setup_mismatch(alert, "RAISED")
    assert (alert.details["only_at_school"], alert.details["only_at_home"]) == ("3502", "3501")


def test_the_home_school_configuring_last_is_compared_too(story):
    story.enrolled_concurrently(HOME, AWAY, SEPTEMBER)
    story.terms_configured(AWAY, 35, 3500, 3502)

    [alert] = story.terms_configured(HOME, 35, 3500, 3501).alerts()

    assert _is_setup_mismatch(alert, "RAISED")


def test_identical_setups_raise_nothing_in_either_order(story):
    story.terms_configured(HOME, 35, 3500, 3501)
    story.enrolled_concurrently(HOME, AWAY, SEPTEMBER)
    story.terms_configured(AWAY, 35, 3500, 3501)

    assert story.alerts() == []


def test_a_school_without_a_setup_for_the_year_is_not_a_mismatch(story):
    story.terms_configured(HOME, 35, 3500, 3501)
    story.terms_configured(AWAY, 36, 3600)  # another year

    story.enrolled_concurrently(HOME, AWAY, SEPTEMBER)

    assert story.alerts() == []


def test_the_entry_date_decides_which_year_is_compared(story):
    story.terms_configured(HOME, 35, 3500)
    story.terms_configured(AWAY, 35, 3501)
    story.primary_started(HOME, date(2026, 8, 24))

    step = story.concurrent_started(AWAY, HOME, date(2026, 8, 24))  # year 36: neither is configured

    assert step.outputs == []


def test_mismatch_is_resolved_when_the_setups_come_to_match(story):
    story.terms_configured(HOME, 35, 3500, 3501)
    story.terms_configured(AWAY, 35, 3500, 3502)
    raised = story.enrolled_concurrently(HOME, AWAY, SEPTEMBER).alerts()[0]

    step = story.terms_configured(AWAY, 35, 3500, 3501)

    [resolved] = step.alerts()
    assert _is_setup_mismatch(resolved, "RESOLVED")
    assert resolved.alert_id == raised.alert_id


def test_a_setup_still_different_after_reconfiguration_raises_nothing_new(story):
    story.terms_configured(HOME, 35, 3500, 3501)
    story.terms_configured(AWAY, 35, 3500, 3502)
    story.enrolled_concurrently(HOME, AWAY, SEPTEMBER)

    assert story.terms_configured(AWAY, 35, 3500, 3503).outputs == []


def test_one_alert_per_home_school_concurrent_school_and_year(story):
    story.terms_configured(HOME, 35, 3500, 3501)
    story.terms_configured(AWAY, 35, 3500, 3502)
    story.enrolled_concurrently(HOME, AWAY, SEPTEMBER)
    assert story.enrolled_concurrently(HOME, AWAY, SEPTEMBER, asn=OTHER_STUDENT).outputs == []

    story.terms_configured(HOME, 36, 3600)
    next_year = story.terms_configured(AWAY, 36, 3600, 3601).alerts()

    this_year = story.alerts(school_year_id=35)
    assert len(this_year) == 1 and len(next_year) == 1
    assert _is_setup_mismatch(next_year[0], "RAISED", year=36)
    assert next_year[0].alert_id != this_year[0].alert_id


def test_a_pair_no_longer_active_is_not_compared(story):
    story.enrolled_concurrently(HOME, AWAY, SEPTEMBER)
    story.exited(AWAY, "CONCURRENT", date(2025, 10, 1))
    story.terms_configured(HOME, 35, 3500, 3501)

    assert story.terms_configured(AWAY, 35, 3500, 3502).outputs == []


def test_terms_that_belong_to_another_school_year_are_left_out_of_the_comparison(story):
    story.terms_configured(HOME, 35, 3500, 3501)
    story.terms_configured(AWAY, 35, 3500, 3501, 3601, ending={3501: date(2026, 8, 14)})
    story.primary_started(HOME, SEPTEMBER)

    [alert] = story.concurrent_started(AWAY, HOME, SEPTEMBER).alerts(code="SCHOOL_SETUP_MISMATCH")

    assert (alert.details["school_term_ids"], alert.details["only_at_home"]) == ("3500", "3501")
