"""R5 exit code edits: an edited exit code is stored; it is synced only when the exit date is before the policy
date (from the policy date on, PASI takes no exit codes)."""

import dataclasses

from consumer.domain import decisions as d
from consumer.domain.policy import Policy
from consumer.domain.reads import ENROLMENTS, reads
from consumer.domain.state import State
from schemas.events import ExitCodeUpdated

RULE_ID = "R5"
READS = reads(ENROLMENTS)


def update_exit_code(state: State, event: ExitCodeUpdated, policy: Policy) -> list[d.Decision]:
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
