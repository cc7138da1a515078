"""R2 identical setup: a school where students are enrolled concurrently mirrors their home school's Term IDs for
the year; both configured and different is a mismatch, both configured and equal resolves it."""

from consumer.domain import decisions as d
from consumer.domain.alerts import SCHOOL_SETUP_MISMATCH
from consumer.domain.policy import Policy
from consumer.domain.reads import ACTIVE_PAIRS, ENROLMENTS, SCHOOL_TERMS, SETUP_ALERTS, reads
from consumer.domain.rules.common import alert_key, joined, raise_alert, resolve_if_raised
from consumer.domain.state import State
from schemas.events import ConcurrentEnrolmentStarted, SchoolTermsConfigured
from schemas.types import school_year_of

RULE_ID = "R2"
READS = reads(ACTIVE_PAIRS, ENROLMENTS, SCHOOL_TERMS, SETUP_ALERTS)


def check_new_pair(state: State, event: ConcurrentEnrolmentStarted, policy: Policy) -> list[d.Decision]:
    """R2: a new concurrent enrolment compares the two schools' setups for the entry date's year."""
    year = school_year_of(event.payload.entry_date)
    return compare_setups(state, event.payload.home_school_code, event.school_code, year)


def check_pairs_for_school(state: State, event: SchoolTermsConfigured, policy: Policy) -> list[d.Decision]:
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
            state, alert_key(SCHOOL_SETUP_MISMATCH, RULE_ID, None, school, subject), "setups now match"
        )
    only_school = at_school.term_ids - at_home.term_ids
    only_home = at_home.term_ids - at_school.term_ids
    return [
        raise_alert(
            SCHOOL_SETUP_MISMATCH,
            RULE_ID,
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
