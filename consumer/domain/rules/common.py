"""Helpers the rules share: building alerts from their kind, setting deadlines, and who a student's home school is."""

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from consumer.domain import decisions as d
from consumer.domain.alerts import AlertKind
from consumer.domain.model import ACTIVE, CANCELLED, CONCURRENT, PRIMARY, Deadline, Enrolment
from consumer.domain.policy import Policy
from consumer.domain.state import State
from schemas.events import SchoolEnrolmentExited

#: A rule step: what it decides for a trigger (an event, a deadline, a student at End of Year). The rule table
#: checks each step against its trigger's class (`consumer.domain.rules.steps`).
Step = Callable[[State, Any, Policy], list[d.Decision]]


def raise_alert(
    kind: AlertKind,
    rule: str,
    *,
    school_code: str,
    subject: str,
    message: str,
    asn: str | None = None,
    home_school_code: str | None = None,
    school_year_id: int | None = None,
    details: dict[str, str] | None = None,
) -> d.RaiseAlert:
    return d.RaiseAlert(
        rule=rule,
        code=kind.code,
        category=kind.category,
        alert_type=kind.alert_type,
        school_code=school_code,
        subject=subject,
        message=message,
        asn=asn,
        home_school_code=home_school_code,
        school_year_id=school_year_id,
        details=details or {},
    )


def alert_key(kind: AlertKind, rule: str, asn: str | None, school_code: str, subject: str) -> str:
    return d.alert_key(rule, kind.code, asn, school_code, subject)


def resolve_if_raised(state: State, alert_key: str, note: str) -> list[d.Decision]:
    alert = state.alert(alert_key)
    return [d.ResolveAlert(alert_key, note)] if alert is not None and alert.status == "RAISED" else []


def is_home_school(state: State, asn: str, school_code: str) -> bool:
    """The school holds the student's active primary enrolment."""
    primary = state.enrolment(asn, school_code, PRIMARY)
    return primary is not None and primary.active


def has_primary_elsewhere(state: State, asn: str, school_code: str, on: date | None = None) -> bool:
    """A PRIMARY at another school: one that covers `on`, or (without a day) one active now."""
    for enrolment in state.enrolments_of(asn):
        if enrolment.kind != PRIMARY or enrolment.school_code == school_code:
            continue
        if enrolment.active_on(on) if on is not None else enrolment.status == ACTIVE:
            return True
    return False


def set_deadline(
    state: State, kind: str, asn: str, school_code: str, reference: str, due_at: datetime, source_event_id: str,
    *identity: str,
) -> d.SetDeadline:
    """A check of `kind` due at `due_at` in event time, in the input partition of the event being handled; its id
    depends on kind, student, school, reference and `identity`, so a re-delivery sets the same deadline."""
    return d.SetDeadline(
        Deadline(
            deadline_id=d.stable_id(kind, asn, school_code, reference, *identity),
            due_at=due_at,
            kind=kind,
            asn=asn,
            school_code=school_code,
            reference=reference,
            source_event_id=source_event_id,
            partition=state.cause.partition if state.cause else None,
        )
    )


def continuing_concurrent(state: State, event: SchoolEnrolmentExited) -> Enrolment | None:
    """R7's condition: a PRIMARY exit TRANSFER_OUT continuing at another school C where the student has a
    concurrent enrolment on the exit date D (entered by D, not cancelled, not exited before D: its exit on D,
    which R7 expects and which may arrive first, still counts). None when R7 does not apply (R9 does)."""
    payload = event.payload
    continuing = payload.continuing_at_school_code
    if payload.enrolment_kind != PRIMARY or payload.reason != "TRANSFER_OUT" or continuing in (None, event.school_code):
        return None
    assert continuing is not None  # checked just above
    concurrent = state.enrolment(event.asn, continuing, CONCURRENT)
    day = payload.exit_date
    if concurrent is None or concurrent.status == CANCELLED:
        return None
    if (concurrent.entry_date is not None and concurrent.entry_date > day) or (
        concurrent.exit_date is not None and concurrent.exit_date < day
    ):
        return None
    return concurrent


def joined(values: Iterable[int]) -> str:
    return ",".join(str(v) for v in sorted(values))
