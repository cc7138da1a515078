"""Input records as the service sees them: decoded and validated, or carrying why they cannot be."""

from dataclasses import dataclass
from datetime import UTC, datetime

from schemas.codec import MessageCodec
from schemas.errors import DecodeError, InvalidMessage
from schemas.events import EventBase
from schemas.term_closed import TermClosed

EARLIEST = datetime.min.replace(tzinfo=UTC)


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

    @property
    def order_key(self) -> tuple:
        """Event time first, so that a replay handles events in the same order; ties by position."""
        at = self.message.occurred_at if self.message is not None else EARLIEST
        return (at, self.topic, self.partition, self.offset)


def decode_record(
    codec: MessageCodec, expected: type, topic: str, partition: int, offset: int, key, value
) -> InputRecord:
    """Decode one consumed record; failures become a dead letter naming the error."""
    base = dict(topic=topic, partition=partition, offset=offset, key=key, value=value)
    if value is None:
        return InputRecord(**base, message=None, error_class="DecodeError", error_message="record has no value")
    try:
        message = codec.decode(value)
    except (DecodeError, InvalidMessage) as exc:
        return InputRecord(**base, message=None, error_class=type(exc).__name__, error_message=str(exc))
    if not isinstance(message, expected):
        return InputRecord(
            **base,
            message=None,
            error_class="InvalidMessage",
            error_message=f"topic {topic} carries {expected.__name__}, not {type(message).__name__}",
        )
    return InputRecord(**base, message=message)
