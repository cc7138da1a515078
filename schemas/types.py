"""Field types shared by every message: identifiers, enumerations and the school-year calendar."""

import re
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

# [0-9], not \d: the validator's regex engine counts any Unicode digit as \d
Asn = Annotated[str, StringConstraints(pattern=r"^[0-9]{9}$")]
SchoolCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}$")]
#: The longest text or identifier in a message; the state store sizes its columns from it.
MAX_TEXT_LENGTH = 200
_CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")


def _printable(value: str) -> str:
    """No control characters: they describe no real fact, and PostgreSQL cannot store NUL in text."""
    if value.isprintable():  # every control character is unprintable: the common case needs no search
        return value
    found = _CONTROL_CHARACTER.search(value)
    if found:
        raise ValueError(f"control character U+{ord(found.group()):04X} at position {found.start()}")
    return value


Text = Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT_LENGTH), AfterValidator(_printable)]
Identifier = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_TEXT_LENGTH, pattern=r"^\S(.*\S)?$"),
    AfterValidator(_printable),
]

def _instant(value: datetime) -> datetime:
    if value.tzinfo is UTC:  # as decoded from Avro: the year is the UTC year and the offset whole minutes
        if 1900 <= value.year <= 2999:
            return value
        raise ValueError("instant is outside the years 1900-2999")
    try:
        year = value.astimezone(UTC).year
    except OverflowError:
        year = value.year
    if not 1900 <= year <= 2999:
        raise ValueError("instant is outside the years 1900-2999")
    offset = value.utcoffset()
    if offset is not None and offset % timedelta(minutes=1):
        return value.astimezone(UTC)  # the JSON form writes offsets as +HH:MM; keep the instant exact
    return value


#: An instant with its zone, between 1900 and 2999.
Instant = Annotated[AwareDatetime, AfterValidator(_instant)]
SchoolYearId = Annotated[int, Field(ge=0, le=999)]

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
