"""A state's deadlines know their earliest due time: which are due is the same answer as looking at every one."""

import random
from datetime import UTC, datetime, timedelta

from consumer.domain import decisions as d
from consumer.domain.deadlines import Deadlines
from consumer.domain.model import Deadline
from consumer.domain.state import State

START = datetime(2025, 9, 1, tzinfo=UTC)


def _deadline(n: int, hours: int) -> Deadline:
    return Deadline(f"d-{n:03d}", START + timedelta(hours=hours), "TRANSFER", "123456789", "1111", "ref")


def _every_one_looked_at(book: dict[str, Deadline], watermark: datetime) -> list[Deadline]:
    return sorted((x for x in book.values() if x.due_at <= watermark), key=lambda x: (x.due_at, x.deadline_id))


def test_which_are_due_follows_every_change():
    chance = random.Random(7)
    book = Deadlines()
    for step in range(3_000):
        n = chance.randrange(40)
        action = chance.random()
        if action < 0.5:
            book[f"d-{n:03d}"] = _deadline(n, chance.randrange(-50, 200))  # new, or moved earlier or later
        elif action < 0.8:
            book.pop(f"d-{n:03d}", None)
        elif action < 0.85 and f"d-{n:03d}" in book:
            del book[f"d-{n:03d}"]
        elif action < 0.86:
            book.update({f"d-{n:03d}": _deadline(n, chance.randrange(-50, 200))})
        watermark = START + timedelta(hours=chance.randrange(-60, 220))
        assert book.due(watermark) == _every_one_looked_at(book, watermark), step


def test_a_state_fires_a_deadline_moved_earlier_and_not_one_completed():
    state = State(START)
    state.load([_deadline(1, 10), _deadline(2, 20)])
    assert state.due_deadlines() == []
    state.watermark = START + timedelta(hours=15)
    assert [x.deadline_id for x in state.due_deadlines()] == ["d-001"]
    state.apply([d.CompleteDeadline("d-001"), d.SetDeadline(_deadline(2, 5))])
    assert [x.deadline_id for x in state.due_deadlines()] == ["d-002"]
    assert state.deadlines == {"d-002": _deadline(2, 5)}
