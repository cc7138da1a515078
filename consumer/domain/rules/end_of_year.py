"""R4: the End-of-Year broadcast closes every active concurrent enrolment in scope, one sync each."""

import dataclasses

from consumer.domain import decisions as d
from consumer.domain.model import ACTIVE, CONCURRENT, EXITED, EndOfYearRun
from consumer.domain.policy import Policy
from consumer.domain.rules.challenge import check_at_year_end
from consumer.domain.state import State

END_OF_YEAR = "END_OF_YEAR"


def new_run(event, policy: Policy) -> EndOfYearRun:
    """The run a `TermClosed` broadcast starts; its exit code defaults to the configured 10000."""
    return EndOfYearRun(
        run_id=event.run_id,
        event_id=event.event_id,
        school_year_id=event.school_year_id,
        closed_on=event.closed_on,
        school_codes=frozenset(event.school_codes),
        exit_code=event.exit_code or policy.eoy_exit_code,
        occurred_at=event.occurred_at,
    )


def close_student(state: State, asn: str, run: EndOfYearRun, policy: Policy) -> list[d.Decision]:
    """R4: close the student's active concurrent enrolments in scope as of `closed_on`; R3 checks marks."""
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
    return decisions + check_at_year_end(state, asn, run, policy)
