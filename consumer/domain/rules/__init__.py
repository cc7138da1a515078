"""The rule table: which rule steps each trigger runs, in order, and what they read.

A trigger is an event type, "TermClosed" (each student of an End-of-Year run, as a `YearEnd`), or the kind of
a deadline a rule set. Each rule R1-R10 is one module (`r01_term_match` ... `r10_cancelled`) with its id
(`RULE_ID`) and what it reads from the store (`READS`); `facts` records what events say before the rules run.
"""

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TypeVar

from consumer.domain import decisions as d
from consumer.domain.model import Deadline, EndOfYearRun
from consumer.domain.policy import Policy
from consumer.domain.reads import LoadRequest, Reads, reads
from consumer.domain.rules import facts, unchanged
from consumer.domain.rules import r01_term_match as r01
from consumer.domain.rules import r02_identical_setup as r02
from consumer.domain.rules import r03_challenge_courses as r03
from consumer.domain.rules import r04_end_of_year as r04
from consumer.domain.rules import r05_exit_code_edits as r05
from consumer.domain.rules import r06_exit_dates_now as r06
from consumer.domain.rules import r07_transfer_out as r07
from consumer.domain.rules import r08_concurrent_needs_home as r08
from consumer.domain.rules import r09_orphaned_concurrent as r09
from consumer.domain.rules import r10_cancelled as r10
from consumer.domain.rules.common import Step
from consumer.domain.rules.end_of_year import YearEnd
from consumer.domain.state import Cause, State
from schemas.events import (
    ConcurrentEnrolmentStarted,
    CourseEnrolled,
    CourseExited,
    EnrolmentCancelled,
    EventBase,
    ExitCodeUpdated,
    PrimaryEnrolmentStarted,
    SchoolEnrolmentExited,
    SchoolTermsConfigured,
    SectionScheduled,
    StoredGradePosted,
    StudentReEnrolled,
)
from schemas.term_closed import TermClosed

T = TypeVar("T")
DeadlineStep = Callable[[State, Deadline, Policy], list[d.Decision]]

#: Every rule module, and the reads each declares; `facts` is not a rule of the spec but reads like one.
RULES = (r01, r02, r03, r04, r05, r06, r07, r08, r09, r10)
READS: dict[str, Reads] = {module.__name__: module.READS for module in (facts, *RULES)}


def steps(trigger: type[T], *rules: Callable[[State, T, Policy], list[d.Decision]]) -> tuple[Step, ...]:
    """The steps a trigger runs, in order; each must take the trigger's class."""
    return rules


EVENT_RULES: dict[str, tuple[Step, ...]] = {
    "SchoolTermsConfigured": steps(
        SchoolTermsConfigured, facts.save_terms, r01.resolve_term_mismatches, r02.check_pairs_for_school
    ),
    "SectionScheduled": steps(SectionScheduled, facts.schedule_section, r03.recheck_for_section),
    "PrimaryEnrolmentStarted": steps(
        PrimaryEnrolmentStarted, facts.start_primary, r08.reconcile, r09.resolve_orphans
    ),
    "ConcurrentEnrolmentStarted": steps(
        ConcurrentEnrolmentStarted, facts.start_concurrent, r08.require_home, r02.check_new_pair
    ),
    "SchoolEnrolmentExited": steps(
        SchoolEnrolmentExited,
        r06.exit_enrolment,
        r07.start_transfer,
        r07.note_concurrent_exit,
        r09.watch_for_orphans,
        r08.reconcile,
        r09.resolve_orphans,
    ),
    "StudentReEnrolled": steps(
        StudentReEnrolled, facts.start_primary, r07.note_reenrolment, r08.reconcile, r09.resolve_orphans
    ),
    "ExitCodeUpdated": steps(ExitCodeUpdated, r05.update_exit_code),
    "EnrolmentCancelled": steps(EnrolmentCancelled, r10.cancel_enrolment, r08.reconcile, r09.resolve_orphans),
    "CourseEnrolled": steps(
        CourseEnrolled, facts.enrol_in_course, r03.check_course_enrolment, r07.note_course_reenrolment
    ),
    "CourseExited": steps(CourseExited, facts.exit_course),
    "StoredGradePosted": steps(StoredGradePosted, facts.post_grade, r01.check_grade_term, r03.check_grade),
    "TermClosed": steps(
        YearEnd,
        r04.close_concurrent_enrolments,
        r03.check_at_year_end,
        r08.reconcile_at_year_end,
        r09.resolve_at_year_end,
    ),
}

DEADLINE_RULES: dict[str, DeadlineStep] = {
    r07.TRANSFER: r07.check_transfer,
    r09.ORPHAN: r09.check_orphans,
    r10.PURGE: r10.purge_cancelled,
}


def reads_of(step: Callable[..., list[d.Decision]]) -> Reads:
    """What the rule a step belongs to declares it reads."""
    return READS[step.__module__]


def reads_for(triggers: Iterable[str]) -> Reads:
    """What the rules that `triggers` (event types, "TermClosed", deadline kinds) run read, together."""
    found: set[Reads] = set()
    for trigger in set(triggers):
        if trigger in DEADLINE_RULES:
            found.add(_DEADLINE_READS[trigger])
        found.add(unchanged.reads_for(trigger))
        found.update(reads_of(step) for step in EVENT_RULES.get(trigger, ()))
    return reads().union(*found)


_DEADLINE_READS = {kind: reads_of(check) for kind, check in DEADLINE_RULES.items()}
#: What every rule reads: what a load that names no triggers reads.
EVERY_READ = reads_for([*EVENT_RULES, *DEADLINE_RULES])


def request_for(messages: Iterable[EventBase | TermClosed], partitions: set[int] | None = None) -> LoadRequest:
    """What a batch of `messages` loads: the keys they name, read for the rules they trigger (deadlines due in the
    batch add their rules' reads when the loader finds them)."""
    messages = list(messages)
    triggered = reads_for(m.event_type for m in messages if isinstance(m, EventBase))
    request = LoadRequest(reads=triggered, partitions=partitions)
    request.name(messages)
    return request


def handle_event(state: State, event: EventBase, policy: Policy, partition: int | None = None) -> None:
    """Advance event time, fire the deadlines it passes, then apply every rule the event triggers, unless
    the event changes nothing (then it is only noted)."""
    advance_to(state, event.occurred_at, policy)
    state.cause = Cause(event.event_id, event.occurred_at, partition)
    reason = unchanged.why_unchanged(state, event, policy)
    if reason is not None:
        state.apply([d.Ignore(reason)])
    for rule in EVENT_RULES[event.event_type] if reason is None else ():
        state.apply(rule(state, event, policy))
    fire_due(state, policy)  # a check the event itself set may already be due (a back-dated transfer)


def advance_to(state: State, occurred_at: datetime, policy: Policy) -> None:
    """Deadlines run on event time: those due by the watermark fire, earliest first."""
    if state.watermark is None or occurred_at > state.watermark:
        state.watermark = occurred_at
    fire_due(state, policy)


def fire_due(state: State, policy: Policy) -> None:
    for deadline in state.due_deadlines():
        state.cause = Cause(deadline.source_event_id, deadline.due_at, deadline.partition)
        try:
            decisions = DEADLINE_RULES[deadline.kind](state, deadline, policy)
        except Exception as exc:  # noqa: BLE001 - a bug in a check costs that check, not every event after its time
            decisions = [d.CompleteDeadline(deadline.deadline_id)]
            state.failed_deadlines.append((deadline, f"{type(exc).__name__}: {exc}"))
        state.apply(decisions)


def close_student_for_year(state: State, asn: str, run: EndOfYearRun, policy: Policy) -> None:
    """The "TermClosed" rules (R4, then R3, R8, R9) for one student of an End-of-Year run."""
    state.cause = Cause(run.event_id, run.occurred_at)
    closing = YearEnd(asn, run)
    for rule in EVENT_RULES["TermClosed"]:
        state.apply(rule(state, closing, policy))
