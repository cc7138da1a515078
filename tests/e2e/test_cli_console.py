"""`pasi-concurrent console`: serves the state store's pages, and refuses to start where it would be unsafe."""

import signal
import socket

import httpx2
import pytest

from tests.support.console import alert_ids, console_settings, fill_with_sample
from tests.support.kafka import free_port
from tests.support.running import kill, run_cli, start_cli
from tests.support.service_parts import assemble
from tests.support.waiting import wait_for


def _one_line(result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


def test_the_console_refuses_to_listen_beyond_loopback_without_a_token(tmp_path):
    settings = console_settings(f"sqlite:///{tmp_path / 'state.db'}", tmp_path, console_host="0.0.0.0")
    result = run_cli(settings, "console", timeout_s=60)
    assert result.returncode == 2
    line = _one_line(result)
    assert "CONSOLE_TOKEN: required when the console listens on 0.0.0.0" in line


@pytest.mark.slow
def test_a_console_port_in_use_is_one_line_naming_the_setting(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        settings = console_settings(f"sqlite:///{tmp_path / 'state.db'}", tmp_path,
                                    console_port=taken.getsockname()[1])
        result = run_cli(settings, "console", timeout_s=60)
    assert result.returncode == 1
    assert "CONSOLE_PORT" in _one_line(result)


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_the_console_serves_the_stores_alerts_until_stopped(tmp_path, stop):
    settings = console_settings(f"sqlite:///{tmp_path / 'state.db'}", tmp_path, console_port=free_port())
    parts = assemble(settings, create_topics=False)
    fill_with_sample(parts)
    parts.close()
    process = start_cli(settings, "console", log_path=tmp_path / "console.log")
    address = f"http://127.0.0.1:{settings.console_port}"
    try:
        def answered():
            try:
                return httpx2.get(f"{address}/alerts", timeout=2)
            except httpx2.TransportError:
                return None

        page = wait_for(answered, timeout_s=60, what="the console to answer")
        assert page.status_code == 200 and len(alert_ids(page.text)) == 12
    finally:
        code = kill(process, stop)
    assert code == 0
    assert f"Console on {address}/" in (tmp_path / "console.log").read_text()
