"""`TermClosed`: the End-of-Year broadcast that closes a school year's concurrent enrolments."""

from collections import Counter
from datetime import date

from pydantic import Field, field_validator

from schemas.errors import listing
from schemas.types import Identifier, Instant, Message, SchoolCode

#: Every 4-digit school code once: the longest list that can be valid.
MAX_SCHOOL_CODES = 10_000


class TermClosed(Message):
    event_id: Identifier
    occurred_at: Instant
    run_id: Identifier
    school_year_id: int = Field(ge=0, le=999)
    closed_on: date
    school_codes: list[SchoolCode] = Field(default_factory=list, max_length=MAX_SCHOOL_CODES)
    exit_code: Identifier | None = None

    @field_validator("school_codes")
    @classmethod
    def _no_repeats(cls, codes: list[str]) -> list[str]:
        repeated = [code for code, count in Counter(codes).items() if count > 1]
        if repeated:
            raise ValueError(f"lists more than once: {listing(repeated)}")
        return codes

    @property
    def key(self) -> str:
        """The Kafka key: the school year id as text."""
        return str(self.school_year_id)
