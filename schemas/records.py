"""A Kafka record as the service publishes it, and as its outbox keeps it until it is published."""

from dataclasses import dataclass, field

from schemas.outputs import CoreAlert, PasiExitDateSync


@dataclass(frozen=True)
class OutboxRecord:
    """Topic, key, encoded value and headers: what a producer sends.

    A record the consumer writes to its outbox also carries its `message_id` (the output's id, or the
    dead letter's), the output it encodes (`message`, kept in the history) or `dead_letter`; one read
    back from the outbox carries its row `id`."""

    topic: str
    key: bytes | None
    value: bytes
    headers: list[tuple[str, bytes]] = field(default_factory=list)
    message_id: str | None = None
    message: CoreAlert | PasiExitDateSync | None = None
    dead_letter: bool = False
    id: int | None = None
