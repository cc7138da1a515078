"""Errors a person can act on: one line saying what and how to fix it, a non-zero exit, no traceback."""

import socket

import pytest

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
