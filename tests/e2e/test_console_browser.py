"""The console in a real browser: after `pasi-concurrent demo`, `pasi-concurrent console` shows the demo's
alerts; Chromium loads every page, a person's filter is applied, and screenshots are kept as artifacts."""

import os
import re
import signal
from pathlib import Path

import pytest

from consumer.kafka.embedded import EmbeddedBroker
from tests.support import browser
from tests.support.console import alert_ids
from tests.support.kafka import free_port
from tests.support.running import kill, run_cli, start_cli
from tests.support.waiting import wait_for

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        browser.CHROMIUM is None,
        reason="no Chromium here (Debian: apt-get install chromium); the pages are still tested over HTTP "
               "in tests/integration/test_console_*.py",
    ),
]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("PASI_ARTIFACTS_DIR", ROOT / ".ci" / "artifacts")) / "console"


@pytest.fixture(scope="module")
def demo_console(tmp_path_factory):
    """The README's path: the demo on the embedded defaults, then the console over what it left."""
    from consumer.config.settings import Settings

    work = tmp_path_factory.mktemp("demo")
    settings = Settings(_env_file=None, embedded_broker_port=free_port(), var_dir=work / "var",
                        console_port=free_port(), metrics_port=0)
    try:
        demo = run_cli(settings, "demo", cwd=work)
        assert demo.returncode == 0, demo.stderr
        address = f"http://127.0.0.1:{settings.console_port}"
        assert f"open {address}/" in demo.stdout
        console = start_cli(settings, "console", log_path=work / "console.log")
        try:
            wait_for(lambda: "Console on" in (work / "console.log").read_text() and _answers(address),
                     timeout_s=60, what="the console to answer")
            yield address
        finally:
            assert kill(console, signal.SIGTERM) == 0
    finally:
        EmbeddedBroker(settings.embedded_broker_host, settings.embedded_broker_port, settings.var_dir).stop()


def _answers(address: str) -> bool:
    import httpx2

    try:
        return httpx2.get(f"{address}/alerts", timeout=2).status_code == 200
    except httpx2.TransportError:
        return False


def test_core_alerts_shows_the_demos_alerts_with_asns_masked(demo_console):
    page = browser.dom(f"{demo_console}/alerts")
    assert len(alert_ids(page)) == 12 and "<strong>12</strong> alerts match" in page
    assert re.search(r"\*{6}\d{3}", page) and not re.search(r">\d{9}<", page)
    assert browser.screenshot(f"{demo_console}/alerts", ARTIFACTS / "alerts.png") == browser.WINDOW


def test_choosing_a_code_in_the_filter_shows_only_those_alerts(demo_console):
    page = browser.dom(f"{demo_console}/alerts")
    filtered = browser.submit_url(demo_console, page, code="TERM_ID_MISMATCH", status="RAISED")
    result = browser.dom(filtered)
    assert len(alert_ids(result)) == 3 and "<strong>3</strong> alerts match" in result
    assert result.count(">TERM_ID_MISMATCH</td>") == 3
    assert 'value="TERM_ID_MISMATCH" selected' in result  # the form shows the filter in effect
    browser.screenshot(filtered, ARTIFACTS / "alerts-filtered.png")


def test_an_alerts_history_page_shows_its_lifecycle(demo_console):
    first = alert_ids(browser.dom(f"{demo_console}/alerts?status=RESOLVED"))[0]
    page = browser.dom(f"{demo_console}/alerts/{first}")
    assert "Lifecycle" in page and page.count('class="badge raised"') >= 1 and "caused by event" in page
    browser.screenshot(f"{demo_console}/alerts/{first}", ARTIFACTS / "alert-history.png")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/syncs", "<strong>33</strong> syncs match"),
        ("/dead-letters", "Dead letters"),
        ("/health", "End-of-Year runs"),
    ],
)
def test_every_other_page_loads_in_the_browser(demo_console, path, expected):
    page = browser.dom(f"{demo_console}{path}")
    assert expected in page and "could not be read" not in page
    browser.screenshot(f"{demo_console}{path}", ARTIFACTS / f"{path.strip('/')}.png")


def test_health_shows_the_partitions_the_demos_service_read(demo_console):
    page = browser.dom(f"{demo_console}/health")
    for partition in range(6):  # the demo's service read every partition of enrollment-changed to its end
        assert f'<td class="mono">enrollment-changed</td><td class="num">{partition}</td>' in page
    assert re.search(r'Records behind</span><span class="value">0</span>', page)
    assert '<span class="badge resolved">Done</span>' in page  # the demo's End of Year finished
