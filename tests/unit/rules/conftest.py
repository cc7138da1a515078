"""Factory fixtures for the rule tests: a Story feeds events through the rules in event time and reads what came out."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import count

import pytest

from consumer.domain.outputs import Output
from consumer.domain.policy import Policy
from consumer.domain.rules import advance_to, close_student_for_year, handle_event
from consumer.domain.rules.end_of_year import new_run
from consumer.domain.state import State
from schemas.events import enrollment_changed
from schemas.term_closed import TermClosed

STUDENT = "123456789"
STORY_STARTS = datetime(2025, 9, 2, 15, 0, tzinfo=UTC)
BETWEEN_EVENTS = timedelta(minutes=1)


def _matching(outputs: list[Output], kind: str, match: dict) -> list:
    return [o.message for o in outputs if o.kind == kind and all(getattr(o.message, k) == v for k, v in match.items())]


@dataclass(frozen=True)
class Step:
    """One input handled: the input itself and the outputs it caused (deadlines it fired included)."""

    event: object
    outputs: list[Output]

    def alerts(self, **match) -> list:
        return _matching(self.outputs, "alert", match)

    def syncs(self, **match) -> list:
        return _matching(self.outputs, "sync", match)


class Story:
    """A student's (and their schools') history told event by event, each a minute after the last unless told."""

    def __init__(self, policy: Policy, start: datetime):
        self.policy = policy
        self.state = State()
        self.clock = start
        self._serial = count(1)

    # Reading what came out -----------------------------------------------------------------
    def alerts(self, **match) -> list:
        return _matching(self.state.outputs, "alert", match)

    def syncs(self, **match) -> list:
        return _matching(self.state.outputs, "sync", match)

    def message_ids(self) -> list[str]:
        return [o.message_id for o in self.state.outputs]

    def enrolment(self, school_code: str, kind: str, asn: str = STUDENT):
        return self.state.enrolment(asn, school_code, kind)

    # Telling what happened -----------------------------------------------------------------
    def at(self, when: datetime) -> "Story":
        """The next event occurs at `when`."""
        self.clock = when
        return self

    def handle(self, event) -> Step:
        before = len(self.state.outputs)
        handle_event(self.state, event, self.policy)
        return Step(event, self.state.outputs[before:])

    def again(self, step: Step) -> Step:
        """The very same event delivered once more."""
        return self.handle(step.event)

    def happens(self, event_type: str, school_code: str, payload: dict, asn: str | None = STUDENT) -> Step:
        event = enrollment_changed.validate_python(
            {
                "event_id": f"event-{next(self._serial)}",
                "event_type": event_type,
                "occurred_at": self.clock,
                "source": "powerschool",
                "asn": asn,
                "school_code": school_code,
                "payload": payload,
            }
        )
        self.clock += BETWEEN_EVENTS
        return self.handle(event)

    def terms_configured(self, school_code: str, year: int, *term_ids: int, ending: dict | None = None) -> Step:
        """The school's Term IDs for `year`, each running September to June unless `ending` gives its last day."""
        first, last = date(1990 + year, 9, 1), date(1991 + year, 6, 30)
        terms = [
            {"term_id": t, "abbreviation": f"T{t}", "first_day": first, "last_day": (ending or {}).get(t, last)}
            for t in term_ids
        ]
        payload = {"school_year_id": year, "terms": terms, "is_summer_school": False}
        return self.happens("SchoolTermsConfigured", school_code, payload, asn=None)

    def section_scheduled(self, school_code: str, course: str, section: str, term_id: int) -> Step:
        payload = {"course_code": course, "section_id": section, "term_id": term_id}
        return self.happens("SectionScheduled", school_code, payload, asn=None)

    def primary_started(self, school_code: str, entry: date, asn: str = STUDENT) -> Step:
        return self.happens("PrimaryEnrolmentStarted", school_code, {"entry_date": entry, "grade": "10"}, asn)

    def concurrent_started(self, school_code: str, home: str, entry: date, asn: str = STUDENT) -> Step:
        payload = {"entry_date": entry, "grade": "10", "home_school_code": home}
        return self.happens("ConcurrentEnrolmentStarted", school_code, payload, asn)

    def enrolled_concurrently(self, home: str, school_code: str, entry: date, asn: str = STUDENT) -> Step:
        """A primary enrolment at `home`, then a concurrent one at `school_code` from the same day."""
        self.primary_started(home, entry, asn)
        return self.concurrent_started(school_code, home, entry, asn)

    def exited(
        self,
        school_code: str,
        kind: str,
        on: date,
        reason: str = "WITHDRAWN",
        exit_code: str | None = None,
        continuing_at: str | None = None,
        asn: str = STUDENT,
    ) -> Step:
        payload = dict(enrolment_kind=kind, exit_date=on, exit_code=exit_code, reason=reason)
        payload["continuing_at_school_code"] = continuing_at
        return self.happens("SchoolEnrolmentExited", school_code, payload, asn)

    def transferred_out(self, home: str, continuing_at: str, on: date, asn: str = STUDENT) -> Step:
        """The primary enrolment at `home` exits TRANSFER_OUT, the student continuing at the concurrent school."""
        return self.exited(home, "PRIMARY", on, reason="TRANSFER_OUT", continuing_at=continuing_at, asn=asn)

    def reenrolled(self, school_code: str, entry: date, asn: str = STUDENT) -> Step:
        return self.happens("StudentReEnrolled", school_code, {"entry_date": entry, "grade": "10"}, asn)

    def exit_code_updated(self, school_code: str, kind: str, exit_code: str, asn: str = STUDENT) -> Step:
        return self.happens("ExitCodeUpdated", school_code, {"enrolment_kind": kind, "exit_code": exit_code}, asn)

    def cancelled(self, school_code: str, kind: str, asn: str = STUDENT) -> Step:
        return self.happens("EnrolmentCancelled", school_code, {"enrolment_kind": kind}, asn)

    def course_enrolled(
        self, school_code: str, course: str, section: str, term_id: int, entry: date, course_type: str = "REG"
    ) -> Step:
        payload = dict(
            course_code=course, section_id=section, term_id=term_id, entry_date=entry, course_type=course_type
        )
        return self.happens("CourseEnrolled", school_code, payload)

    def course_exited(self, school_code: str, course: str, section: str, on: date) -> Step:
        payload = dict(course_code=course, section_id=section, exit_date=on)
        return self.happens("CourseExited", school_code, payload)

    def grade_posted(
        self, school_code: str, course: str, term_id: int, section: str | None = None, course_type: str = "REG"
    ) -> Step:
        payload = dict(course_code=course, section_id=section, term_id=term_id, mark="85", credits=5)
        payload["course_type"] = course_type
        return self.happens("StoredGradePosted", school_code, payload)

    def someone_else_acts(self, at: datetime, asn: str = "987654321", school_code: str = "9999") -> Step:
        """Another student's event: it moves event time (the watermark) for everyone."""
        return self.at(at).primary_started(school_code, at.date(), asn=asn)

    def term_closed(
        self,
        year: int,
        closed_on: date,
        school_codes: tuple[str, ...] = (),
        exit_code: str | None = None,
        run_id: str = "eoy-run-1",
    ) -> Step:
        broadcast = TermClosed(
            event_id=f"event-{next(self._serial)}",
            occurred_at=self.clock,
            run_id=run_id,
            school_year_id=year,
            closed_on=closed_on,
            school_codes=list(school_codes),
            exit_code=exit_code,
        )
        self.clock += BETWEEN_EVENTS
        return self.close_year(broadcast)

    def close_year(self, broadcast: TermClosed) -> Step:
        """The End-of-Year run for a broadcast, over every student the state knows (the store picks fewer)."""
        before = len(self.state.outputs)
        advance_to(self.state, broadcast.occurred_at, self.policy)
        run = new_run(broadcast, self.policy)
        for asn in sorted(set(self.state.enrolments) | set(self.state.course_enrolments)):
            close_student_for_year(self.state, asn, run, self.policy)
        return Step(broadcast, self.state.outputs[before:])


@pytest.fixture
def policy() -> Policy:
    return Policy()


@pytest.fixture
def make_story(policy):
    """Stories starting at a given instant (default: a school day in September 2025)."""

    def make(start: datetime = STORY_STARTS) -> Story:
        return Story(policy, start)

    return make


@pytest.fixture
def story(make_story) -> Story:
    return make_story()
