"""Building contract events for every test tier: valid by construction, in event time.

One argument order everywhere: the school first, then the facts of the event in the contract's order, the student
last and by keyword (`asn=`). A `Timeline` tells events one after another, each a step after the last unless told
(`at(...)`, or `at=` on one event); what it does with each one is its `emit`: the rule tests handle it at once
(tests/unit/rules/conftest.py), a `Scenario` keeps it to be published or fed to the service. The module-level
`event`, `exited` and `term_closed` build loose events on a timeline of their own, with random ids.
"""

import itertools
import uuid
from datetime import UTC, date, datetime, timedelta

from schemas.events import SCHOOL_EVENT_TYPES, enrollment_changed
from schemas.term_closed import TermClosed

STUDENT = "123456789"
_UNSET = object()


def asn(n: int) -> str:
    return f"{100000000 + n:09d}"


class Timeline:
    """Events told one after another: each at the clock, which then moves on by `step`, unless given `at=`."""

    def __init__(self, start: datetime, step: timedelta = timedelta(minutes=1), id_prefix: str | None = "event",
                 source: str = "tests", student: str | None = STUDENT):
        self.clock = start
        self.step = step
        self.id_prefix = id_prefix  # None: random ids
        self.source = source
        self.student = student  # the student of student events told without `asn=`
        self._serial = itertools.count(1)

    def emit(self, message):
        """What becomes of each event told; here it is only returned."""
        return message

    def at(self, when: datetime) -> "Timeline":
        """The next event occurs at `when`."""
        self.clock = when
        return self

    def _envelope(self, at: datetime | None, event_id: str | None) -> tuple[str, datetime]:
        if event_id is None:
            event_id = str(uuid.uuid4()) if self.id_prefix is None else f"{self.id_prefix}-{next(self._serial)}"
        if at is None:
            at, self.clock = self.clock, self.clock + self.step
        return event_id, at

    def build(self, event_type: str, school_code: str, payload: dict, asn=_UNSET, *, at: datetime | None = None,
              event_id: str | None = None):
        """The event, not emitted. Without `asn`, a school event has none and a student event is the timeline's."""
        if asn is _UNSET:
            asn = None if event_type in SCHOOL_EVENT_TYPES else self.student
        event_id, at = self._envelope(at, event_id)
        return enrollment_changed.validate_python(
            {
                "event_id": event_id,
                "event_type": event_type,
                "occurred_at": at,
                "source": self.source,
                "asn": asn,
                "school_code": school_code,
                "payload": payload,
            }
        )

    def happens(self, event_type: str, school_code: str, payload: dict, asn=_UNSET, **envelope):
        return self.emit(self.build(event_type, school_code, payload, asn, **envelope))

    # School events ------------------------------------------------------------------------------
    def terms_configured(self, school_code: str, year: int, *term_ids: int, ending: dict | None = None, **envelope):
        """The school's Term IDs for `year`, each running September to June unless `ending` gives its last day."""
        first, last = date(1990 + year, 9, 1), date(1991 + year, 6, 30)
        terms = [
            {"term_id": t, "abbreviation": f"T{t}", "first_day": first, "last_day": (ending or {}).get(t, last)}
            for t in term_ids
        ]
        payload = {"school_year_id": year, "terms": terms, "is_summer_school": False}
        return self.happens("SchoolTermsConfigured", school_code, payload, **envelope)

    def section_scheduled(self, school_code: str, course: str, section: str, term_id: int, **envelope):
        payload = {"course_code": course, "section_id": section, "term_id": term_id}
        return self.happens("SectionScheduled", school_code, payload, **envelope)

    # Student events -----------------------------------------------------------------------------
    def primary_started(self, school_code: str, entry: date, *, asn=_UNSET, **envelope):
        return self.happens("PrimaryEnrolmentStarted", school_code, {"entry_date": entry, "grade": "10"}, asn,
                            **envelope)

    def concurrent_started(self, school_code: str, home: str, entry: date, *, asn=_UNSET, **envelope):
        payload = {"entry_date": entry, "grade": "10", "home_school_code": home}
        return self.happens("ConcurrentEnrolmentStarted", school_code, payload, asn, **envelope)

    def enrolled_concurrently(self, home: str, school_code: str, entry: date, *, asn=_UNSET):
        """A primary enrolment at `home`, then a concurrent one at `school_code` from the same day."""
        self.primary_started(home, entry, asn=asn)
        return self.concurrent_started(school_code, home, entry, asn=asn)

    def exited(self, school_code: str, kind: str, on: date, reason: str = "WITHDRAWN", exit_code: str | None = None,
               continuing_at: str | None = None, *, asn=_UNSET, **envelope):
        payload = {"enrolment_kind": kind, "exit_date": on, "exit_code": exit_code, "reason": reason,
                   "continuing_at_school_code": continuing_at}
        return self.happens("SchoolEnrolmentExited", school_code, payload, asn, **envelope)

    def transferred_out(self, home: str, continuing_at: str, on: date, *, asn=_UNSET, **envelope):
        """The primary enrolment at `home` exits TRANSFER_OUT, the student continuing at the concurrent school."""
        return self.exited(home, "PRIMARY", on, reason="TRANSFER_OUT", continuing_at=continuing_at, asn=asn,
                           **envelope)

    def reenrolled(self, school_code: str, entry: date, *, asn=_UNSET, **envelope):
        return self.happens("StudentReEnrolled", school_code, {"entry_date": entry, "grade": "10"}, asn, **envelope)

    def exit_code_updated(self, school_code: str, kind: str, exit_code: str, *, asn=_UNSET, **envelope):
        payload = {"enrolment_kind": kind, "exit_code": exit_code}
        return self.happens("ExitCodeUpdated", school_code, payload, asn, **envelope)

    def cancelled(self, school_code: str, kind: str, *, asn=_UNSET, **envelope):
        return self.happens("EnrolmentCancelled", school_code, {"enrolment_kind": kind}, asn, **envelope)

    def course_enrolled(self, school_code: str, course: str, section: str, term_id: int, entry: date,
                        course_type: str = "REG", *, asn=_UNSET, **envelope):
        payload = {"course_code": course, "section_id": section, "term_id": term_id, "entry_date": entry,
                   "course_type": course_type}
        return self.happens("CourseEnrolled", school_code, payload, asn, **envelope)

    def course_exited(self, school_code: str, course: str, section: str, on: date, *, asn=_UNSET, **envelope):
        payload = {"course_code": course, "section_id": section, "exit_date": on}
        return self.happens("CourseExited", school_code, payload, asn, **envelope)

    def grade_posted(self, school_code: str, course: str, term_id: int, section: str | None = None,
                     course_type: str = "REG", *, asn=_UNSET, **envelope):
        payload = {"course_code": course, "section_id": section, "term_id": term_id, "mark": "85", "credits": 5,
                   "course_type": course_type}
        return self.happens("StoredGradePosted", school_code, payload, asn, **envelope)

    # The End-of-Year broadcast ------------------------------------------------------------------
    def term_closed(self, year: int, closed_on: date, school_codes=(), *, exit_code: str | None = None,
                    run_id: str = "eoy-test", at: datetime | None = None, event_id: str | None = None):
        event_id, at = self._envelope(at, event_id)
        broadcast = TermClosed(event_id=event_id, occurred_at=at, run_id=run_id, school_year_id=year,
                               closed_on=closed_on, school_codes=list(school_codes), exit_code=exit_code)
        return self.emit(broadcast)


class Scenario(Timeline):
    """A timeline that keeps its events (`events`), to be published or fed to the service in that order."""

    def __init__(self, start: datetime, **options):
        super().__init__(start, **options)
        self.events: list = []

    def emit(self, message):
        self.events.append(message)
        return message


#: Loose events: a second apart from 2026-03-02 16:00 UTC unless given `at=`, with random ids.
_LOOSE = Timeline(datetime(2026, 3, 2, 16, 0, tzinfo=UTC), step=timedelta(seconds=1), id_prefix=None, student=None)
YEAR_END_BROADCAST_AT = datetime(2026, 6, 30, 23, 0, tzinfo=UTC)


def event(event_type: str, school_code: str, payload: dict, *, asn: str | None = None, **envelope):
    """A loose event of any type (`at=`, `event_id=` optional)."""
    return _LOOSE.build(event_type, school_code, payload, asn, **envelope)


def exited(school_code: str, kind: str, on: date, reason: str = "WITHDRAWN", exit_code: str | None = None,
           continuing_at: str | None = None, *, asn: str, **envelope):
    """A loose SchoolEnrolmentExited event (`at=`, `event_id=` optional)."""
    return _LOOSE.exited(school_code, kind, on, reason, exit_code, continuing_at, asn=asn, **envelope)


def term_closed(year: int, closed_on: date, school_codes=(), *, at: datetime = YEAR_END_BROADCAST_AT,
                **options) -> TermClosed:
    """A loose End-of-Year broadcast, at 2026-06-30 23:00 UTC unless given `at=`."""
    return _LOOSE.term_closed(year, closed_on, school_codes, at=at, **options)
