"""Settings to kafka-python options: connection and security for every client, then per role."""

from typing import Any

from consumer.config.settings import Settings


def client_options(settings: Settings) -> dict[str, Any]:
    """Options every kafka-python client shares: where the brokers are and how to authenticate."""
    options: dict[str, Any] = {
        "bootstrap_servers": settings.bootstrap_servers.split(","),
        "client_id": settings.kafka_client_id,
        "security_protocol": settings.kafka_security_protocol,
        "request_timeout_ms": settings.kafka_request_timeout_ms,
        "bootstrap_timeout_ms": settings.kafka_connect_timeout_ms,
    }
    if settings.kafka_security_protocol.startswith("SASL_"):
        options["sasl_mechanism"] = settings.kafka_sasl_mechanism
        options["sasl_plain_username"] = settings.kafka_sasl_username
        options["sasl_plain_password"] = (
            settings.kafka_sasl_password.get_secret_value() if settings.kafka_sasl_password else None
        )
    if settings.kafka_security_protocol in ("SSL", "SASL_SSL"):
        options["ssl_check_hostname"] = True
        for name in ("cafile", "certfile", "keyfile"):
            value = getattr(settings, f"kafka_ssl_{name}")
            if value is not None:
                options[f"ssl_{name}"] = str(value)
        if settings.kafka_ssl_password is not None:
            options["ssl_password"] = settings.kafka_ssl_password.get_secret_value()
    return options


def consumer_options(settings: Settings, group_id: str | None) -> dict[str, Any]:
    return client_options(settings) | {
        "group_id": group_id,
        "enable_auto_commit": False,
        "auto_offset_reset": "earliest",
        "session_timeout_ms": settings.session_timeout_ms,
        "heartbeat_interval_ms": settings.heartbeat_interval_ms,
        "max_poll_interval_ms": settings.max_poll_interval_ms,
        "max_poll_records": settings.max_poll_records,
        "fetch_max_wait_ms": settings.fetch_max_wait_ms,
        "max_partition_fetch_bytes": settings.kafka_max_partition_fetch_bytes,
        "fetch_max_bytes": settings.kafka_fetch_max_bytes,
    }


def producer_options(settings: Settings) -> dict[str, Any]:
    return client_options(settings) | {
        "acks": "all",
        "enable_idempotence": True,
        "linger_ms": settings.producer_linger_ms,
        "batch_size": 64 * 1024,
        "compression_type": None if settings.producer_compression == "none" else settings.producer_compression,
        "max_block_ms": settings.kafka_request_timeout_ms,
        "delivery_timeout_ms": settings.kafka_delivery_timeout_ms,
        "max_request_size": settings.kafka_max_request_size,
    }
