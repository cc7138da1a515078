"""Field types shared by every message: identifiers, enumerations and the school-year calendar."""

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints

Asn = Annotated[str, StringConstraints(pattern=r"^\d{9}$")]
SchoolCode = Annotated[str, StringConstraints(pattern=r"^\d{4}$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Identifier = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^\S(.*\S)?$")]

EnrolmentKind = Literal["PRIMARY", "CONCURRENT"]
ExitReason = Literal["TRANSFER_OUT", "WITHDRAWN", "COMPLETED", "OTHER"]
SyncReason = Literal["TRANSFER_OUT", "WITHDRAWN", "COMPLETED", "END_OF_YEAR", "OTHER", "CANCELLED"]
SyncAction = Literal["EXIT", "CREATED_IN_ERROR"]
AlertCategory = Literal[
    "STUDENT", "ENROLMENT", "SECTION", "COURSE_ENROLMENT", "EVALUATED_MARK", "EXTERNAL_CREDENTIAL"
]
AlertType = Literal["ADVICE", "WARNING", "REJECTION", "CONFLICT", "FAILURE"]
AlertStatus = Literal["RAISED", "RESOLVED"]

#: Year 0 is 1990-91; a school year runs from August 1 to July 31.
FIRST_SCHOOL_YEAR = 1990


class Message(BaseModel):
    """Base of every contract model: strict types, unknown fields refused, immutable."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


def school_year_of(day: date) -> int:
    """The school year id a date belongs to (August on: calendar year - 1990, before: - 1991)."""
    return day.year - FIRST_SCHOOL_YEAR - (0 if day.month >= 8 else 1)


def school_year_label(year_id: int) -> str:
    """Human form of a school year id: 35 -> '2025-26'."""
    start = FIRST_SCHOOL_YEAR + year_id
    return f"{start}-{(start + 1) % 100:02d}"
