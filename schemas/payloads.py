"""The payload of each `EnrollmentChanged` event type, field for field as in the contract."""

from datetime import date
from typing import Self

from pydantic import Field, model_validator

from schemas.types import (
    EnrolmentKind,
    ExitReason,
    Identifier,
    Message,
    SchoolCode,
    Text,
)

TermId = int
#: Term ids are the school year id times 100 plus 0..99, each once: a year has at most 100 terms.
MAX_TERMS = 100
SchoolYearId = int


class Term(Message):
    term_id: TermId = Field(ge=0, le=99_999)
    abbreviation: Text
    first_day: date
    last_day: date


class SchoolTermsConfiguredPayload(Message):
    school_year_id: SchoolYearId = Field(ge=0, le=999)
    terms: list[Term] = Field(min_length=1, max_length=MAX_TERMS)
    is_summer_school: bool

    @model_validator(mode="after")
    def _terms_are_well_formed(self) -> Self:
        """A term listed twice or ending before it starts describes no setup at all (malformed). A term whose
        id or dates belong to another school year is a possible, wrong setup: accepted, and the rules judge it
        (it is not one of this year's Term IDs; see consumer.domain.rules.facts)."""
        seen: set[int] = set()
        for index, term in enumerate(self.terms):
            where = f"terms[{index}]"
            if term.term_id in seen:
                raise ValueError(f"{where}.term_id: {term.term_id} appears twice")
            seen.add(term.term_id)
            if term.last_day < term.first_day:
                raise ValueError(
                    f"{where}.last_day: {term.last_day} is before first_day {term.first_day}"
                )
        return self


class SectionScheduledPayload(Message):
    course_code: Identifier
    section_id: Identifier
    term_id: TermId = Field(ge=0, le=99_999)


class PrimaryEnrolmentStartedPayload(Message):
    entry_date: date
    grade: Text


class ConcurrentEnrolmentStartedPayload(Message):
    entry_date: date
    grade: Text
    home_school_code: SchoolCode


class SchoolEnrolmentExitedPayload(Message):
    enrolment_kind: EnrolmentKind
    exit_date: date
    exit_code: Identifier | None = None
    reason: ExitReason
    continuing_at_school_code: SchoolCode | None = None


class StudentReEnrolledPayload(Message):
    entry_date: date
    grade: Text


class ExitCodeUpdatedPayload(Message):
    enrolment_kind: EnrolmentKind
    exit_code: Identifier


class EnrolmentCancelledPayload(Message):
    enrolment_kind: EnrolmentKind


class CourseEnrolledPayload(Message):
    course_code: Identifier
    section_id: Identifier
    term_id: TermId = Field(ge=0, le=99_999)
    entry_date: date
    course_type: Identifier


class CourseExitedPayload(Message):
    course_code: Identifier
    section_id: Identifier
    exit_date: date


class StoredGradePostedPayload(Message):
    course_code: Identifier
    section_id: Identifier | None = None
    term_id: TermId = Field(ge=0, le=99_999)
    mark: Text
    credits: int | None = Field(default=None, ge=0, le=100)
    course_type: Identifier
