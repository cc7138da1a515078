"""Reaching the broker: start the embedded one when none is configured, and fail clearly when unreachable."""

import structlog

from consumer.config.settings import Settings
from consumer.errors import BrokerUnavailable
from consumer.kafka.embedded import EmbeddedBroker
from consumer.kafka.topics import admin_client, ensure_topics
from kafka.errors import KafkaError, KafkaTimeoutError

log = structlog.get_logger(__name__)
_warned: set[tuple[str, str | None]] = set()


def warn_if_password_in_clear(settings: Settings) -> None:
    """SASL PLAIN without TLS hands the broker the password as it is: say so once per process."""
    combination = (settings.kafka_security_protocol, settings.kafka_sasl_mechanism)
    if combination != ("SASL_PLAINTEXT", "PLAIN") or combination in _warned:
        return
    _warned.add(combination)
    log.warning(
        "KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT with KAFKA_SASL_MECHANISM=PLAIN sends the password, and every "
        "message, over the network in clear; use SASL_SSL, or at least SCRAM-SHA-256 or SCRAM-SHA-512",
        brokers=settings.bootstrap_servers,
    )


def prepare_broker(settings: Settings, topics: list[str] = ()) -> None:
    """Make sure a broker answers (starting the embedded one if needed) and the topics exist."""
    warn_if_password_in_clear(settings)
    if settings.embedded:
        EmbeddedBroker.from_settings(settings).ensure_running()
    try:
        admin = admin_client(settings)
    except KafkaTimeoutError:
        raise BrokerUnavailable(
            f"cannot reach a Kafka broker at {settings.bootstrap_servers} within "
            f"{settings.kafka_connect_timeout_ms / 1000:g} s; check KAFKA_BOOTSTRAP_SERVERS "
            "(unset it to use the embedded broker) and the KAFKA_SECURITY_PROTOCOL settings"
        ) from None
    except KafkaError as exc:
        raise BrokerUnavailable(f"cannot use the Kafka broker at {settings.bootstrap_servers}: {exc}") from None
    try:
        if topics:
            ensure_topics(settings, list(topics), admin)
    except KafkaError as exc:
        raise BrokerUnavailable(f"cannot create topics on {settings.bootstrap_servers}: {exc}") from None
    finally:
        admin.close()
