"""Enrolment facts and the syncs they send: R5 exit-code edits, R6 exit dates now, R10 cancellations."""

import dataclasses

from consumer.domain import decisions as d
from consumer.domain.model import (
    ACTIVE,
    CANCELLED,
    CONCURRENT,
    EXITED,
    PRIMARY,
    Deadline,
    Enrolment,
)
from consumer.domain.policy import Policy
from consumer.domain.state import State

PURGE = "PURGE"


def start_primary(state: State, event, policy: Policy) -> list[d.Decision]:
    """A primary (home) enrolment begins; it replaces any earlier primary record at that school."""
    return [
        d.SaveEnrolment(
            Enrolment(
                asn=event.asn,
                school_code=event.school_code,
                kind=PRIMARY,
                entry_date=event.payload.entry_date,
                grade=event.payload.grade,
                source_event_id=event.event_id,
            )
        )
    ]


def start_concurrent(state: State, event, policy: Policy) -> list[d.Decision]:
    """A concurrent enrolment begins at this school, recorded against the home school."""
    return [
        d.SaveEnrolment(
            Enrolment(
                asn=event.asn,
                school_code=event.school_code,
                kind=CONCURRENT,
                entry_date=event.payload.entry_date,
                grade=event.payload.grade,
                home_school_code=event.payload.home_school_code,
                source_event_id=event.event_id,
            )
        )
    ]


def exit_enrolment(state: State, event, policy: Policy) -> list[d.Decision]:
    """R6: an exit is recorded and sent to PASI at once; no exit code from the policy date on."""
    payload = event.payload
    current = state.enrolment(event.asn, event.school_code, payload.enrolment_kind)
    if current is None:
        current = Enrolment(event.asn, event.school_code, payload.enrolment_kind, None, None)
    exited = dataclasses.replace(
        current,
        status=EXITED,
        exit_date=payload.exit_date,
        exit_code=payload.exit_code,
        exit_reason=payload.reason,
        source_event_id=event.event_id,
    )
    return [
        d.SaveEnrolment(exited),
        d.SendExitDate(
            action="EXIT",
            asn=event.asn,
            school_code=event.school_code,
            enrolment_kind=payload.enrolment_kind,
            reason=payload.reason,
            exit_date=payload.exit_date,
            exit_code=policy.exit_code_to_send(payload.exit_date, payload.exit_code),
        ),
    ]


def update_exit_code(state: State, event, policy: Policy) -> list[d.Decision]:
    """R5: store the edited exit code; sync it only when the exit date is before the policy date."""
    current = state.enrolment(event.asn, event.school_code, event.payload.enrolment_kind)
    if current is None:
        return []
    decisions: list[d.Decision] = [
        d.SaveEnrolment(dataclasses.replace(current, exit_code=event.payload.exit_code))
    ]
    sent_code = policy.exit_code_to_send(current.exit_date, event.payload.exit_code)
    if sent_code is not None:
        decisions.append(
            d.SendExitDate(
                action="EXIT",
                asn=event.asn,
                school_code=event.school_code,
                enrolment_kind=current.kind,
                reason=current.exit_reason or "OTHER",
                exit_date=current.exit_date,
                exit_code=sent_code,
            )
        )
    return decisions


def cancel_enrolment(state: State, event, policy: Policy) -> list[d.Decision]:
    """R10: a cancelled enrolment is sent as Created in Error and purged from state later."""
    kind = event.payload.enrolment_kind
    decisions: list[d.Decision] = [
        d.SendExitDate(
            action="CREATED_IN_ERROR",
            asn=event.asn,
            school_code=event.school_code,
            enrolment_kind=kind,
            reason="CANCELLED",
            exit_date=None,
            exit_code=None,
        )
    ]
    current = state.enrolment(event.asn, event.school_code, kind)
    if current is not None:
        purge_at = event.occurred_at + policy.purge_after
        decisions += [
            d.SaveEnrolment(
                dataclasses.replace(current, status=CANCELLED, purge_after=purge_at, source_event_id=event.event_id)
            ),
            d.SetDeadline(
                Deadline(
                    deadline_id=d.stable_id(PURGE, event.asn, event.school_code, kind, event.event_id),
                    due_at=purge_at,
                    kind=PURGE,
                    asn=event.asn,
                    school_code=event.school_code,
                    reference=kind,
                    source_event_id=event.event_id,
                    partition=state.cause.partition if state.cause else None,
                )
            ),
        ]
    return decisions


def purge_cancelled(state: State, deadline: Deadline, policy: Policy) -> list[d.Decision]:
    """R10: 30 days after cancellation the enrolment leaves state, unless it was started again."""
    current = state.enrolment(deadline.asn, deadline.school_code, deadline.reference)
    decisions: list[d.Decision] = [d.CompleteDeadline(deadline.deadline_id)]
    if current is not None and current.status == CANCELLED and current.purge_after <= deadline.due_at:
        decisions.insert(0, d.PurgeEnrolment(current.key))
    return decisions


def is_active(enrolment: Enrolment | None) -> bool:
    return enrolment is not None and enrolment.status == ACTIVE
