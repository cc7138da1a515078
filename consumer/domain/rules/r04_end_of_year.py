"""R4 End-of-Year close: the broadcast closes every active concurrent enrolment in scope, one sync each."""

import dataclasses
from typing import Any

from consumer.domain import decisions as d
from consumer.domain.model import ACTIVE, CONCURRENT, EXITED, EndOfYearRun, Enrolment
from consumer.domain.policy import Policy
from consumer.domain.reads import ENROLMENTS, reads
from consumer.domain.rules.end_of_year import YearEnd
from consumer.domain.state import State

RULE_ID = "R4"
READS = reads(ENROLMENTS)
END_OF_YEAR = "END_OF_YEAR"


def closes(run: EndOfYearRun, enrolment: Enrolment) -> bool:
    """R4's reach: an active concurrent enrolment in scope that started by `closed_on` (a later one belongs to the
    next year)."""
    return (
        enrolment.kind == CONCURRENT
        and enrolment.status == ACTIVE
        and run.in_scope(enrolment.school_code, enrolment.home_school_code)
        and (enrolment.entry_date is None or enrolment.entry_date <= run.closed_on)
    )


def closing_changes(run: EndOfYearRun) -> dict[str, Any]:
    """What closing changes in an enrolment: the same for every enrolment the run closes."""
    return {
        "status": EXITED,
        "exit_date": run.closed_on,
        "exit_code": run.exit_code,
        "exit_reason": END_OF_YEAR,
        "source_event_id": run.event_id,
    }


def exit_sync(enrolment: Enrolment, run: EndOfYearRun, policy: Policy) -> d.SendExitDate:
    """The exit-date sync of an enrolment the run closes."""
    return d.SendExitDate(
        action="EXIT",
        asn=enrolment.asn,
        school_code=enrolment.school_code,
        enrolment_kind=CONCURRENT,
        reason=END_OF_YEAR,
        exit_date=run.closed_on,
        exit_code=policy.exit_code_to_send(run.closed_on, run.exit_code),
        identity=f"eoy:{run.run_id}",
    )


def close_concurrent_enrolments(state: State, closing: YearEnd, policy: Policy) -> list[d.Decision]:
    """R4: close the student's active concurrent enrolments in scope as of `closed_on`."""
    decisions: list[d.Decision] = []
    for enrolment in sorted(state.enrolments_of(closing.asn), key=lambda e: e.school_code):
        if closes(closing.run, enrolment):
            closed = dataclasses.replace(enrolment, **closing_changes(closing.run))
            decisions += [d.SaveEnrolment(closed), exit_sync(enrolment, closing.run, policy)]
    return decisions
