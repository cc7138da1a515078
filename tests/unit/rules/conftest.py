"""Factory fixtures for the rule tests: a Story feeds events through the rules in event time and reads what came out."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from consumer.domain.outputs import Output
from consumer.domain.policy import Policy
from consumer.domain.rules import advance_to, close_student_for_year, handle_event
from consumer.domain.rules.end_of_year import new_run
from consumer.domain.state import State
from schemas.term_closed import TermClosed
from tests.support.events import STUDENT, Timeline

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


class Story(Timeline):
    """A student's (and their schools') history told event by event, each a minute after the last unless told.

    Every event told is handled by the rules at once; telling one returns its `Step`."""

    def __init__(self, policy: Policy, start: datetime):
        super().__init__(start, step=BETWEEN_EVENTS, id_prefix="event", source="powerschool", student=STUDENT)
        self.policy = policy
        self.state = State()

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
    def emit(self, message) -> Step:
        if isinstance(message, TermClosed):
            return self.close_year(message)
        return self.handle(message)

    def handle(self, event) -> Step:
        before = len(self.state.outputs)
        handle_event(self.state, event, self.policy)
        return Step(event, self.state.outputs[before:])

    def again(self, step: Step) -> Step:
        """The very same event delivered once more."""
        return self.handle(step.event)

    def someone_else_acts(self, at: datetime, asn: str = "987654321", school_code: str = "9999") -> Step:
        """Another student's event: it moves event time (the watermark) for everyone."""
        return self.at(at).primary_started(school_code, at.date(), asn=asn)

    def term_closed(self, year: int, closed_on: date, school_codes=(), **options) -> Step:
        """The End-of-Year broadcast, handled by `close_year`."""
        return super().term_closed(year, closed_on, school_codes, **{"run_id": "eoy-run-1", **options})

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
