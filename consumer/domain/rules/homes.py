"""A concurrent enrolment needs a home: R8 at its start, R9 when the home school is left."""

from datetime import date

from consumer.domain import decisions as d
from consumer.domain.alerts import CONCURRENT_WITHOUT_PRIMARY, ORPHANED_CONCURRENT
from consumer.domain.model import ACTIVE, CONCURRENT, PRIMARY, Deadline
from consumer.domain.policy import Policy
from consumer.domain.rules.common import raise_alert, resolve_if_raised
from consumer.domain.state import State
from schemas.types import school_year_of

ORPHAN = "ORPHAN"


def _has_primary_elsewhere(state: State, asn: str, school_code: str, on: date | None = None) -> bool:
    for enrolment in state.enrolments_of(asn):
        if enrolment.kind != PRIMARY or enrolment.school_code == school_code:
            continue
        if enrolment.active_on(on) if on is not None else enrolment.status == ACTIVE:
            return True
    return False


def require_home(state: State, event, policy: Policy) -> list[d.Decision]:
    """R8: a concurrent enrolment whose student has no active primary elsewhere on the entry date is rejected."""
    entry = event.payload.entry_date
    if _has_primary_elsewhere(state, event.asn, event.school_code, on=entry):
        return []
    return [
        raise_alert(
            CONCURRENT_WITHOUT_PRIMARY,
            "R8",
            asn=event.asn,
            school_code=event.school_code,
            home_school_code=event.payload.home_school_code,
            school_year_id=school_year_of(entry),
            subject="",
            message=(
                f"Concurrent enrolment at {event.school_code} starting {entry} has no active primary "
                f"enrolment at another school (home school given: {event.payload.home_school_code})"
            ),
            details={"entry_date": entry.isoformat(), "home_school_code": event.payload.home_school_code},
        )
    ]


def watch_for_orphans(state: State, event, policy: Policy) -> list[d.Decision]:
    """R9: a primary exit not continuing at a concurrent school sets a check at the grace deadline."""
    payload = event.payload
    if payload.enrolment_kind != PRIMARY or _continues_at_concurrent(state, event.asn, payload):
        return []
    concurrent = [e for e in state.enrolments_of(event.asn) if e.kind == CONCURRENT and e.status == ACTIVE]
    if not concurrent:
        return []
    reference = payload.exit_date.isoformat()
    return [
        d.SetDeadline(
            Deadline(
                deadline_id=d.stable_id(ORPHAN, event.asn, event.school_code, reference),
                due_at=policy.grace_deadline(payload.exit_date),
                kind=ORPHAN,
                asn=event.asn,
                school_code=event.school_code,
                reference=reference,
                source_event_id=event.event_id,
                partition=state.cause.partition if state.cause else None,
            )
        )
    ]


def _continues_at_concurrent(state: State, asn: str, payload) -> bool:
    """A transfer out to a school where the student has a concurrent enrolment (in any status: its exit
    may have arrived first); R7 watches that case."""
    continuing = payload.continuing_at_school_code
    if payload.reason != "TRANSFER_OUT" or continuing is None:
        return False
    return state.enrolment(asn, continuing, CONCURRENT) is not None


def check_orphans(state: State, deadline: Deadline, policy: Policy) -> list[d.Decision]:
    """R9: at the deadline, each still-active concurrent enrolment without a new primary is orphaned."""
    exit_date = date.fromisoformat(deadline.reference)
    decisions: list[d.Decision] = []
    for enrolment in sorted(state.enrolments_of(deadline.asn), key=lambda e: e.school_code):
        if enrolment.kind != CONCURRENT or enrolment.status != ACTIVE:
            continue
        if _has_primary_elsewhere(state, deadline.asn, enrolment.school_code):
            continue
        decisions.append(
            raise_alert(
                ORPHANED_CONCURRENT,
                "R9",
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


def reconcile_homes(state: State, event, policy: Policy) -> list[d.Decision]:
    """R8, R9: resolve 'without primary' alerts once a primary exists elsewhere or the concurrent ended."""
    return reconcile_student(state, event.asn)


def reconcile_student(state: State, asn: str) -> list[d.Decision]:
    """R8, R9 for one student: each raised 'without primary' alert whose cause went away is resolved."""
    decisions: list[d.Decision] = []
    for alert in state.raised_alerts(CONCURRENT_WITHOUT_PRIMARY.code, asn=asn):
        concurrent = state.enrolment(asn, alert.school_code, CONCURRENT)
        if concurrent is None or concurrent.status != ACTIVE:
            decisions += resolve_if_raised(state, alert.alert_id, "the concurrent enrolment ended")
        elif _has_primary_elsewhere(state, asn, alert.school_code):
            decisions += resolve_if_raised(state, alert.alert_id, "a primary enrolment now exists")
    return decisions
