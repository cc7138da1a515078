"""docs/asyncapi.yaml is current, is valid AsyncAPI 3.0.0, and describes every topic of the contract."""

import json
from pathlib import Path

import pytest
import yaml
from fastavro import parse_schema
from jsonschema.validators import validator_for

from consumer.kafka.asyncapi import AVRO_FORMAT, DEFAULT_PATH, build_document, default_settings, render_yaml

ROOT = Path(__file__).resolve().parents[2]
ASYNCAPI_SCHEMA = ROOT / "tests" / "data" / "asyncapi-3.0.0.schema.json"
CONTRACT_TOPICS = {"enrollment-changed", "term-closed", "core-alerts", "pasi-exit-date-sync"}
DEAD_LETTER_HEADERS = {"error.class", "error.message", "source.topic", "source.partition", "source.offset", "failed_at"}
TRUNCATION_HEADERS = {"error.truncated", "error.truncated_key"}


@pytest.fixture(scope="module")
def committed() -> str:
    return (ROOT / DEFAULT_PATH).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def document(committed) -> dict:
    return yaml.safe_load(committed)


def test_committed_document_is_a_fresh_rendering_of_the_default_settings(committed):
    assert committed == render_yaml(default_settings()), (
        f"{DEFAULT_PATH} is out of date: run `pasi-concurrent asyncapi --defaults -o {DEFAULT_PATH}`"
    )


def test_default_settings_ignore_the_environment_and_dotenv(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("TOPIC_TERM_CLOSED=from-dotenv\n")
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "from-environment:9092")
    rendered = render_yaml(default_settings())
    assert "from-dotenv" not in rendered
    assert "from-environment" not in rendered


def test_committed_document_is_valid_asyncapi_3(document):
    schema = json.loads(ASYNCAPI_SCHEMA.read_text())
    validator = validator_for(schema)(schema)  # draft-07; every $ref is a local "#/definitions/…" pointer
    errors = sorted(validator.iter_errors(document), key=lambda error: list(error.absolute_path))
    assert [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors] == []


def test_every_topic_of_the_contract_has_a_channel(document):
    addresses = {channel["address"] for channel in document["channels"].values()}
    assert CONTRACT_TOPICS | {"enrollment-changed.dlq", "term-closed.dlq"} == addresses


def test_every_avro_payload_parses(document):
    payloads = [message["payload"] for message in document["components"]["messages"].values()]
    avro = [payload for payload in payloads if payload.get("schemaFormat") == AVRO_FORMAT]
    assert len(avro) == 4
    for payload in avro:
        parse_schema(payload["schema"], named_schemas={})


def test_every_channel_message_resolves_to_a_component(document):
    messages = document["components"]["messages"]
    for channel in document["channels"].values():
        for reference in channel["messages"].values():
            assert reference["$ref"].removeprefix("#/components/messages/") in messages


def test_inputs_are_received_and_everything_else_is_sent(document):
    actions = {
        document["channels"][operation["channel"]["$ref"].removeprefix("#/channels/")]["address"]: operation["action"]
        for operation in document["operations"].values()
    }
    received = {address for address, action in actions.items() if action == "receive"}
    assert received == {"enrollment-changed", "term-closed"}
    assert len(actions) == 6


def test_dead_letters_describe_every_reason_header(document):
    headers = document["components"]["messages"]["DeadLetter"]["headers"]
    assert set(headers["properties"]) == DEAD_LETTER_HEADERS | TRUNCATION_HEADERS
    assert set(headers["required"]) == DEAD_LETTER_HEADERS, "the truncation headers come only with a cut record"
    assert {schema["type"] for schema in headers["properties"].values()} == {"string"}


def test_renamed_topics_and_brokers_come_from_the_settings():
    settings = default_settings().model_copy(
        update={"topic_core_alerts": "alerts", "kafka_bootstrap_servers": "kafka-1:9092,kafka-2:9092"}
    )
    document = build_document(settings)
    assert document["channels"]["coreAlerts"]["address"] == "alerts"
    assert document["servers"]["production"]["host"] == "kafka-1:9092"
