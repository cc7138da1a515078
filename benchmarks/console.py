"""The console at 100,000 Core Alerts: how long its pages take, first, deep and filtered, on SQLite and PostgreSQL.

    python benchmarks/console.py [--alerts 100000] [--only sqlite,postgres] [--repeat 7]

Fills a fresh store (migrated as the service migrates it) with the store's own writer: alerts spread
over a school year, 300 schools, eight codes, most of them resolved, each with its transitions. Then
requests every page through the real application in this process (Starlette's test client: routing,
query parsing, SQL, templates; no network) and prints the median of `--repeat` requests in ms.
PostgreSQL: PASI_BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test), a schema
of its own, dropped at the end.
"""

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from starlette.testclient import TestClient  # noqa: E402

from benchmarks.harness import POSTGRES_URL, drop_postgres_schema  # noqa: E402
from consumer.config.settings import Settings  # noqa: E402
from consumer.console.app import create_app  # noqa: E402
from consumer.console.reader import read_only_engine  # noqa: E402
from consumer.domain.alerts import ALL as KINDS  # noqa: E402
from consumer.runtime.wiring import open_database  # noqa: E402
from consumer.store import tables as t  # noqa: E402
from consumer.store.writer import upsert  # noqa: E402

YEAR_STARTS = datetime(2025, 9, 2, 14, 0, tzinfo=UTC)
SCHOOLS = [f"{1000 + n}" for n in range(300)]
NEXT_LINK = re.compile(r'href="(/alerts\?[^"]*after=[^"]*)">Next')


def alert_rows(count: int, seed: int = 14) -> tuple[list[dict], list[dict]]:
    """`count` alerts and their transitions (raised, and resolved for three in four)."""
    chance = random.Random(seed)
    alerts, transitions = [], []
    for n in range(count):
        kind = chance.choice(KINDS)
        raised_at = YEAR_STARTS + timedelta(seconds=chance.randrange(300 * 86_400))
        alert_id = str(uuid.UUID(int=chance.getrandbits(128), version=5))
        school, home = chance.choice(SCHOOLS), chance.choice(SCHOOLS)
        resolved = chance.random() < 0.75
        at = raised_at + timedelta(days=chance.randrange(1, 40)) if resolved else raised_at
        asn = f"{100_000_000 + chance.randrange(60_000):09d}"
        alerts.append({
            "alert_id": alert_id, "rule": "R1", "code": kind.code, "category": kind.category,
            "alert_type": kind.alert_type, "status": "RESOLVED" if resolved else "RAISED", "asn": asn,
            "school_code": school, "home_school_code": home, "school_year_id": chance.choice((34, 35)),
            "subject": f"{home}/{n}", "message": f"{kind.code.replace('_', ' ').lower()} for a student at {school}",
            "details": {}, "occurrence": 1, "source_event_id": f"event-{n}-b", "occurred_at": at,
        })
        transitions.append({"message_id": str(uuid.uuid4()), "alert_id": alert_id, "status": "RAISED",
                            "source_event_id": f"event-{n}-a", "occurred_at": raised_at})
        if resolved:
            transitions.append({"message_id": str(uuid.uuid4()), "alert_id": alert_id, "status": "RESOLVED",
                                "source_event_id": f"event-{n}-b", "occurred_at": at})
    return alerts, transitions


def fill(settings: Settings, count: int) -> list[dict]:
    database = open_database(settings)
    alerts, transitions = alert_rows(count)
    try:
        for rows, table in ((alerts, t.alerts), (transitions, t.alert_events)):
            for start in range(0, len(rows), 5_000):
                database.run(lambda c, part=rows[start:start + 5_000], table=table: upsert(c, table, part))
        if database.dialect == "postgresql":
            database.run(lambda c: c.exec_driver_sql("ANALYZE"))
    finally:
        database.dispose()
    return alerts


def timed(client: TestClient, path: str, repeat: int) -> tuple[float, str]:
    times, text = [], ""
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code, response.text[:500])
        text = response.text
    return statistics.median(times), text


def scenarios(alerts: list[dict]) -> list[tuple[str, str]]:
    busy_school = max(SCHOOLS, key=lambda s: sum(1 for a in alerts if a["school_code"] == s))
    student = alerts[len(alerts) // 2]["asn"]
    last_page = -(-len(alerts) // 50)
    return [
        ("first page (newest 50 of all)", "/alerts"),
        ("page 2 by number", "/alerts?page=2"),
        ("last page by number", f"/alerts?page={last_page}"),
        ("first page, oldest first", "/alerts?order=oldest"),
        ("first page: RAISED, TERM_ID_MISMATCH", "/alerts?status=RAISED&code=TERM_ID_MISMATCH"),
        ("first page: ENROLMENT, year 35 (no index)", "/alerts?category=ENROLMENT&year=35"),
        ("first page: one school", f"/alerts?school={busy_school}"),
        ("first page: one student (ASN)", f"/alerts?asn={student}"),
        ("first page: March (date range)", "/alerts?from=2026-03-01&to=2026-03-31"),
        ("an alert's history", f"/alerts/{alerts[0]['alert_id']}"),
    ]


def run(kind: str, url: str, count: int, repeat: int) -> None:
    settings = Settings(_env_file=None, state_db_url=url, metrics_port=0)
    started = time.perf_counter()
    alerts = fill(settings, count)
    print(f"\n{kind}: {count:,} alerts written in {time.perf_counter() - started:.1f} s", flush=True)
    client = TestClient(create_app(settings, read_only_engine(url)))
    for name, path in scenarios(alerts):
        median, _ = timed(client, path, repeat)
        print(f"  {name:<44} {median:8.1f} ms", flush=True)
    last_page = -(-count // 50)
    _, page = timed(client, f"/alerts?page={last_page - 1}", 1)
    deep_next = NEXT_LINK.search(page).group(1).replace("&amp;", "&")
    median, _ = timed(client, deep_next, repeat)
    print(f"  {'Next from the second-to-last page (keyset)':<44} {median:8.1f} ms")
    median, csv_text = timed(client, "/alerts.csv?code=TERM_ID_MISMATCH", max(1, repeat // 3))
    print(f"  {f'CSV of TERM_ID_MISMATCH ({csv_text.count(chr(10)) - 1:,} rows)':<44} {median:8.1f} ms")
    client.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=100_000)
    parser.add_argument("--only", default="sqlite,postgres")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    chosen = args.only.split(",")
    if "sqlite" in chosen:
        with tempfile.TemporaryDirectory(prefix="pasi-console-bench-") as work:
            run("SQLite", f"sqlite:///{Path(work) / 'state.db'}", args.alerts, args.repeat)
    if "postgres" in chosen:
        import psycopg

        schema = f"bench_console_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
            connection.execute(f'CREATE SCHEMA "{schema}"')
        try:
            run("PostgreSQL", f"{POSTGRES_URL}?options=-csearch_path%3D{schema}", args.alerts, args.repeat)
        finally:
            drop_postgres_schema(schema)
    return 0


if __name__ == "__main__":
    sys.exit(main())
