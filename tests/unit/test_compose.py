"""docker-compose.yml wires the service only with settings it reads, and runs it against a real Kafka."""

from pathlib import Path

import pytest
import yaml
from sqlalchemy.engine import make_url

from consumer.config.settings import Settings

COMPOSE_FILE = Path(__file__).resolve().parents[2] / "docker-compose.yml"
SERVICE = "pasi-concurrent"
KNOWN_SETTINGS = {name.upper() for name in Settings.model_fields}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def service_environment(compose) -> dict[str, str]:
    environment = compose["services"][SERVICE].get("environment") or {}
    if isinstance(environment, list):  # the `- NAME=value` form
        environment = dict(item.split("=", 1) for item in environment)
    return {name: str(value) for name, value in environment.items()}


def test_every_service_variable_is_a_known_setting(service_environment):
    assert set(service_environment) - KNOWN_SETTINGS == set()


def test_service_is_given_a_broker_and_a_database(service_environment):
    assert {"KAFKA_BOOTSTRAP_SERVERS", "STATE_DB_URL"} <= set(service_environment)


def test_service_database_url_is_accepted_by_the_settings(service_environment):
    url = service_environment["STATE_DB_URL"]
    assert url.startswith(("postgresql://", "postgresql+psycopg://"))
    assert Settings(_env_file=None, state_db_url=url).database_url == url


def test_service_database_is_the_postgres_service(compose, service_environment):
    url = make_url(service_environment["STATE_DB_URL"])
    postgres = compose["services"]["postgres"]["environment"]
    assert url.host == "postgres"
    assert (url.username, url.password, url.database) == (
        postgres["POSTGRES_USER"],
        postgres["POSTGRES_PASSWORD"],
        postgres["POSTGRES_DB"],
    )


def test_service_broker_is_a_listener_the_kafka_service_advertises(compose, service_environment):
    advertised = compose["services"]["kafka"]["environment"]["KAFKA_ADVERTISED_LISTENERS"]
    addresses = {listener.split("://", 1)[1] for listener in advertised.split(",")}
    assert service_environment["KAFKA_BOOTSTRAP_SERVERS"] in addresses


def test_service_runs_the_consumer_once_kafka_and_postgres_are_healthy(compose):
    service = compose["services"][SERVICE]
    assert service["command"] == ["run"]
    assert {name: dep["condition"] for name, dep in service["depends_on"].items()} == {
        "kafka": "service_healthy",
        "postgres": "service_healthy",
    }
    assert all("healthcheck" in compose["services"][name] for name in service["depends_on"])


def test_service_exposes_its_metrics_port(compose, service_environment):
    port = service_environment.get("METRICS_PORT", str(Settings.model_fields["metrics_port"].default))
    assert any(str(mapping).endswith(f":{port}") for mapping in compose["services"][SERVICE]["ports"])


def test_service_serves_its_metrics_beyond_its_container(service_environment):
    # the endpoints listen on 127.0.0.1 unless told: in a container that would reach no one
    assert service_environment.get("METRICS_HOST") == "0.0.0.0"


def test_kafka_uses_the_official_apache_image(compose):
    assert compose["services"]["kafka"]["image"].startswith("apache/kafka:")


def test_postgres_uses_the_official_image(compose):
    assert compose["services"]["postgres"]["image"].split(":")[0] == "postgres"
