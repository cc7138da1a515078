"""Dead-letter replay: which dead letters to send back to their input topic, and how."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from schemas.records import OutboxRecord


@dataclass(frozen=True)
class DeadLetter:
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: dict[str, str]

    @property
    def source_topic(self) -> str | None:
        return self.headers.get("source.topic")

    @property
    def failed_at(self) -> datetime | None:
        try:
            return datetime.fromisoformat(self.headers["failed_at"])
        except (KeyError, ValueError):
            return None

    @property
    def reason(self) -> str:
        message = self.headers.get("error.message", "").splitlines()[0] if self.headers.get("error.message") else ""
        return f"{self.headers.get('error.class', '?')}: {message[:100]}"


def dead_letter(record) -> DeadLetter:
    headers = {name: value.decode("utf-8", "replace") for name, value in record.headers or []}
    return DeadLetter(record.partition, record.offset, record.key, record.value or b"", headers)


def selected(letters: Iterable[DeadLetter], from_offset: int | None, since: datetime | None) -> list[DeadLetter]:
    chosen = []
    for letter in letters:
        if from_offset is not None and letter.offset < from_offset:
            continue
        if since is not None and (letter.failed_at is None or letter.failed_at < since):
            continue
        chosen.append(letter)
    return chosen


@dataclass
class ReplayPlan:
    """The dead letters to send to `target`, and those left alone: without a source.topic header, or
    whose header names another topic (anyone who can write a dead-letter topic can write its headers)."""

    target: str
    send: list[DeadLetter] = field(default_factory=list)
    without_source: int = 0
    refused: Counter = field(default_factory=Counter)


def plan_replay(letters: Iterable[DeadLetter], target: str, explicit: bool) -> ReplayPlan:
    """Every letter goes to `target` when the operator named it (`explicit`); otherwise only those
    whose source.topic header names it."""
    plan = ReplayPlan(target)
    for letter in letters:
        if explicit or letter.source_topic == target:
            plan.send.append(letter)
        elif not letter.source_topic:
            plan.without_source += 1
        else:
            plan.refused[letter.source_topic] += 1
    return plan


def as_record(letter: DeadLetter, dlq_topic: str, target: str) -> OutboxRecord:
    """The original key and bytes, to the input topic `target`, saying where the replay came from."""
    origin = f"{dlq_topic}:{letter.partition}:{letter.offset}".encode()
    return OutboxRecord(target, letter.key, letter.value, [("dlq.replayed_from", origin)])


def reasons(letters: Iterable[DeadLetter]) -> Counter:
    return Counter((letter.source_topic or "?", letter.reason) for letter in letters)
