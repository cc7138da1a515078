"""The rules R1-R10 by trigger: which rule functions each event type and each deadline kind runs, in order."""

from collections.abc import Callable

from consumer.domain import decisions as d
from consumer.domain.model import Deadline, EndOfYearRun
from consumer.domain.policy import Policy
from consumer.domain.rules import (
    challenge,
    courses,
    end_of_year,
    enrolments,
    homes,
    terms,
    transfers,
)
from consumer.domain.rules.unchanged import why_unchanged
from consumer.domain.state import Cause, State

Rule = Callable[[State, object, Policy], list[d.Decision]]

EVENT_RULES: dict[str, tuple[Rule, ...]] = {
    "SchoolTermsConfigured": (terms.save_terms, terms.resolve_term_mismatches, terms.check_pairs_for_school),
    "SectionScheduled": (courses.schedule_section, challenge.recheck_for_section),
    "PrimaryEnrolmentStarted": (enrolments.start_primary, homes.reconcile_homes),
    "ConcurrentEnrolmentStarted": (enrolments.start_concurrent, homes.require_home, terms.check_new_pair),
    "SchoolEnrolmentExited": (
        enrolments.exit_enrolment,
        transfers.start_transfer,
        transfers.note_concurrent_exit,
        homes.watch_for_orphans,
        homes.reconcile_homes,
    ),
    "StudentReEnrolled": (enrolments.start_primary, transfers.note_reenrolment, homes.reconcile_homes),
    "ExitCodeUpdated": (enrolments.update_exit_code,),
    "EnrolmentCancelled": (enrolments.cancel_enrolment, homes.reconcile_homes),
    "CourseEnrolled": (courses.enrol_in_course, challenge.check_course_enrolment, transfers.note_course_reenrolment),
    "CourseExited": (courses.exit_course,),
    "StoredGradePosted": (courses.post_grade, terms.check_grade_term, challenge.check_grade),
}

DEADLINE_RULES: dict[str, Callable[[State, Deadline, Policy], list[d.Decision]]] = {
    transfers.TRANSFER: transfers.check_transfer,
    homes.ORPHAN: homes.check_orphans,
    enrolments.PURGE: enrolments.purge_cancelled,
}


def handle_event(state: State, event, policy: Policy, partition: int | None = None) -> None:
    """Advance event time, fire the deadlines it passes, then apply every rule the event triggers, unless
    the event changes nothing (then it is only noted)."""
    advance_to(state, event.occurred_at, policy)
    state.cause = Cause(event.event_id, event.occurred_at, partition)
    reason = why_unchanged(state, event, policy)
    if reason is not None:
        state.apply([d.Ignore(reason)])
    for rule in EVENT_RULES[event.event_type] if reason is None else ():
        state.apply(rule(state, event, policy))
    fire_due(state, policy)  # a check the event itself set may already be due (a back-dated transfer)


def advance_to(state: State, occurred_at, policy: Policy) -> None:
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
    """R4 and R3 for one student of an End-of-Year run."""
    state.cause = Cause(run.event_id, run.occurred_at)
    state.apply(end_of_year.close_student(state, asn, run, policy))
    state.apply(homes.reconcile_student(state, asn))
