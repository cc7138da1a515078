"""Outputs and dead letters to outbox rows: topic, key, Avro value, headers with a stable message id."""

from datetime import UTC, datetime

from consumer.config.settings import Settings
from consumer.domain.decisions import stable_id
from consumer.domain.outputs import Output
from consumer.redaction import redact
from consumer.runtime.records import InputRecord
from schemas.codec import MessageCodec
from schemas.records import OutboxRecord

# room left in a request for the record batch's header, the record's framing and the truncation
# headers (kafka-python counts 61 bytes of batch header and a few varints a record)
RECORD_OVERHEAD = 1024


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
            message=message,
        )

    def dead_letter(self, record: InputRecord) -> OutboxRecord:
        """The original key and value with the reason in headers; cut to what the producer may send."""
        headers = {
            "error.class": record.error_class or "Error",
            "error.message": redact(record.error_message or ""),
            "source.topic": record.topic,
            "source.partition": str(record.partition),
            "source.offset": str(record.offset),
            "failed_at": datetime.now(UTC).isoformat(),
        }
        key, value = record.key, record.value or b""
        room = self.settings.kafka_max_request_size - RECORD_OVERHEAD - _size(headers)
        if len(key or b"") + len(value) > room:
            # a record of the input's size no longer fits once the headers are added: unpublishable
            # as it is, it would be marked failed and lost to the dead-letter topic
            headers["error.truncated"] = str(len(value))  # the original value's size in bytes
            if key is not None and len(key) > room // 2:
                headers["error.truncated_key"] = str(len(key))
                key = key[: room // 2]
            value = value[: room - len(key or b"")]
        return OutboxRecord(
            topic=self.settings.dead_letter_topic(record.topic),
            key=key,
            value=value,
            headers=[(name, text.encode()) for name, text in headers.items()],
            message_id=stable_id("dead-letter", record.topic, record.partition, record.offset),
            dead_letter=True,
        )


def _size(headers: dict[str, str]) -> int:
    return sum(len(name) + len(text.encode()) + 16 for name, text in headers.items())
