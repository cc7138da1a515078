"""The End-of-Year producer: builds the `TermClosed` broadcast for a school year."""

import uuid
from datetime import UTC, date, datetime

from schemas.term_closed import TermClosed


def default_run_id(school_year_id: int, closed_on: date, school_codes: list[str]) -> str:
    """Same year, date and schools give the same run id, so re-running the command changes nothing."""
    scope = "-".join(sorted(school_codes)) or "all"
    return f"eoy-{school_year_id}-{closed_on.isoformat()}-{scope}"


def term_closed(
    school_year_id: int,
    closed_on: date,
    school_codes: list[str],
    run_id: str | None = None,
    exit_code: str | None = None,
    now: datetime | None = None,
) -> TermClosed:
    return TermClosed(
        event_id=str(uuid.uuid4()),
        occurred_at=now or datetime.now(UTC),
        run_id=run_id or default_run_id(school_year_id, closed_on, school_codes),
        school_year_id=school_year_id,
        closed_on=closed_on,
        school_codes=school_codes,
        exit_code=exit_code,
    )
