"""R8 concurrent needs a home: a concurrent enrolment needs a PRIMARY at another school covering its entry date;
judged again whenever one of the student's enrolments changes, resolved once one does or the enrolment ends."""

from consumer.domain import decisions as d
from consumer.domain.alerts import CONCURRENT_WITHOUT_PRIMARY
from consumer.domain.model import ACTIVE, CONCURRENT, Enrolment
from consumer.domain.policy import Policy
from consumer.domain.reads import ENROLMENTS, STUDENT_ALERTS, reads
from consumer.domain.rules.common import alert_key, has_primary_elsewhere, raise_alert, resolve_if_raised
from consumer.domain.rules.end_of_year import YearEnd
from consumer.domain.state import State
from schemas.events import (
    ConcurrentEnrolmentStarted,
    EnrolmentCancelled,
    PrimaryEnrolmentStarted,
    SchoolEnrolmentExited,
    StudentReEnrolled,
)
from schemas.types import school_year_of

RULE_ID = "R8"
READS = reads(ENROLMENTS, STUDENT_ALERTS)


def require_home(state: State, event: ConcurrentEnrolmentStarted, policy: Policy) -> list[d.Decision]:
    """R8: a concurrent enrolment whose entry date no PRIMARY at another school covers is rejected."""
    return judge_student(state, event.asn)


def reconcile(
    state: State,
    event: PrimaryEnrolmentStarted | SchoolEnrolmentExited | StudentReEnrolled | EnrolmentCancelled,
    policy: Policy,
) -> list[d.Decision]:
    """R8: an enrolment changed, so the student's concurrent enrolments are judged again."""
    return judge_student(state, event.asn)


def reconcile_at_year_end(state: State, closing: YearEnd, policy: Policy) -> list[d.Decision]:
    """R8: End of Year closed concurrent enrolments, so the student's are judged again."""
    return judge_student(state, closing.asn)


def judge_student(state: State, asn: str) -> list[d.Decision]:
    """R8 for each of the student's concurrent enrolments: raised while it is active and no PRIMARY at a
    different school covers its entry date, resolved once one does or the enrolment ends."""
    decisions: list[d.Decision] = []
    for concurrent in sorted(state.enrolments_of(asn), key=lambda e: e.school_code):
        if concurrent.kind != CONCURRENT:
            continue
        key = alert_key(CONCURRENT_WITHOUT_PRIMARY, RULE_ID, asn, concurrent.school_code, "")
        if concurrent.status != ACTIVE or concurrent.entry_date is None:
            decisions += resolve_if_raised(state, key, "the concurrent enrolment ended")
        elif has_primary_elsewhere(state, asn, concurrent.school_code, on=concurrent.entry_date):
            decisions += resolve_if_raised(state, key, "a primary enrolment at another school covers its entry date")
        else:
            decisions.append(_without_primary(concurrent))
    return decisions


def _without_primary(concurrent: Enrolment) -> d.RaiseAlert:
    entry, home = concurrent.entry_date, concurrent.home_school_code
    assert entry is not None  # judged only once the enrolment has started
    return raise_alert(
        CONCURRENT_WITHOUT_PRIMARY,
        RULE_ID,
        asn=concurrent.asn,
        school_code=concurrent.school_code,
        home_school_code=home,
        school_year_id=school_year_of(entry),
        subject="",
        message=(
            f"Concurrent enrolment at {concurrent.school_code} starting {entry} has no primary enrolment "
            f"at another school on that date (home school given: {home})"
        ),
        details={"entry_date": entry.isoformat(), "home_school_code": home or ""},
    )
