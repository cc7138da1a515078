"""Kafka security settings pass through to kafka-python's options exactly."""

import pytest
from pydantic import ValidationError

from consumer.config.settings import Settings
from consumer.kafka.options import client_options, consumer_options, producer_options


def settings(**values) -> Settings:
    return Settings(_env_file=None, kafka_bootstrap_servers="kafka-1:9092,kafka-2:9092", **values)


def test_plaintext_sends_no_credentials():
    options = client_options(settings())
    assert options["security_protocol"] == "PLAINTEXT"
    assert options["bootstrap_servers"] == ["kafka-1:9092", "kafka-2:9092"]
    assert not any(key.startswith(("sasl_", "ssl_")) for key in options)


@pytest.mark.parametrize("mechanism", ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])
def test_sasl_ssl_passes_mechanism_credentials_and_ca(mechanism):
    options = client_options(
        settings(
            kafka_security_protocol="SASL_SSL",
            kafka_sasl_mechanism=mechanism,
            kafka_sasl_username="pasi",
            kafka_sasl_password="s3cret",
            kafka_ssl_cafile="/etc/ssl/kafka-ca.pem",
        )
    )
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == mechanism
    assert (options["sasl_plain_username"], options["sasl_plain_password"]) == ("pasi", "s3cret")
    assert options["ssl_cafile"] == "/etc/ssl/kafka-ca.pem"
    assert options["ssl_check_hostname"] is True


def test_sasl_plaintext_sends_credentials_but_no_tls_options():
    options = client_options(
        settings(
            kafka_security_protocol="SASL_PLAINTEXT",
            kafka_sasl_mechanism="SCRAM-SHA-512",
            kafka_sasl_username="pasi",
            kafka_sasl_password="s3cret",
        )
    )
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert not any(key.startswith("ssl_") for key in options)


def test_ssl_with_a_client_certificate_passes_certificate_key_and_its_password():
    options = client_options(
        settings(
            kafka_security_protocol="SSL",
            kafka_ssl_cafile="/ca.pem",
            kafka_ssl_certfile="/client.pem",
            kafka_ssl_keyfile="/client.key",
            kafka_ssl_password="keypass",
        )
    )
    files = (options["ssl_cafile"], options["ssl_certfile"], options["ssl_keyfile"])
    assert files == ("/ca.pem", "/client.pem", "/client.key")
    assert options["ssl_password"] == "keypass"
    assert "sasl_mechanism" not in options


def test_every_client_role_carries_the_security_options():
    values = settings(kafka_security_protocol="SASL_SSL", kafka_sasl_mechanism="PLAIN",
                      kafka_sasl_username="u", kafka_sasl_password="p")
    for options in (consumer_options(values, "group"), producer_options(values)):
        assert options["security_protocol"] == "SASL_SSL"
        assert options["sasl_plain_username"] == "u"


def test_sasl_without_credentials_is_refused_naming_the_missing_setting():
    message = "kafka_sasl_mechanism: required when KAFKA_SECURITY_PROTOCOL is SASL_SSL"
    with pytest.raises(ValidationError, match=message):
        settings(kafka_security_protocol="SASL_SSL")


def test_a_client_certificate_without_its_key_is_refused():
    with pytest.raises(ValidationError, match="kafka_ssl_keyfile"):
        settings(kafka_security_protocol="SSL", kafka_ssl_certfile="/client.pem")


def test_the_password_is_not_shown_in_the_settings_repr():
    values = settings(kafka_security_protocol="SASL_SSL", kafka_sasl_mechanism="PLAIN",
                      kafka_sasl_username="u", kafka_sasl_password="hunter2")
    assert "hunter2" not in repr(values)


def test_the_size_limits_reach_the_producer_and_the_consumer():
    values = settings(kafka_message_max_bytes=4_000_000, kafka_max_request_size=3_000_000,
                      kafka_max_partition_fetch_bytes=5_000_000, kafka_fetch_max_bytes=9_000_000)
    assert producer_options(values)["max_request_size"] == 3_000_000
    consumer = consumer_options(values, "group")
    assert (consumer["max_partition_fetch_bytes"], consumer["fetch_max_bytes"]) == (5_000_000, 9_000_000)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("kafka_max_request_size", 2_000_000),  # larger than the brokers accept
        ("kafka_max_partition_fetch_bytes", 500_000),  # too small to read what the brokers accept
        ("kafka_fetch_max_bytes", 1_000_000),  # smaller than one partition's fetch
    ],
)
def test_size_limits_that_disagree_are_refused_naming_the_setting(name, value):
    with pytest.raises(ValidationError, match=f"{name}: {value} does not agree with the other size limits"):
        settings(**{name: value})
