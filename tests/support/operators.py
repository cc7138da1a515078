"""Operators of the service as tests drive it: the `pasi-concurrent` CLI in subprocesses, on a real broker."""

import json
import subprocess
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, select

from consumer.store import tables
from consumer.store.database import Database
from consumer.store.retention import prune_processed_events
from schemas.codec import to_json
from tests.support.events import Scenario
from tests.support.outputs import Outputs
from tests.support.running import IDLE, clean_environment, cli_command, run_cli, settings_env


class Operator:
    """Runs `pasi-concurrent` commands as an operator would, each a subprocess with this test's settings."""

    def __init__(self, settings, folder: Path):
        self.settings = settings
        self.folder = folder

    def _check(self, result: subprocess.CompletedProcess, what: str) -> subprocess.CompletedProcess:
        assert result.returncode == 0, f"{what} exited {result.returncode}: {result.stderr[-3000:]}"
        return result

    def produce(self, topic: str, messages: list) -> None:
        """Write the messages as a JSON-lines file and publish it with `produce`."""
        path = self.folder / f"{topic}.jsonl"
        path.write_text("".join(to_json(m) + "\n" for m in messages), encoding="utf-8")
        self._check(run_cli(self.settings, "produce", topic, "--file", str(path)), "produce")

    def eoy(self, *args: str) -> dict:
        return json.loads(self._check(run_cli(self.settings, "eoy", *args), "eoy").stdout)

    def run(self) -> None:
        self._check(run_cli(self.settings, "run", "--until-idle", IDLE), "run")

    def handles(self, scenario: Scenario) -> Outputs:
        """The operator's whole round: produce the scenario, run the service until idle, tail both outputs."""
        self.produce(self.settings.topic_enrollment_changed, scenario.events)
        self.run()
        return self.outputs()

    def forget_processed_events(self) -> int:
        """Forget every processed event id now, as PROCESSED_EVENTS_RETENTION_DAYS does with old ones."""
        database = Database(self.settings.database_url)
        try:
            return prune_processed_events(database, timedelta(0))
        finally:
            database.dispose()

    def dead_letters(self) -> list[dict]:
        """The input topic's dead letters as `tail` prints them (each with its reason)."""
        topic = self.settings.dead_letter_topic(self.settings.topic_enrollment_changed)
        result = self._check(run_cli(self.settings, "tail", topic, "--from-beginning", "--until-idle", IDLE), "tail")
        return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]

    def outputs(self) -> Outputs:
        """Both output topics tailed from the beginning at the same time."""
        topics = (self.settings.topic_core_alerts, self.settings.topic_pasi_exit_date_sync)
        env = clean_environment() | settings_env(self.settings)
        tails = [
            subprocess.Popen(
                cli_command("tail", topic, "--from-beginning", "--until-idle", IDLE),
                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )
            for topic in topics
        ]
        printed = []
        for tail in tails:
            stdout, stderr = tail.communicate(timeout=120)
            assert tail.returncode == 0, f"tail exited {tail.returncode}: {stderr[-3000:]}"
            printed.append([json.loads(line) for line in stdout.splitlines() if line.strip()])
        return Outputs(*printed)

    def stored_enrolment(self, asn: str, school_code: str, kind: str) -> dict | None:
        """The enrolment as the state store holds it (what the CLI does not show)."""
        engine = create_engine(self.settings.database_url)
        try:
            with engine.connect() as connection:
                e = tables.enrolments.c
                query = select(tables.enrolments).where(e.asn == asn, e.school_code == school_code, e.kind == kind)
                row = connection.execute(query).mappings().first()
        finally:
            engine.dispose()
        return dict(row) if row is not None else None
