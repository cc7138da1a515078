"""`EnrollmentChanged`: the SIS's enrolment events, a union discriminated by `event_type`."""

from typing import TYPE_CHECKING, Annotated, ClassVar, Literal, Self

from pydantic import Field, TypeAdapter, model_validator

from schemas.payloads import (
    ConcurrentEnrolmentStartedPayload,
    CourseEnrolledPayload,
    CourseExitedPayload,
    EnrolmentCancelledPayload,
    ExitCodeUpdatedPayload,
    PrimaryEnrolmentStartedPayload,
    SchoolEnrolmentExitedPayload,
    SchoolTermsConfiguredPayload,
    SectionScheduledPayload,
    StoredGradePostedPayload,
    StudentReEnrolledPayload,
)
from schemas.types import Asn, Identifier, Instant, Message, SchoolCode, Text


class EventBase(Message):
    """The envelope every enrolment event shares."""

    school_event: ClassVar[bool] = False

    event_id: Identifier
    event_type: str
    occurred_at: Instant
    source: Text
    asn: Asn | None = None
    school_code: SchoolCode

    @model_validator(mode="after")
    def _asn_matches_event_kind(self) -> Self:
        if self.school_event and self.asn is not None:
            raise ValueError(f"asn: must be null for the school event {self.event_type}")
        if not self.school_event and self.asn is None:
            raise ValueError(f"asn: required for the student event {self.event_type}")
        return self

    @property
    def key(self) -> str:
        """The Kafka key: ASN for student events, school code for school events."""
        return self.school_code if self.asn is None else self.asn


class StudentEvent(EventBase):
    """An event about one student: the validator above rejects one without an `asn`."""

    if TYPE_CHECKING:
        asn: Asn


class SchoolTermsConfigured(EventBase):
    school_event: ClassVar[bool] = True
    event_type: Literal["SchoolTermsConfigured"]
    payload: SchoolTermsConfiguredPayload


class SectionScheduled(EventBase):
    school_event: ClassVar[bool] = True
    event_type: Literal["SectionScheduled"]
    payload: SectionScheduledPayload


class PrimaryEnrolmentStarted(StudentEvent):
    event_type: Literal["PrimaryEnrolmentStarted"]
    payload: PrimaryEnrolmentStartedPayload


class ConcurrentEnrolmentStarted(StudentEvent):
    event_type: Literal["ConcurrentEnrolmentStarted"]
    payload: ConcurrentEnrolmentStartedPayload  # a home school equal to school_code is R8's case, not malformed


class SchoolEnrolmentExited(StudentEvent):
    event_type: Literal["SchoolEnrolmentExited"]
    payload: SchoolEnrolmentExitedPayload  # "continuing" at the same school starts no R7 transfer, not malformed


class StudentReEnrolled(StudentEvent):
    event_type: Literal["StudentReEnrolled"]
    payload: StudentReEnrolledPayload


class ExitCodeUpdated(StudentEvent):
    event_type: Literal["ExitCodeUpdated"]
    payload: ExitCodeUpdatedPayload


class EnrolmentCancelled(StudentEvent):
    event_type: Literal["EnrolmentCancelled"]
    payload: EnrolmentCancelledPayload


class CourseEnrolled(StudentEvent):
    event_type: Literal["CourseEnrolled"]
    payload: CourseEnrolledPayload


class CourseExited(StudentEvent):
    event_type: Literal["CourseExited"]
    payload: CourseExitedPayload


class StoredGradePosted(StudentEvent):
    event_type: Literal["StoredGradePosted"]
    payload: StoredGradePostedPayload


EVENT_CLASSES: tuple[type[EventBase], ...] = (
    SchoolTermsConfigured,
    SectionScheduled,
    PrimaryEnrolmentStarted,
    ConcurrentEnrolmentStarted,
    SchoolEnrolmentExited,
    StudentReEnrolled,
    ExitCodeUpdated,
    EnrolmentCancelled,
    CourseEnrolled,
    CourseExited,
    StoredGradePosted,
)
EVENT_TYPES: tuple[str, ...] = tuple(c.__name__ for c in EVENT_CLASSES)
SCHOOL_EVENT_TYPES: frozenset[str] = frozenset(c.__name__ for c in EVENT_CLASSES if c.school_event)

EnrollmentChanged = Annotated[
    SchoolTermsConfigured
    | SectionScheduled
    | PrimaryEnrolmentStarted
    | ConcurrentEnrolmentStarted
    | SchoolEnrolmentExited
    | StudentReEnrolled
    | ExitCodeUpdated
    | EnrolmentCancelled
    | CourseEnrolled
    | CourseExited
    | StoredGradePosted,
    Field(discriminator="event_type"),
]

#: Validates and serialises any `EnrollmentChanged` event.
enrollment_changed: TypeAdapter[EnrollmentChanged] = TypeAdapter(EnrollmentChanged)
