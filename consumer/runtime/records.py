"""Input records as the service sees them: decoded and validated, or carrying why they cannot be."""

import dataclasses
import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property

from schemas.codec import MessageCodec
from schemas.errors import DecodeError, InvalidMessage
from schemas.events import EventBase
from schemas.term_closed import TermClosed

EARLIEST = datetime.min.replace(tzinfo=UTC)
DUPLICATE_ID_CONFLICT = "DuplicateIdConflict"
#: `json.dumps(content, sort_keys=True, separators=(",", ":"))`, with the encoder built once.
_CANONICAL_JSON = json.JSONEncoder(sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class InputRecord:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    message: EventBase | TermClosed | None
    error_class: str | None = None
    error_message: str | None = None

    @property
    def dead(self) -> bool:
        return self.message is None

    @property
    def dedupe_id(self) -> str:
        """Event id for messages; the record's position for dead letters (they may have no id)."""
        if self.message is not None:
            return self.message.event_id
        return f"dead-letter:{self.topic}:{self.partition}:{self.offset}"

    @cached_property
    def fingerprint(self) -> str | None:
        """What the event says, whatever its encoding (framing, schema version, the offset its instant was
        written with): a re-delivery has the fingerprint of the processed event of its id, an impostor not."""
        if self.message is None:
            return None
        content = self.message.model_dump(mode="json")
        content["occurred_at"] = self.message.occurred_at.astimezone(UTC).isoformat()
        return hashlib.sha256(_CANONICAL_JSON.encode(content).encode()).hexdigest()

    def as_conflict(self) -> "InputRecord":
        """This record as a dead letter: its event id was processed before with other content."""
        return dataclasses.replace(
            self,
            message=None,
            error_class=DUPLICATE_ID_CONFLICT,
            error_message=f"event id {self.message.event_id!r} was processed before with other content",
        )

    @property
    def order_key(self) -> tuple:
        """Event time first, so that a replay handles events in the same order; ties by position."""
        at = self.message.occurred_at if self.message is not None else EARLIEST
        return (at, self.topic, self.partition, self.offset)


def decode_record(
    codec: MessageCodec, expected: type, topic: str, partition: int, offset: int, key, value
) -> InputRecord:
    """Decode one consumed record; failures become a dead letter naming the error."""
    if value is None:
        return InputRecord(topic, partition, offset, key, value, None, "DecodeError", "record has no value")
    try:
        message = codec.decode(value)
    except (DecodeError, InvalidMessage) as exc:
        return InputRecord(topic, partition, offset, key, value, None, type(exc).__name__, str(exc))
    if not isinstance(message, expected):
        return InputRecord(
            topic, partition, offset, key, value, None, "InvalidMessage",
            f"topic {topic} carries {expected.__name__}, not {type(message).__name__}",
        )
    return InputRecord(topic, partition, offset, key, value, message)


@dataclass(frozen=True)
class SortedOut:
    fresh: list[InputRecord]  # to handle, in order: first deliveries and dead letters (id conflicts among them)
    duplicates: Counter  # re-deliveries left out, by topic


def sort_out(
    records: Iterable[InputRecord],
    processed: Mapping[str, str | None],
    lookup: Callable[[list[str]], Mapping[str, str | None]],
) -> SortedOut:
    """Tell first deliveries from re-deliveries (an id processed before, or earlier in the batch, with the same
    fingerprint, or processed before fingerprints were kept) and from conflicts (the same id, other content),
    which become dead letters. `processed` holds the fingerprints of the batch's processed ids; `lookup` finds
    which conflicts were already dead-lettered (a conflict re-read after a crash)."""
    seen = dict(processed)
    fresh: list[InputRecord] = []
    duplicates: Counter = Counter()
    for record in records:
        key = record.dedupe_id
        if key not in seen:
            seen[key] = record.fingerprint
            fresh.append(record)
        elif record.dead or seen[key] in (None, record.fingerprint):
            duplicates[record.topic] += 1
        else:
            fresh.append(record.as_conflict())
    conflicts = [r.dedupe_id for r in fresh if r.error_class == DUPLICATE_ID_CONFLICT]
    done = set(lookup(conflicts)) if conflicts else set()
    for record in fresh:
        if record.dedupe_id in done:
            duplicates[record.topic] += 1
    return SortedOut([r for r in fresh if r.dedupe_id not in done], duplicates)
