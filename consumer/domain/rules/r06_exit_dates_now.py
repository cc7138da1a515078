"""R6 exit dates now: an exit, primary or concurrent, is recorded and sent to PASI at once; its exit code is
carried before the policy date and left out from it on."""

import dataclasses

from consumer.domain import decisions as d
from consumer.domain.model import EXITED, Enrolment
from consumer.domain.policy import Policy
from consumer.domain.reads import ENROLMENTS, reads
from consumer.domain.state import State
from schemas.events import SchoolEnrolmentExited

RULE_ID = "R6"
READS = reads(ENROLMENTS)


def exit_enrolment(state: State, event: SchoolEnrolmentExited, policy: Policy) -> list[d.Decision]:
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
