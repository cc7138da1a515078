"""Events that change nothing: a re-delivery whose effect is already in the state, an exit for a cancelled enrolment.

The service drops an event whose id it has processed, but forgets ids after PROCESSED_EVENTS_RETENTION_DAYS; a
re-delivery after that must still emit nothing, so each fact is also recognised by what the state holds.
"""

from collections.abc import Callable
from typing import Any

from consumer.domain.model import CANCELLED, CONCURRENT, EXITED, PRIMARY
from consumer.domain.policy import Policy
from consumer.domain.reads import COURSE_ENROLMENTS, ENROLMENTS, SCHOOL_TERMS, SECTIONS, Reads, reads
from consumer.domain.rules.facts import own_term_ids
from consumer.domain.state import State
from schemas.events import (
    ConcurrentEnrolmentStarted,
    CourseEnrolled,
    EnrolmentCancelled,
    EventBase,
    ExitCodeUpdated,
    PrimaryEnrolmentStarted,
    SchoolEnrolmentExited,
    SchoolTermsConfigured,
    SectionScheduled,
    StudentReEnrolled,
)

Check = Callable[[State, Any, Policy], str | None]
ALREADY_APPLIED = "already applied"
STAYS_CANCELLED = "a cancelled enrolment stays cancelled (R10)"


def why_unchanged(state: State, event: EventBase, policy: Policy) -> str | None:
    """Why the event changes nothing (it is then only noted), or None when the rules must handle it."""
    check = _CHECKS.get(event.event_type)
    return check[0](state, event, policy) if check is not None else None


def reads_for(event_type: str) -> Reads:
    """What telling whether an event of `event_type` changes anything reads."""
    check = _CHECKS.get(event_type)
    return check[1] if check is not None else reads()


def _started(kind: str) -> Check:
    def check(
        state: State, event: PrimaryEnrolmentStarted | StudentReEnrolled | ConcurrentEnrolmentStarted, policy: Policy
    ) -> str | None:
        """A start whose enrolment is recorded, active or since exited. After a cancellation a start is a new
        one, unless it happened before the cancellation (event time): then the cancellation stands."""
        current = state.enrolment(event.asn, event.school_code, kind)
        payload = event.payload
        if current is None:
            return None
        if current.status == CANCELLED:
            cancelled_at = current.purge_after - policy.purge_after if current.purge_after else None
            return STAYS_CANCELLED if cancelled_at is not None and event.occurred_at < cancelled_at else None
        same = (current.entry_date, current.grade) == (payload.entry_date, payload.grade)
        if isinstance(event, ConcurrentEnrolmentStarted):
            same = same and current.home_school_code == event.payload.home_school_code
        return ALREADY_APPLIED if same else None

    return check


def _exited(state: State, event: SchoolEnrolmentExited, policy: Policy) -> str | None:
    """R10: a cancelled enrolment stays cancelled; an exit already recorded with that date and reason is applied,
    and one dated before the recorded enrolment began ended an earlier enrolment at that school."""
    current = state.enrolment(event.asn, event.school_code, event.payload.enrolment_kind)
    if current is None:
        return None
    if current.status == CANCELLED:
        return STAYS_CANCELLED
    if current.entry_date is not None and event.payload.exit_date < current.entry_date:
        return ALREADY_APPLIED
    recorded = current.status == EXITED and (current.exit_date, current.exit_reason) == (
        event.payload.exit_date,
        event.payload.reason,
    )
    return ALREADY_APPLIED if recorded else None


def _exit_code_updated(state: State, event: ExitCodeUpdated, policy: Policy) -> str | None:
    current = state.enrolment(event.asn, event.school_code, event.payload.enrolment_kind)
    return ALREADY_APPLIED if current is not None and current.exit_code == event.payload.exit_code else None


def _cancelled(state: State, event: EnrolmentCancelled, policy: Policy) -> str | None:
    current = state.enrolment(event.asn, event.school_code, event.payload.enrolment_kind)
    return ALREADY_APPLIED if current is not None and current.status == CANCELLED else None


def _course_enrolled(state: State, event: CourseEnrolled, policy: Policy) -> str | None:
    payload = event.payload
    for ce in state.course_enrolments_at(event.asn, event.school_code, payload.course_code, payload.section_id):
        if (ce.entry_date, ce.term_id, ce.course_type) == (payload.entry_date, payload.term_id, payload.course_type):
            return ALREADY_APPLIED
    return None


def _terms_configured(state: State, event: SchoolTermsConfigured, policy: Policy) -> str | None:
    payload = event.payload
    current = state.terms(event.school_code, payload.school_year_id)
    if current is None or current.is_summer_school != payload.is_summer_school:
        return None
    own = own_term_ids(payload)
    misplaced = frozenset(t.term_id for t in payload.terms) - own
    return ALREADY_APPLIED if (current.term_ids, current.misplaced_term_ids) == (own, misplaced) else None


def _section_scheduled(state: State, event: SectionScheduled, policy: Policy) -> str | None:
    payload = event.payload
    current = state.section(event.school_code, payload.course_code, payload.section_id, payload.term_id // 100)
    return ALREADY_APPLIED if current is not None and current.term_id == payload.term_id else None


_ENROLMENT = reads(ENROLMENTS)
_CHECKS: dict[str, tuple[Check, Reads]] = {
    "PrimaryEnrolmentStarted": (_started(PRIMARY), _ENROLMENT),
    "StudentReEnrolled": (_started(PRIMARY), _ENROLMENT),
    "ConcurrentEnrolmentStarted": (_started(CONCURRENT), _ENROLMENT),
    "SchoolEnrolmentExited": (_exited, _ENROLMENT),
    "ExitCodeUpdated": (_exit_code_updated, _ENROLMENT),
    "EnrolmentCancelled": (_cancelled, _ENROLMENT),
    "CourseEnrolled": (_course_enrolled, reads(COURSE_ENROLMENTS)),
    "SchoolTermsConfigured": (_terms_configured, reads(SCHOOL_TERMS)),
    "SectionScheduled": (_section_scheduled, reads(SECTIONS)),
}
