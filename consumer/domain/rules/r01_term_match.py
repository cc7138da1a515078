"""R1 term match: a stored grade at a school where the student is enrolled concurrently must carry one of the
home school's Term IDs for that year; the alert resolves when the home school configures that Term ID."""

from consumer.domain import decisions as d
from consumer.domain.alerts import TERM_ID_MISMATCH
from consumer.domain.model import CONCURRENT
from consumer.domain.policy import Policy
from consumer.domain.reads import ENROLMENTS, SCHOOL_TERMS, STUDENT_ALERTS, TERM_ALERTS, reads
from consumer.domain.rules.common import alert_key, is_home_school, joined, raise_alert, resolve_if_raised
from consumer.domain.rules.facts import own_term_ids
from consumer.domain.state import State
from schemas.events import SchoolTermsConfigured, StoredGradePosted

RULE_ID = "R1"
READS = reads(ENROLMENTS, SCHOOL_TERMS, STUDENT_ALERTS, TERM_ALERTS)


def check_grade_term(state: State, event: StoredGradePosted, policy: Policy) -> list[d.Decision]:
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
            state, alert_key(TERM_ID_MISMATCH, RULE_ID, event.asn, event.school_code, subject), "term now matches"
        )
    configured = joined(home_terms.term_ids) if home_terms else ""
    return [
        raise_alert(
            TERM_ID_MISMATCH,
            RULE_ID,
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


def resolve_term_mismatches(state: State, event: SchoolTermsConfigured, policy: Policy) -> list[d.Decision]:
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
