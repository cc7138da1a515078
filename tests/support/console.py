"""The console over a real state store filled by the real service: the demo's sample year, End of Year,
a dead letter, the relay's acknowledgements and a consumer's recorded position."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from starlette.testclient import TestClient

from consumer.config.settings import Settings
from consumer.console.app import create_app
from consumer.console.reader import read_only_engine
from consumer.runtime.end_of_year import EndOfYearRunner
from consumer.runtime.records import InputRecord
from consumer.runtime.wiring import policy_from
from consumer.store import tables as t
from consumer.store.outbox import OutboxStore
from consumer.store.writer import upsert
from producers.sample import SampleYear
from tests.support.running import CODEC
from tests.support.service_parts import Parts, assemble

ALERT_LINK = re.compile(r'href="/alerts/([0-9a-f-]{36})')
ROW_ID = re.compile(r'<tr id="([a-z-]+)-([0-9a-f-]{36})"')
PAGER_LINK = re.compile(r'<a href="([^"]+)">(« First|‹ Previous|Next ›|Last »)</a>')


@dataclass
class ConsoleView:
    settings: Settings
    parts: Parts
    client: TestClient

    def rows(self, table, *where, order=()) -> list:
        with self.parts.database.engine.connect() as connection:
            return connection.execute(select(table).where(*where).order_by(*order)).all()


def console_settings(db_url: str, tmp_path: Path, **overrides) -> Settings:
    return Settings(_env_file=None, state_db_url=db_url, var_dir=tmp_path / "var", metrics_port=0, **overrides)


def fill_with_sample(parts: Parts, students: int = 50) -> None:
    """What the demo puts in the store, without a broker: the service processes the sample year and its
    End of Year; a record that is not Avro becomes a dead letter; the relay acknowledges half the syncs."""
    settings = parts.settings
    sample = SampleYear(students)
    parts.process(sample.events())
    closing = sample.end_of_year()
    term_closed = InputRecord(settings.topic_term_closed, 0, 0, closing.key.encode(), CODEC.encode(closing), closing)
    parts.service.process([term_closed])
    EndOfYearRunner(parts.database, policy_from(settings), parts.service.encoder).run_pending()
    dead = InputRecord(settings.topic_enrollment_changed, 3, 17, b"100000001", b"\x00not avro", None,
                       "DecodeError", "not a single-object encoded Avro record")
    parts.service.process([dead])
    outbox = OutboxStore(parts.database)
    with parts.database.engine.connect() as connection:
        sync_rows = connection.execute(
            select(t.outbox.c.id).where(t.outbox.c.topic == settings.topic_pasi_exit_date_sync).order_by(t.outbox.c.id)
        ).scalars().all()
    outbox.mark_sent(sync_rows[: len(sync_rows) // 2])


def record_position(parts: Parts, lag: int = 3) -> None:
    """A consumer's position as the running service records it (consumer.runtime.partition_status)."""
    now = datetime.now(UTC)
    row = {"topic": parts.settings.topic_enrollment_changed, "partition": 0, "member": "host-a:4242",
           "position": 400, "highwater": 400 + lag, "lag": lag, "buffered": 0, "last_batch_at": now,
           "updated_at": now}
    parts.database.run(lambda connection: upsert(connection, t.consumer_status, [row]))


def open_console(settings: Settings, parts: Parts) -> ConsoleView:
    app = create_app(settings, read_only_engine(settings.database_url))
    return ConsoleView(settings, parts, TestClient(app, raise_server_exceptions=False))


def sample_console(db_url: str, tmp_path: Path, students: int = 50, **overrides) -> ConsoleView:
    settings = console_settings(db_url, tmp_path, **overrides)
    parts = assemble(settings, create_topics=False)
    fill_with_sample(parts, students)
    record_position(parts)
    return open_console(settings, parts)


def alert_ids(html: str) -> list[str]:
    """The alert ids a Core Alerts page lists, in order."""
    return ALERT_LINK.findall(html)


def row_ids(html: str, kind: str) -> list[str]:
    """The ids of the `kind` rows ("sync", "dead-letter") a page lists, in order."""
    return [key for found, key in ROW_ID.findall(html) if found == kind]


def pager_links(html: str) -> dict[str, str]:
    """The pager's links by their label ("Next ›", …), as a browser would request them."""
    return {label: href.replace("&amp;", "&") for href, label in PAGER_LINK.findall(html)}
