"""School setups: R1 stored grades use the home school's Term IDs, R2 concurrent schools mirror the home's setup."""

from consumer.domain import decisions as d
from consumer.domain.alerts import SCHOOL_SETUP_MISMATCH, TERM_ID_MISMATCH
from consumer.domain.model import CONCURRENT, SchoolTerms
from consumer.domain.policy import Policy
from consumer.domain.rules.common import (
    alert_key,
    is_home_school,
    joined,
    raise_alert,
    resolve_if_raised,
)
from consumer.domain.state import State
from schemas.types import school_year_of


def save_terms(state: State, event, policy: Policy) -> list[d.Decision]:
    """A school's term setup for a year replaces the one before. A term whose id or end date belongs to
    another school year is not one of this year's Term IDs (R1 alerts grades that use it, R2 compares
    setups without it); it is kept apart so that the alerts can say why."""
    payload = event.payload
    year = payload.school_year_id
    own = own_term_ids(payload)
    return [
        d.SaveSchoolTerms(
            SchoolTerms(
                school_code=event.school_code,
                school_year_id=year,
                term_ids=own,
                is_summer_school=payload.is_summer_school,
                source_event_id=event.event_id,
                misplaced_term_ids=frozenset(t.term_id for t in payload.terms) - own,
            )
        )
    ]


def own_term_ids(payload) -> frozenset[int]:
    """The configured terms that belong to the configured year by their id and by their end date."""
    year = payload.school_year_id
    return frozenset(t.term_id for t in payload.terms if t.term_id // 100 == year == school_year_of(t.last_day))


def check_grade_term(state: State, event, policy: Policy) -> list[d.Decision]:
    """R1: a grade at a concurrent school must carry one of the home school's Term IDs for that year."""
    payload = event.payload
    concurrent = state.enrolment(event.asn, event.school_code, CONCURRENT)
    if concurrent is None or concurrent.home_school_code is None:
        return []
    if is_home_school(state, event.asn, event.school_code):
        return []
    home = concurrent.home_school_code
    year = payload.term_id // 100
    subject = f"{payload.course_code}/{payload.term_id}"
    home_terms = state.terms(home, year)
    if home_terms is not None and payload.term_id in home_terms.term_ids:
        return resolve_if_raised(
            state, alert_key(TERM_ID_MISMATCH, "R1", event.asn, event.school_code, subject), "term now matches"
        )
    configured = joined(home_terms.term_ids) if home_terms else ""
    return [
        raise_alert(
            TERM_ID_MISMATCH,
            "R1",
            asn=event.asn,
            school_code=event.school_code,
            home_school_code=home,
            school_year_id=year,
            subject=subject,
            message=(
                f"Stored grade for {payload.course_code} at {event.school_code} uses Term ID {payload.term_id}, "
                f"which the home school {home} has not configured for school year {year}"
                + (f" (it has {configured})" if configured else " (it has no terms for that year)")
                + (
                    "; the home school configured it with an id or dates of another school year"
                    if home_terms is not None and payload.term_id in home_terms.misplaced_term_ids
                    else ""
                )
            ),
            details={
                "course_code": payload.course_code,
                "term_id": str(payload.term_id),
                "home_term_ids": configured,
                "mark": payload.mark,
            },
        )
    ]


def resolve_term_mismatches(state: State, event, policy: Policy) -> list[d.Decision]:
    """R1: when the home school configures a Term ID, grades that used it no longer mismatch."""
    payload = event.payload
    configured = own_term_ids(payload)
    decisions: list[d.Decision] = []
    for alert in state.raised_alerts(
        TERM_ID_MISMATCH.code, home_school_code=event.school_code, school_year_id=payload.school_year_id
    ):
        if int(alert.details.get("term_id", "-1")) in configured:
            resolution = f"home school configured Term ID {alert.details['term_id']}"
            decisions.append(d.ResolveAlert(alert.alert_key, resolution))
    return decisions


def check_new_pair(state: State, event, policy: Policy) -> list[d.Decision]:
    """R2: a new concurrent enrolment compares the two schools' setups for the entry date's year."""
    year = school_year_of(event.payload.entry_date)
    return compare_setups(state, event.payload.home_school_code, event.school_code, year)


def check_pairs_for_school(state: State, event, policy: Policy) -> list[d.Decision]:
    """R2: a school's new setup is compared with every school it shares an active concurrent enrolment with."""
    decisions: list[d.Decision] = []
    for home, school in state.active_pairs_involving(event.school_code):
        decisions += compare_setups(state, home, school, event.payload.school_year_id)
    return decisions


def compare_setups(state: State, home: str, school: str, year: int) -> list[d.Decision]:
    """R2: both configured and different is a mismatch; both configured and equal resolves it."""
    at_school, at_home = state.terms(school, year), state.terms(home, year)
    if at_school is None or at_home is None:
        return []  # an unconfigured year is not a mismatch; R1 still checks the grades
    subject = f"{home}/{year}"
    if at_school.term_ids == at_home.term_ids:
        return resolve_if_raised(
            state, alert_key(SCHOOL_SETUP_MISMATCH, "R2", None, school, subject), "setups now match"
        )
    only_school = at_school.term_ids - at_home.term_ids
    only_home = at_home.term_ids - at_school.term_ids
    return [
        raise_alert(
            SCHOOL_SETUP_MISMATCH,
            "R2",
            school_code=school,
            home_school_code=home,
            school_year_id=year,
            subject=subject,
            message=(
                f"School {school}'s Term IDs for year {year} differ from its concurrent students' home school "
                f"{home}: only at {school}: {joined(only_school) or 'none'}; "
                f"only at {home}: {joined(only_home) or 'none'}"
            ),
            details={
                "school_term_ids": joined(at_school.term_ids),
                "home_term_ids": joined(at_home.term_ids),
                "only_at_school": joined(only_school),
                "only_at_home": joined(only_home),
            },
        )
    ]
