"""Outputs and dead letters to outbox rows: topic, key, Avro value, headers with a stable message id."""

from datetime import UTC, datetime

from consumer.domain.decisions import stable_id
from consumer.domain.outputs import Output
from consumer.records import InputRecord
from consumer.settings import Settings
from consumer.store.writer import OutboxRecord
from schemas.codec import MessageCodec


class OutputEncoder:
    def __init__(self, settings: Settings, codec: MessageCodec):
        self.settings = settings
        self.codec = codec
        self.topics = {"alert": settings.topic_core_alerts, "sync": settings.topic_pasi_exit_date_sync}

    def output(self, output: Output) -> OutboxRecord:
        message = output.message
        return OutboxRecord(
            topic=self.topics[output.kind],
            key=message.key.encode(),
            value=self.codec.encode(message),
            headers=[("message_id", output.message_id.encode()), ("source_event_id", message.source_event_id.encode())],
            message_id=output.message_id,
        )

    def dead_letter(self, record: InputRecord) -> OutboxRecord:
        headers = {
            "error.class": record.error_class or "Error",
            "error.message": (record.error_message or "")[:4000],
            "source.topic": record.topic,
            "source.partition": str(record.partition),
            "source.offset": str(record.offset),
            "failed_at": datetime.now(UTC).isoformat(),
        }
        return OutboxRecord(
            topic=self.settings.dead_letter_topic(record.topic),
            key=record.key,
            value=record.value or b"",
            headers=[(name, value.encode()) for name, value in headers.items()],
            message_id=stable_id("dead-letter", record.topic, record.partition, record.offset),
        )
