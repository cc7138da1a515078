"""Any number of processes may start at once on an empty state store: migrations run once, the others wait."""

import subprocess

import pytest

from consumer.store.database import Database
from consumer.store.migrate import current_revision, head_revision
from tests.support.running import IDLE, clean_environment, cli_command, settings_env


def _start_together(settings, processes: int, *args: str) -> list[subprocess.CompletedProcess]:
    env = clean_environment() | settings_env(settings)
    started = [
        subprocess.Popen(cli_command(*args), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(processes)
    ]
    results = []
    for process in started:
        stdout, stderr = process.communicate(timeout=180)
        results.append(subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr))
    return results


@pytest.mark.slow
def test_processes_migrating_an_empty_database_at_the_same_time_all_succeed(make_settings, db_url):
    settings = make_settings(state_db_url=db_url)
    results = _start_together(settings, 6, "db", "upgrade")
    failures = [r.stderr[-1500:] for r in results if r.returncode != 0]
    assert not failures, failures
    print(f"figures: {len(results)} migrations started at once, {len(failures)} failed")
    database = Database(db_url)
    try:
        assert current_revision(database) == head_revision()
    finally:
        database.dispose()


@pytest.mark.slow
def test_consumers_started_at_the_same_time_on_an_empty_postgresql_schema_all_run(make_settings, postgres_url):
    settings = make_settings(state_db_url=postgres_url)
    results = _start_together(settings, 3, "run", "--until-idle", IDLE)
    failures = [r.stderr[-1500:] for r in results if r.returncode != 0]
    assert not failures, failures
