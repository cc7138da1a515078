"""`TermClosed`: the End-of-Year broadcast that closes a school year's concurrent enrolments."""

from datetime import date

from pydantic import Field, field_validator

from schemas.types import Identifier, Instant, Message, SchoolCode


class TermClosed(Message):
    event_id: Identifier
    occurred_at: Instant
    run_id: Identifier
    school_year_id: int = Field(ge=0, le=999)
    closed_on: date
    school_codes: list[SchoolCode] = Field(default_factory=list)
    exit_code: Identifier | None = None

    @field_validator("school_codes")
    @classmethod
    def _no_repeats(cls, codes: list[str]) -> list[str]:
        repeated = sorted({code for code in codes if codes.count(code) > 1})
        if repeated:
            raise ValueError(f"lists {', '.join(repeated)} more than once")
        return codes

    @property
    def key(self) -> str:
        """The Kafka key: the school year id as text."""
        return str(self.school_year_id)
