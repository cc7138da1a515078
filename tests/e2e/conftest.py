"""Factory fixtures for the end-to-end tests: a scenario written as JSON lines, and an operator running the CLI."""

import json
import os
import subprocess
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import count
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from sqlalchemy import create_engine, select

from consumer.store import tables
from consumer.store.database import Database
from consumer.store.retention import prune_processed_events
from schemas.codec import to_json
from tests.support.events import event
from tests.support.running import clean_environment, cli_command, run_cli, settings_env

ALERT_FIELDS = ("code", "status", "category", "alert_type", "asn", "school_code", "home_school_code", "school_year_id")
SYNC_FIELDS = ("action", "asn", "school_code", "enrolment_kind", "exit_date", "exit_code", "reason")
BETWEEN_EVENTS = timedelta(minutes=1)


def alert(code, status, category, alert_type, asn, school_code, home_school_code, school_year_id) -> tuple:
    """An expected Core Alert, in the order of ALERT_FIELDS."""
    return (code, status, category, alert_type, asn, school_code, home_school_code, school_year_id)


def sync(action, asn, school_code, enrolment_kind, exit_date, exit_code, reason) -> tuple:
    """An expected exit-date sync, in the order of SYNC_FIELDS (exit_date as text, as on the wire)."""
    return (action, asn, school_code, enrolment_kind, exit_date, exit_code, reason)


class Scenario:
    """Events in the contract's JSON form, each a minute after the last unless told; written as one file."""

    def __init__(self, start: datetime):
        self.clock = start
        self.events: list = []
        self._serial = count(1)

    def at(self, when: datetime) -> "Scenario":
        self.clock = when
        return self

    def happens(self, event_type: str, school_code: str, payload: dict, asn: str | None = None):
        happened = event(event_type, school_code, payload, asn=asn, at=self.clock, event_id=f"e2e-{next(self._serial)}")
        self.events.append(happened)
        self.clock += BETWEEN_EVENTS
        return happened

    def terms_configured(self, school_code: str, year: int, *term_ids: int, ending: dict | None = None):
        """The school's Term IDs for `year`, each running September to June unless `ending` gives its last day."""
        first, last = date(1990 + year, 9, 1), date(1991 + year, 6, 30)
        terms = [
            {"term_id": t, "abbreviation": f"T{t}", "first_day": first, "last_day": (ending or {}).get(t, last)}
            for t in term_ids
        ]
        return self.happens("SchoolTermsConfigured", school_code, {"school_year_id": year, "terms": terms,
                                                                   "is_summer_school": False})

    def section_scheduled(self, school_code: str, course: str, section: str, term_id: int):
        payload = {"course_code": course, "section_id": section, "term_id": term_id}
        return self.happens("SectionScheduled", school_code, payload)

    def primary_started(self, asn: str, school_code: str, entry: date):
        return self.happens("PrimaryEnrolmentStarted", school_code, {"entry_date": entry, "grade": "10"}, asn)

    def concurrent_started(self, asn: str, school_code: str, home: str, entry: date):
        payload = {"entry_date": entry, "grade": "10", "home_school_code": home}
        return self.happens("ConcurrentEnrolmentStarted", school_code, payload, asn)

    def enrolled_concurrently(self, asn: str, home: str, school_code: str, entry: date):
        self.primary_started(asn, home, entry)
        return self.concurrent_started(asn, school_code, home, entry)

    def exited(self, asn: str, school_code: str, kind: str, on: date, reason: str = "WITHDRAWN",
               exit_code: str | None = None, continuing_at: str | None = None):
        payload = {"enrolment_kind": kind, "exit_date": on, "exit_code": exit_code, "reason": reason,
                   "continuing_at_school_code": continuing_at}
        return self.happens("SchoolEnrolmentExited", school_code, payload, asn)

    def reenrolled(self, asn: str, school_code: str, entry: date):
        return self.happens("StudentReEnrolled", school_code, {"entry_date": entry, "grade": "10"}, asn)

    def exit_code_updated(self, asn: str, school_code: str, kind: str, exit_code: str):
        return self.happens("ExitCodeUpdated", school_code, {"enrolment_kind": kind, "exit_code": exit_code}, asn)

    def cancelled(self, asn: str, school_code: str, kind: str):
        return self.happens("EnrolmentCancelled", school_code, {"enrolment_kind": kind}, asn)

    def course_enrolled(self, asn: str, school_code: str, course: str, section: str, term_id: int, entry: date,
                        course_type: str = "REG"):
        payload = {"course_code": course, "section_id": section, "term_id": term_id, "entry_date": entry,
                   "course_type": course_type}
        return self.happens("CourseEnrolled", school_code, payload, asn)

    def course_exited(self, asn: str, school_code: str, course: str, section: str, on: date):
        payload = {"course_code": course, "section_id": section, "exit_date": on}
        return self.happens("CourseExited", school_code, payload, asn)

    def grade_posted(self, asn: str, school_code: str, course: str, term_id: int, section: str | None = None,
                     course_type: str = "REG"):
        payload = {"course_code": course, "section_id": section, "term_id": term_id, "mark": "85", "credits": 5,
                   "course_type": course_type}
        return self.happens("StoredGradePosted", school_code, payload, asn)


@dataclass(frozen=True)
class Outputs:
    """What the service published, decoded from its output topics, in topic order per partition."""

    alerts: list[dict]
    syncs: list[dict]

    def alert_rows(self) -> Counter:
        return Counter(tuple(a[f] for f in ALERT_FIELDS) for a in self.alerts)

    def sync_rows(self) -> Counter:
        return Counter(tuple(s[f] for f in SYNC_FIELDS) for s in self.syncs)


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
        self._check(run_cli(self.settings, "run", "--until-idle", "1"), "run")

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
        result = self._check(run_cli(self.settings, "tail", topic, "--from-beginning", "--until-idle", "1"), "tail")
        return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]

    def outputs(self) -> Outputs:
        """Both output topics tailed from the beginning at the same time."""
        topics = (self.settings.topic_core_alerts, self.settings.topic_pasi_exit_date_sync)
        env = clean_environment() | settings_env(self.settings)
        tails = [
            subprocess.Popen(
                cli_command("tail", topic, "--from-beginning", "--until-idle", "1"),
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


@pytest.fixture
def scenario():
    """A scenario starting on a school day in September 2025 (school year 35)."""
    return Scenario(datetime(2025, 9, 2, 15, 0, tzinfo=UTC))


@pytest.fixture
def operator(make_settings, tmp_path):
    """An operator with this test's own topics, group and state database.

    One record a batch, as when events trickle in: every event is its own transaction, so each rule must find in
    the store what earlier events left there (one big batch would keep it all in memory and hide a gap).
    """
    return Operator(make_settings(max_poll_records=1), tmp_path)


@pytest.fixture
def fresh_database_url(db_url, unique, tmp_path):
    """A second, empty state database of the same kind as `db_url` (SQLite file or PostgreSQL schema)."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'fresh-state.db'}"
        return
    server = os.environ.get("PASI_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
    schema = f"t_{unique}_fresh"
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    yield f"{server}?options={quote(f'-csearch_path={schema}')}"
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP SCHEMA "{schema}" CASCADE')
