"""A concurrent enrolment needs a home: R8 judged whenever an enrolment changes, R9 when the home school is left."""

from datetime import date

from consumer.domain import decisions as d
from consumer.domain.alerts import CONCURRENT_WITHOUT_PRIMARY, ORPHANED_CONCURRENT
from consumer.domain.model import ACTIVE, CONCURRENT, PRIMARY, Deadline, Enrolment
from consumer.domain.policy import Policy
from consumer.domain.rules.common import alert_key, continuing_concurrent, raise_alert, resolve_if_raised
from consumer.domain.state import State
from schemas.types import school_year_of

ORPHAN = "ORPHAN"


def _has_primary_elsewhere(state: State, asn: str, school_code: str, on: date | None = None) -> bool:
    """A PRIMARY at another school: one that covers `on`, or (without a day) one active now."""
    for enrolment in state.enrolments_of(asn):
        if enrolment.kind != PRIMARY or enrolment.school_code == school_code:
            continue
        if enrolment.active_on(on) if on is not None else enrolment.status == ACTIVE:
            return True
    return False


def require_home(state: State, event, policy: Policy) -> list[d.Decision]:
    """R8: a concurrent enrolment whose entry date no PRIMARY at another school covers is rejected."""
    return _judge_concurrent_enrolments(state, event.asn)


def _judge_concurrent_enrolments(state: State, asn: str) -> list[d.Decision]:
    """R8 for each of the student's concurrent enrolments: raised while it is active and no PRIMARY at a
    different school covers its entry date, resolved once one does or the enrolment ends."""
    decisions: list[d.Decision] = []
    for concurrent in sorted(state.enrolments_of(asn), key=lambda e: e.school_code):
        if concurrent.kind != CONCURRENT:
            continue
        key = alert_key(CONCURRENT_WITHOUT_PRIMARY, "R8", asn, concurrent.school_code, "")
        if concurrent.status != ACTIVE or concurrent.entry_date is None:
            decisions += resolve_if_raised(state, key, "the concurrent enrolment ended")
        elif _has_primary_elsewhere(state, asn, concurrent.school_code, on=concurrent.entry_date):
            decisions += resolve_if_raised(state, key, "a primary enrolment at another school covers its entry date")
        else:
            decisions.append(_without_primary(concurrent))
    return decisions


def _without_primary(concurrent: Enrolment) -> d.RaiseAlert:
    entry, home = concurrent.entry_date, concurrent.home_school_code
    return raise_alert(
        CONCURRENT_WITHOUT_PRIMARY,
        "R8",
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


def watch_for_orphans(state: State, event, policy: Policy) -> list[d.Decision]:
    """R9: a primary exit not continuing at a concurrent school (R7's case) sets a check at the grace deadline."""
    payload = event.payload
    if payload.enrolment_kind != PRIMARY or continuing_concurrent(state, event) is not None:
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
    """R8, R9: an enrolment changed, so the student's 'without primary' alerts are judged again."""
    return reconcile_student(state, event.asn)


def reconcile_student(state: State, asn: str) -> list[d.Decision]:
    """R8 judged again for every concurrent enrolment; R9 warnings resolved once their cause went away."""
    decisions = _judge_concurrent_enrolments(state, asn)
    for alert in state.raised_alerts(ORPHANED_CONCURRENT.code, asn=asn, rule="R9"):
        concurrent = state.enrolment(asn, alert.school_code, CONCURRENT)
        if concurrent is None or concurrent.status != ACTIVE:
            decisions += resolve_if_raised(state, alert.alert_key, "the concurrent enrolment ended")
        elif _has_primary_elsewhere(state, asn, alert.school_code):
            decisions += resolve_if_raised(state, alert.alert_key, "a primary enrolment now exists")
    return decisions
