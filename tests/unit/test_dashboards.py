"""The Prometheus rules and the Grafana dashboard load in the compose stack's services and name only series the
service exposes (checked by parsing: no Prometheus or Grafana here)."""

import json
import re
from pathlib import Path, PurePosixPath

import pytest
import yaml

from tests.support.promql import balanced, exposed_series, grouping_labels, series_named

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
PROMETHEUS_BUILT_IN = {"up"}
DURATION = re.compile(r"^\d+(ms|s|m|h|d|w|y)$")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def series() -> dict[str, set[str]]:
    return exposed_series()


def _mounts(service: dict) -> dict[PurePosixPath, Path]:
    """Container path -> file or folder of the repository, for the service's bind mounts."""
    found = {}
    for volume in service.get("volumes", []):
        source, target = volume.split(":")[:2]
        if source.startswith("./"):
            found[PurePosixPath(target)] = ROOT / source
    return found


def _on_host(mounts: dict[PurePosixPath, Path], container_path: str) -> Path:
    path = PurePosixPath(container_path)
    for target, source in mounts.items():
        if path == target or target in path.parents:
            return source / path.relative_to(target)
    raise AssertionError(f"{container_path} is not mounted from the repository")


def _rules() -> list[dict]:
    document = yaml.safe_load((DEPLOY / "prometheus" / "rules" / "pasi-concurrent.yml").read_text())
    return [rule for group in document["groups"] for rule in group["rules"]]


def _dashboard() -> dict:
    return json.loads((DEPLOY / "grafana" / "dashboards" / "pasi-concurrent.json").read_text())


def _expressions() -> list[str]:
    panels = [panel for panel in _dashboard()["panels"] if panel["type"] != "row"]
    return [rule["expr"] for rule in _rules()] + [t["expr"] for panel in panels for t in panel["targets"]]


@pytest.mark.parametrize("expr", _expressions())
def test_every_expression_names_only_series_the_service_exposes(expr, series):
    assert balanced(expr), expr
    named = series_named(expr)
    assert named, f"no series in {expr!r}"
    assert named - set(series) - PROMETHEUS_BUILT_IN == set()
    labels = set().union(*(series.get(name, {"job", "instance"}) for name in named))
    assert grouping_labels(expr) <= labels | {"job", "instance"}, expr


def test_the_rules_alert_on_lag_backlog_dead_letters_and_a_stalled_consumer():
    rules = {rule["alert"]: rule for rule in _rules()}
    assert {"PasiConsumerLagGrowing", "PasiOutboxBacklogOverLimit", "PasiDeadLetters",
            "PasiNoBatchWhileRecordsWait"} <= set(rules)
    assert "pasi_consumer_lag" in rules["PasiConsumerLagGrowing"]["expr"]
    assert "pasi_outbox_backlog" in rules["PasiOutboxBacklogOverLimit"]["expr"]
    assert "pasi_events_dead_lettered_total" in rules["PasiDeadLetters"]["expr"]
    assert "pasi_batch_duration_seconds_count" in rules["PasiNoBatchWhileRecordsWait"]["expr"]
    for rule in rules.values():
        assert rule["labels"]["severity"] in ("warning", "critical")
        assert rule["annotations"]["summary"]
        assert "for" not in rule or DURATION.match(rule["for"])


def test_the_dashboard_shows_every_family_the_issue_names(series):
    named = set().union(*(series_named(expr) for expr in _expressions()))
    for family in ("pasi_events_consumed_total", "pasi_consumer_lag", "pasi_batch_duration_seconds_bucket",
                   "pasi_outbox_backlog", "pasi_publish_retries_total", "pasi_events_dead_lettered_total",
                   "pasi_consumption_pauses_total"):
        assert family in named


def test_the_dashboards_panels_use_the_provisioned_datasource_and_do_not_overlap():
    datasources = yaml.safe_load((DEPLOY / "grafana/provisioning/datasources/prometheus.yml").read_text())
    uids = {source["uid"] for source in datasources["datasources"]}
    dashboard = _dashboard()
    assert dashboard["uid"] and dashboard["title"]
    cells = set()
    for panel in dashboard["panels"]:
        if panel["type"] != "row":
            assert panel["datasource"]["uid"] in uids
            assert all(target["datasource"]["uid"] in uids for target in panel["targets"])
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24
        columns, lines = range(grid["x"], grid["x"] + grid["w"]), range(grid["y"], grid["y"] + grid["h"])
        mine = {(x, y) for x in columns for y in lines}
        assert not mine & cells, panel["title"]
        cells |= mine
    assert len({panel["id"] for panel in dashboard["panels"]}) == len(dashboard["panels"])


def test_prometheus_scrapes_the_service_and_loads_the_rule_files_it_is_given(compose):
    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    mounts = _mounts(compose["services"]["prometheus"])
    assert _on_host(mounts, "/etc/prometheus/prometheus.yml") == DEPLOY / "prometheus" / "prometheus.yml"
    for pattern in config["rule_files"]:
        folder = _on_host(mounts, str(PurePosixPath(pattern).parent))
        assert list(folder.glob(PurePosixPath(pattern).name)), pattern
    [job] = config["scrape_configs"]
    [target] = job["static_configs"][0]["targets"]
    host, port = target.split(":")
    service = compose["services"][host]
    assert port == str(service["environment"]["METRICS_PORT"]) and job["metrics_path"] == "/metrics"


def test_grafana_is_provisioned_with_the_datasource_and_the_dashboard(compose):
    grafana = compose["services"]["grafana"]
    mounts = _mounts(grafana)
    provisioning = _on_host(mounts, "/etc/grafana/provisioning")
    assert (provisioning / "datasources" / "prometheus.yml").is_file()
    providers = yaml.safe_load((provisioning / "dashboards" / "pasi-concurrent.yml").read_text())["providers"]
    folder = _on_host(mounts, providers[0]["options"]["path"])
    assert (folder / "pasi-concurrent.json").is_file()
    home = grafana["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert _on_host(mounts, home) == DEPLOY / "grafana" / "dashboards" / "pasi-concurrent.json"
    url = yaml.safe_load((provisioning / "datasources" / "prometheus.yml").read_text())["datasources"][0]["url"]
    assert url.split("//")[1].split(":")[0] in compose["services"]


def test_every_file_the_compose_services_mount_exists(compose):
    for name, service in compose["services"].items():
        for target, source in _mounts(service).items():
            assert source.exists(), f"{name} mounts {source} at {target}, which does not exist"
