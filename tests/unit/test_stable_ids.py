"""Stable ids are exactly uuid5 of the namespace and the parts joined by "|": replays and stored ids depend on it."""

import random
import uuid
from datetime import date

from consumer.domain.decisions import ID_NAMESPACE, stable_id


def _uuid5(*parts: object) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, "|".join("" if p is None else str(p) for p in parts)))


def test_stable_ids_are_uuid5_of_their_parts():
    chance = random.Random(11)
    alphabet = "abcXYZ019|-_ éü中😀\u0000"
    cases = [(), ("",), (None,), ("message", "key", "RAISED", 1), ("sync", None, "123456789", date(2026, 3, 2))]
    for _ in range(5_000):
        text = "".join(chance.choices(alphabet, k=chance.randrange(40)))
        cases.append(tuple(
            chance.choice([None, chance.randrange(-10**6, 10**6), text]) for _ in range(chance.randrange(1, 6))
        ))
    for parts in cases:
        assert stable_id(*parts) == _uuid5(*parts), parts
