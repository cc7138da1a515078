"""What events say, recorded as the rules need to remember it: enrolment starts, term setups, sections, course
enrolments, course exits and stored grades. These steps decide no alert and no sync; the rules after them do."""

import dataclasses

from consumer.domain import decisions as d
from consumer.domain.model import CONCURRENT, PRIMARY, CourseEnrolment, Enrolment, SchoolTerms, Section, StoredGrade
from consumer.domain.policy import Policy
from consumer.domain.reads import COURSE_ENROLMENTS, reads
from consumer.domain.state import State
from schemas.events import (
    ConcurrentEnrolmentStarted,
    CourseEnrolled,
    CourseExited,
    PrimaryEnrolmentStarted,
    SchoolTermsConfigured,
    SectionScheduled,
    StoredGradePosted,
    StudentReEnrolled,
)
from schemas.payloads import SchoolTermsConfiguredPayload
from schemas.types import school_year_of

READS = reads(COURSE_ENROLMENTS)


def start_primary(
    state: State, event: PrimaryEnrolmentStarted | StudentReEnrolled, policy: Policy
) -> list[d.Decision]:
    """A primary (home) enrolment begins; it replaces any earlier primary record at that school."""
    return [
        d.SaveEnrolment(
            Enrolment(
                asn=event.asn,
                school_code=event.school_code,
                kind=PRIMARY,
                entry_date=event.payload.entry_date,
                grade=event.payload.grade,
                source_event_id=event.event_id,
            )
        )
    ]


def start_concurrent(state: State, event: ConcurrentEnrolmentStarted, policy: Policy) -> list[d.Decision]:
    """A concurrent enrolment begins at this school, recorded against the home school."""
    return [
        d.SaveEnrolment(
            Enrolment(
                asn=event.asn,
                school_code=event.school_code,
                kind=CONCURRENT,
                entry_date=event.payload.entry_date,
                grade=event.payload.grade,
                home_school_code=event.payload.home_school_code,
                source_event_id=event.event_id,
            )
        )
    ]


def save_terms(state: State, event: SchoolTermsConfigured, policy: Policy) -> list[d.Decision]:
    """A school's term setup for a year replaces the one before. A term whose id or end date belongs to
    another school year is not one of this year's Term IDs (R1 alerts grades that use it, R2 compares
    setups without it); it is kept apart so that the alerts can say why."""
    payload = event.payload
    year = payload.school_year_id
    own = own_term_ids(payload)
    return [
        d.SaveSchoolTerms(
            SchoolTerms(
                school_code=event.school_code,
                school_year_id=year,
                term_ids=own,
                is_summer_school=payload.is_summer_school,
                source_event_id=event.event_id,
                misplaced_term_ids=frozenset(t.term_id for t in payload.terms) - own,
            )
        )
    ]


def own_term_ids(payload: SchoolTermsConfiguredPayload) -> frozenset[int]:
    """The configured terms that belong to the configured year by their id and by their end date."""
    year = payload.school_year_id
    return frozenset(t.term_id for t in payload.terms if t.term_id // 100 == year == school_year_of(t.last_day))


def schedule_section(state: State, event: SectionScheduled, policy: Policy) -> list[d.Decision]:
    payload = event.payload
    return [
        d.SaveSection(
            Section(event.school_code, payload.course_code, payload.section_id, payload.term_id, event.event_id)
        )
    ]


def enrol_in_course(state: State, event: CourseEnrolled, policy: Policy) -> list[d.Decision]:
    """A course enrolment from its entry date; one already recorded from that date is corrected, keeping its exit."""
    payload = event.payload
    history = state.course_enrolments_at(event.asn, event.school_code, payload.course_code, payload.section_id)
    recorded = [ce.exit_date for ce in history if ce.entry_date == payload.entry_date]
    return [
        d.SaveCourseEnrolment(
            CourseEnrolment(
                asn=event.asn,
                school_code=event.school_code,
                course_code=payload.course_code,
                section_id=payload.section_id,
                term_id=payload.term_id,
                entry_date=payload.entry_date,
                course_type=payload.course_type,
                exit_date=recorded[0] if recorded else None,
                source_event_id=event.event_id,
            )
        )
    ]


def exit_course(state: State, event: CourseExited, policy: Policy) -> list[d.Decision]:
    """A course exit ends the latest enrolment in that section that began before the exit date (one that
    begins on it only when there is no other): a re-enrolment recorded first is not what ended."""
    payload = event.payload
    history = state.course_enrolments_at(event.asn, event.school_code, payload.course_code, payload.section_id)
    before = [ce for ce in history if ce.entry_date < payload.exit_date]
    ended = before or [ce for ce in history if ce.entry_date == payload.exit_date]
    if not ended or ended[-1].exit_date == payload.exit_date:
        return []
    return [d.SaveCourseEnrolment(dataclasses.replace(ended[-1], exit_date=payload.exit_date))]


def post_grade(state: State, event: StoredGradePosted, policy: Policy) -> list[d.Decision]:
    payload = event.payload
    return [
        d.SaveStoredGrade(
            StoredGrade(
                asn=event.asn,
                school_code=event.school_code,
                course_code=payload.course_code,
                term_id=payload.term_id,
                mark=payload.mark,
                course_type=payload.course_type,
                section_id=payload.section_id,
                credits=payload.credits,
                source_event_id=event.event_id,
            )
        )
    ]
