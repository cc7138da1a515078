"""Errors a person can act on: one line saying what and how to fix it, a non-zero exit, no traceback."""

import socket

import pytest
from sqlalchemy import create_engine, text

from consumer.store.database import normalize_url
from tests.support.kafka import free_port
from tests.support.running import run_cli


def _one_line(result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_an_unreachable_broker_is_one_line_naming_the_setting(make_settings):
    settings = make_settings(kafka_bootstrap_servers=f"127.0.0.1:{free_port()}", kafka_connect_timeout_ms=1000)
    result = run_cli(settings, "tail", "enrollment-changed")
    assert result.returncode == 1
    assert "cannot reach a Kafka broker" in _one_line(result)
    assert "KAFKA_BOOTSTRAP_SERVERS" in result.stderr


def test_an_unreachable_database_is_one_line_naming_the_setting(make_settings):
    settings = make_settings(state_db_url=f"postgresql://postgres@127.0.0.1:{free_port()}/test")
    result = run_cli(settings, "alerts")
    assert result.returncode == 1
    line = _one_line(result)
    assert "cannot reach the state database" in line and "STATE_DB_URL" in line


def test_a_metrics_port_in_use_is_one_line_naming_the_setting(make_settings):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        settings = make_settings(metrics_port=taken.getsockname()[1], metrics_host="127.0.0.1")
        result = run_cli(settings, "run", "--until-idle", "1")
    assert result.returncode == 1
    assert "METRICS_PORT" in _one_line(result)


def test_an_embedded_broker_port_taken_by_something_else_is_one_line(make_settings):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        settings = make_settings(kafka_bootstrap_servers=None, embedded_broker_port=taken.getsockname()[1])
        settings_without_broker = settings.model_copy(update={"kafka_bootstrap_servers": None})
        result = run_cli(settings_without_broker, "tail", "enrollment-changed")
    assert result.returncode == 1
    assert "is in use by something that is not a Kafka broker" in _one_line(result)


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("METRICS_PORT", "x", "bad setting METRICS_PORT: Input should be a valid integer"),
        ("BUSINESS_TIMEZONE", "Mars/Olympus", "bad setting BUSINESS_TIMEZONE: unknown time zone"),
        ("KAFKA_SECURITY_PROTOCOL", "SASL_SSL", "bad setting KAFKA_SASL_MECHANISM: required when"),
        ("KAFKA_MAX_REQUEST_SIZE", "2000000", "bad setting KAFKA_MAX_REQUEST_SIZE: 2000000 does not agree"),
    ],
)
def test_a_bad_setting_is_one_line_naming_it(make_settings, variable, value, expected):
    result = run_cli(make_settings(), "settings", env={variable: value})
    assert result.returncode == 2
    assert expected in _one_line(result)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["eoy", "--year", "abc", "--closed-on", "2026-06-30"], "--year"),
        (["eoy", "--year", "35", "--closed-on", "2026-06-31"], "--closed-on"),
        (["alerts", "--status", "OPEN"], "--status"),
        (["produce", "enrollment-changed"], "--file"),
        (["no-such-command"], "no-such-command"),
    ],
)
def test_a_bad_argument_is_one_line_naming_it(make_settings, args, expected):
    result = run_cli(make_settings(), *args)
    assert result.returncode == 2
    assert expected in _one_line(result)


def test_debug_shows_the_traceback(make_settings):
    settings = make_settings(kafka_bootstrap_servers=f"127.0.0.1:{free_port()}", kafka_connect_timeout_ms=500)
    result = run_cli(settings, "--debug", "tail", "enrollment-changed")
    assert result.returncode == 1
    assert "Traceback" in result.stderr


def test_settings_show_urls_with_their_passwords_hidden(make_settings):
    settings = make_settings(
        state_db_url="postgresql://pasi:db-secret@db.example:5432/pasi",
        schema_registry_url="https://registry:reg-secret@registry.example:8081",
    )
    result = run_cli(settings, "settings")
    assert result.returncode == 0, result.stderr
    assert "secret" not in result.stdout
    assert "STATE_DB_URL=postgresql://pasi:***@db.example:5432/pasi" in result.stdout
    assert "SCHEMA_REGISTRY_URL=https://registry:***@registry.example:8081" in result.stdout


@pytest.mark.slow
def test_a_database_error_is_one_line_without_the_statement_its_parameters_or_an_asn(make_settings, db_url):
    settings = make_settings(state_db_url=db_url)
    assert run_cli(settings, "db", "upgrade").returncode == 0
    engine = create_engine(normalize_url(db_url))
    with engine.begin() as connection:  # a store damaged by hand: every search now fails in the database
        connection.execute(text("ALTER TABLE alerts DROP COLUMN message"))
    engine.dispose()
    result = run_cli(settings, "alerts", "--asn", "123456789")
    assert result.returncode == 1
    line = _one_line(result)
    assert "message" in line
    assert "parameters" not in line and "SELECT" not in line
    assert "123456789" not in result.stderr


@pytest.mark.parametrize("command", [["run", "--until-idle", "1"], ["tail", "enrollment-changed"]])
def test_sasl_plain_without_tls_warns_at_start_that_the_password_travels_in_clear(make_settings, command):
    settings = make_settings(
        kafka_bootstrap_servers=f"127.0.0.1:{free_port()}", kafka_connect_timeout_ms=1000,
        kafka_security_protocol="SASL_PLAINTEXT", kafka_sasl_mechanism="PLAIN",
        kafka_sasl_username="pasi", kafka_sasl_password="sasl-secret",
    )
    result = run_cli(settings, *command)
    warnings = [line for line in result.stderr.splitlines() if "in clear" in line]
    assert len(warnings) == 1, result.stderr
    assert "SASL_PLAINTEXT" in warnings[0] and "PLAIN" in warnings[0] and "SASL_SSL" in warnings[0]
    assert "sasl-secret" not in result.stderr
