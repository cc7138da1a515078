"""SCRAM authentication against a real Kafka: the embedded broker cannot do SASL (memory storage)."""

import os

import pytest
from kafka.errors import KafkaError

from consumer.config.settings import Settings
from consumer.errors import BrokerUnavailable
from consumer.kafka.connect import prepare_broker

SASL_BOOTSTRAP = os.environ.get("PASI_TEST_SASL_BOOTSTRAP_SERVERS")

pytestmark = pytest.mark.skipif(
    not SASL_BOOTSTRAP,
    reason=(
        "needs a real Kafka with SCRAM users (the embedded broker cannot do SASL: embedded-broker.md); "
        "set PASI_TEST_SASL_BOOTSTRAP_SERVERS, PASI_TEST_SASL_USERNAME, "
        "PASI_TEST_SASL_PASSWORD (and optionally PASI_TEST_SASL_MECHANISM, PASI_TEST_SASL_PROTOCOL, "
        "PASI_TEST_SASL_CAFILE) to run it"
    ),
)


def _settings(password: str) -> Settings:
    return Settings(
        _env_file=None,
        kafka_bootstrap_servers=SASL_BOOTSTRAP,
        kafka_security_protocol=os.environ.get("PASI_TEST_SASL_PROTOCOL", "SASL_PLAINTEXT"),
        kafka_sasl_mechanism=os.environ.get("PASI_TEST_SASL_MECHANISM", "SCRAM-SHA-256"),
        kafka_sasl_username=os.environ.get("PASI_TEST_SASL_USERNAME", "pasi"),
        kafka_sasl_password=password,
        kafka_ssl_cafile=os.environ.get("PASI_TEST_SASL_CAFILE") or None,
        kafka_connect_timeout_ms=10_000,
    )


def test_scram_with_the_right_password_connects_and_creates_topics(unique):
    prepare_broker(_settings(os.environ["PASI_TEST_SASL_PASSWORD"]), [f"sasl-check-{unique}"])


def test_scram_with_a_wrong_password_is_refused():
    with pytest.raises((BrokerUnavailable, KafkaError)):
        prepare_broker(_settings("not-the-password"), [])
