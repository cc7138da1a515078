"""R10 cancelled: a cancelled enrolment is sent as Created in Error and purged from state 30 days later; it
stays cancelled (a later exit for it changes nothing: see `unchanged`)."""

import dataclasses

from consumer.domain import decisions as d
from consumer.domain.model import CANCELLED, Deadline
from consumer.domain.policy import Policy
from consumer.domain.reads import ENROLMENTS, reads
from consumer.domain.rules.common import set_deadline
from consumer.domain.state import State
from schemas.events import EnrolmentCancelled

RULE_ID = "R10"
READS = reads(ENROLMENTS)
PURGE = "PURGE"


def cancel_enrolment(state: State, event: EnrolmentCancelled, policy: Policy) -> list[d.Decision]:
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
            set_deadline(state, PURGE, event.asn, event.school_code, kind, purge_at, event.event_id, event.event_id),
        ]
    return decisions


def purge_cancelled(state: State, deadline: Deadline, policy: Policy) -> list[d.Decision]:
    """R10: 30 days after cancellation the enrolment leaves state, unless it was started again."""
    current = state.enrolment(deadline.asn, deadline.school_code, deadline.reference)
    decisions: list[d.Decision] = [d.CompleteDeadline(deadline.deadline_id)]
    if (
        current is not None
        and current.status == CANCELLED
        and current.purge_after is not None
        and current.purge_after <= deadline.due_at
    ):
        decisions.insert(0, d.PurgeEnrolment(current.key))
    return decisions
