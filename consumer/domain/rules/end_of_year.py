"""End of Year as a trigger: the run a `TermClosed` broadcast starts, and each of its students (`YearEnd`), whom
the rule table's "TermClosed" rules (R4, then R3, R8, R9) handle one at a time."""

from dataclasses import dataclass

from consumer.domain.model import EndOfYearRun
from consumer.domain.policy import Policy
from schemas.term_closed import TermClosed


@dataclass(frozen=True)
class YearEnd:
    """One student of an End-of-Year run."""

    asn: str
    run: EndOfYearRun


def new_run(event: TermClosed, policy: Policy) -> EndOfYearRun:
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
