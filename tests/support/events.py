"""Building contract events for tests: valid by construction, with increasing event time."""

import itertools
import uuid
from datetime import UTC, date, datetime, timedelta

from schemas.events import enrollment_changed
from schemas.term_closed import TermClosed

_serial = itertools.count()


def asn(n: int) -> str:
    return f"{100000000 + n:09d}"


def event(event_type: str, school_code: str, payload: dict, asn: str | None = None, at: datetime | None = None,
          event_id: str | None = None):
    return enrollment_changed.validate_python(
        {
            "event_id": event_id or str(uuid.uuid4()),
            "event_type": event_type,
            "occurred_at": at or datetime(2026, 3, 2, 16, 0, tzinfo=UTC) + timedelta(seconds=next(_serial)),
            "source": "tests",
            "asn": asn,
            "school_code": school_code,
            "payload": payload,
        }
    )


def exited(student: str, school: str, day: date, kind: str = "PRIMARY", reason: str = "WITHDRAWN",
           continuing: str | None = None, exit_code: str | None = None, **kw):
    payload = {
        "enrolment_kind": kind,
        "exit_date": day,
        "exit_code": exit_code,
        "reason": reason,
        "continuing_at_school_code": continuing,
    }
    return event("SchoolEnrolmentExited", school, payload, asn=student, **kw)


def term_closed(year: int, closed_on: date, schools: list[str] = (), run_id: str = "eoy-test", **kw) -> TermClosed:
    return TermClosed(
        event_id=kw.pop("event_id", str(uuid.uuid4())),
        occurred_at=kw.pop("at", datetime(2026, 6, 30, 23, 0, tzinfo=UTC)),
        run_id=run_id,
        school_year_id=year,
        closed_on=closed_on,
        school_codes=list(schools),
        exit_code=kw.pop("exit_code", None),
    )
