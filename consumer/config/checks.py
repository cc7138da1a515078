"""The checks `Settings` makes across its fields; each raises ValueError naming the setting to fix."""

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

if TYPE_CHECKING:
    from consumer.config.settings import Settings

LIMITS = (
    "KAFKA_MAX_REQUEST_SIZE <= KAFKA_MESSAGE_MAX_BYTES <= KAFKA_MAX_PARTITION_FETCH_BYTES <= KAFKA_FETCH_MAX_BYTES"
)


def known_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r}") from None
    return value


def security_is_complete(settings: "Settings") -> None:
    protocol = settings.kafka_security_protocol
    if protocol.startswith("SASL_"):
        for name in ("kafka_sasl_mechanism", "kafka_sasl_username", "kafka_sasl_password"):
            if getattr(settings, name) is None:
                raise ValueError(f"{name}: required when KAFKA_SECURITY_PROTOCOL is {protocol}")
    if settings.kafka_delivery_timeout_ms < settings.kafka_request_timeout_ms + settings.producer_linger_ms:
        raise ValueError("kafka_delivery_timeout_ms: must be at least KAFKA_REQUEST_TIMEOUT_MS + PRODUCER_LINGER_MS")
    if (settings.kafka_ssl_certfile is None) != (settings.kafka_ssl_keyfile is None):
        raise ValueError("kafka_ssl_keyfile: a client certificate needs its key, and a key its certificate")


def size_limits_agree(settings: "Settings") -> None:
    """Every record the brokers accept can be read, and every record the producer sends is accepted."""
    for name, smaller, larger in (
        ("kafka_max_request_size", settings.kafka_max_request_size, settings.kafka_message_max_bytes),
        ("kafka_max_partition_fetch_bytes", settings.kafka_message_max_bytes, settings.kafka_max_partition_fetch_bytes),
        ("kafka_fetch_max_bytes", settings.kafka_max_partition_fetch_bytes, settings.kafka_fetch_max_bytes),
    ):
        if smaller > larger:
            raise ValueError(f"{name}: {getattr(settings, name)} does not agree with the other size limits ({LIMITS})")
