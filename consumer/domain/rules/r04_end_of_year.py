"""R4 End-of-Year close: the broadcast closes every active concurrent enrolment in scope, one sync each."""

import dataclasses

from consumer.domain import decisions as d
from consumer.domain.model import ACTIVE, CONCURRENT, EXITED
from consumer.domain.policy import Policy
from consumer.domain.reads import ENROLMENTS, reads
from consumer.domain.rules.end_of_year import YearEnd
from consumer.domain.state import State

RULE_ID = "R4"
READS = reads(ENROLMENTS)
END_OF_YEAR = "END_OF_YEAR"


def close_concurrent_enrolments(state: State, closing: YearEnd, policy: Policy) -> list[d.Decision]:
    """R4: close the student's active concurrent enrolments in scope as of `closed_on`."""
    asn, run = closing.asn, closing.run
    decisions: list[d.Decision] = []
    for enrolment in sorted(state.enrolments_of(asn), key=lambda e: e.school_code):
        if enrolment.kind != CONCURRENT or enrolment.status != ACTIVE:
            continue
        if not run.in_scope(enrolment.school_code, enrolment.home_school_code):
            continue
        if enrolment.entry_date is not None and enrolment.entry_date > run.closed_on:
            continue  # started after the close: it belongs to the next year
        decisions += [
            d.SaveEnrolment(
                dataclasses.replace(
                    enrolment,
                    status=EXITED,
                    exit_date=run.closed_on,
                    exit_code=run.exit_code,
                    exit_reason=END_OF_YEAR,
                    source_event_id=run.event_id,
                )
            ),
            d.SendExitDate(
                action="EXIT",
                asn=asn,
                school_code=enrolment.school_code,
                enrolment_kind=CONCURRENT,
                reason=END_OF_YEAR,
                exit_date=run.closed_on,
                exit_code=policy.exit_code_to_send(run.closed_on, run.exit_code),
                identity=f"eoy:{run.run_id}",
            ),
        ]
    return decisions
