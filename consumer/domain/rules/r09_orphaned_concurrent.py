"""R9 orphaned concurrent: when a student leaves the home school without continuing at a concurrent school (R7's
case), each concurrent enrolment still active at the grace deadline with no new PRIMARY elsewhere is orphaned;
the warning resolves once the enrolment ends or a primary enrolment exists."""

from datetime import date

from consumer.domain import decisions as d
from consumer.domain.alerts import ORPHANED_CONCURRENT
from consumer.domain.model import ACTIVE, CONCURRENT, PRIMARY, Deadline
from consumer.domain.policy import Policy
from consumer.domain.reads import ENROLMENTS, STUDENT_ALERTS, reads
from consumer.domain.rules.common import (
    continuing_concurrent,
    has_primary_elsewhere,
    raise_alert,
    resolve_if_raised,
    set_deadline,
)
from consumer.domain.rules.end_of_year import YearEnd
from consumer.domain.state import State
from schemas.events import EnrolmentCancelled, PrimaryEnrolmentStarted, SchoolEnrolmentExited, StudentReEnrolled
from schemas.types import school_year_of

RULE_ID = "R9"
READS = reads(ENROLMENTS, STUDENT_ALERTS)
ORPHAN = "ORPHAN"


def watch_for_orphans(state: State, event: SchoolEnrolmentExited, policy: Policy) -> list[d.Decision]:
    """R9: a primary exit not continuing at a concurrent school (R7's case) sets a check at the grace deadline."""
    payload = event.payload
    if payload.enrolment_kind != PRIMARY or continuing_concurrent(state, event) is not None:
        return []
    concurrent = [e for e in state.enrolments_of(event.asn) if e.kind == CONCURRENT and e.status == ACTIVE]
    if not concurrent:
        return []
    reference = payload.exit_date.isoformat()
    due_at = policy.grace_deadline(payload.exit_date)
    return [set_deadline(state, ORPHAN, event.asn, event.school_code, reference, due_at, event.event_id)]


def check_orphans(state: State, deadline: Deadline, policy: Policy) -> list[d.Decision]:
    """R9: at the deadline, each still-active concurrent enrolment without a new primary is orphaned."""
    exit_date = date.fromisoformat(deadline.reference)
    decisions: list[d.Decision] = []
    for enrolment in sorted(state.enrolments_of(deadline.asn), key=lambda e: e.school_code):
        if enrolment.kind != CONCURRENT or enrolment.status != ACTIVE:
            continue
        if has_primary_elsewhere(state, deadline.asn, enrolment.school_code):
            continue
        decisions.append(
            raise_alert(
                ORPHANED_CONCURRENT,
                RULE_ID,
                asn=deadline.asn,
                school_code=enrolment.school_code,
                home_school_code=deadline.school_code,
                school_year_id=school_year_of(exit_date),
                subject=f"{deadline.school_code}/{deadline.reference}",
                message=(
                    f"Concurrent enrolment at {enrolment.school_code} is still active but the student left "
                    f"the home school {deadline.school_code} on {exit_date} and no new primary enrolment started"
                ),
                details={"exited_school_code": deadline.school_code, "exit_date": deadline.reference},
            )
        )
    decisions.append(d.CompleteDeadline(deadline.deadline_id))
    return decisions


def resolve_orphans(
    state: State,
    event: PrimaryEnrolmentStarted | SchoolEnrolmentExited | StudentReEnrolled | EnrolmentCancelled,
    policy: Policy,
) -> list[d.Decision]:
    """R9: an enrolment changed, so the student's orphan warnings whose cause went away resolve."""
    return resolve_student(state, event.asn)


def resolve_at_year_end(state: State, closing: YearEnd, policy: Policy) -> list[d.Decision]:
    """R9: End of Year closed concurrent enrolments; the warnings about them resolve."""
    return resolve_student(state, closing.asn)


def resolve_student(state: State, asn: str) -> list[d.Decision]:
    """R9 warnings of the student resolved once the concurrent enrolment ended or a primary enrolment exists."""
    decisions: list[d.Decision] = []
    for alert in state.raised_alerts(ORPHANED_CONCURRENT.code, asn=asn, rule=RULE_ID):
        concurrent = state.enrolment(asn, alert.school_code, CONCURRENT)
        if concurrent is None or concurrent.status != ACTIVE:
            decisions += resolve_if_raised(state, alert.alert_key, "the concurrent enrolment ended")
        elif has_primary_elsewhere(state, asn, alert.school_code):
            decisions += resolve_if_raised(state, alert.alert_key, "a primary enrolment now exists")
    return decisions
