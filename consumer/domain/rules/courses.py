"""Course enrolments, course exits and stored grades, as the rules need to remember them."""

import dataclasses

from consumer.domain import decisions as d
from consumer.domain.model import CourseEnrolment, Section, StoredGrade
from consumer.domain.policy import Policy
from consumer.domain.state import State


def schedule_section(state: State, event, policy: Policy) -> list[d.Decision]:
    payload = event.payload
    return [
        d.SaveSection(
            Section(event.school_code, payload.course_code, payload.section_id, payload.term_id, event.event_id)
        )
    ]


def enrol_in_course(state: State, event, policy: Policy) -> list[d.Decision]:
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


def exit_course(state: State, event, policy: Policy) -> list[d.Decision]:
    """A course exit ends the latest enrolment in that section that began before the exit date (one that
    begins on it only when there is no other): a re-enrolment recorded first is not what ended."""
    payload = event.payload
    history = state.course_enrolments_at(event.asn, event.school_code, payload.course_code, payload.section_id)
    before = [ce for ce in history if ce.entry_date < payload.exit_date]
    ended = before or [ce for ce in history if ce.entry_date == payload.exit_date]
    if not ended or ended[-1].exit_date == payload.exit_date:
        return []
    return [d.SaveCourseEnrolment(dataclasses.replace(ended[-1], exit_date=payload.exit_date))]


def post_grade(state: State, event, policy: Policy) -> list[d.Decision]:
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
