"""2. End of Year at provincial scale: one TermClosed closes N active concurrent enrolments.

The state is loaded straight into the store with the store's own writer (consumer.store.writer.upsert,
the code the service writes enrolments with): per student a primary enrolment at a home school and an
active concurrent enrolment at 2001 or 2002. Publishing N ConcurrentEnrolmentStarted events would give
the same rows, only slower to prepare. Then one TermClosed is published and the service runs in a
subprocess until idle. Timed from the poll that returned the TermClosed to the last sync acknowledged
by the broker; every one of the N syncs is then read back from the topic and checked (distinct
sync ids, all EXIT with reason END_OF_YEAR). Baseline: the raw client producing the very same N
records (keys, values, headers) read back from the topic, in one go. Peak RSS is the service
process's own (VmHWM at exit, see benchmarks/probe.py). CPU per student: the CPU seconds of the
service's processes from that poll to their exit (`cpu_span_s`) ÷ the N students closed.
"""

from datetime import UTC, date, datetime
from pathlib import Path

from benchmarks.children import run_service
from benchmarks.harness import (
    CODEC,
    Env,
    baseline_produce,
    create_topics,
    log,
    peak_rss_mb,
    publish,
    read_topic,
)
from consumer.config.settings import Settings
from consumer.domain.model import CONCURRENT, PRIMARY, Enrolment
from consumer.runtime.wiring import open_database
from consumer.store import tables as t
from consumer.store.rows import to_row
from consumer.store.writer import upsert
from schemas.term_closed import TermClosed

HOMES = ("1001", "1002", "1003")
CONCURRENT_SCHOOLS = ("2001", "2002")


def load_students(settings: Settings, count: int, first_asn: int = 300_000_000) -> None:
    database = open_database(settings)  # creates the schema
    try:
        rows = []
        for n in range(count):
            asn = f"{first_asn + n:09d}"
            home = HOMES[n % len(HOMES)]
            rows.append(to_row(Enrolment(asn, home, PRIMARY, date(2025, 9, 2), "10", source_event_id=f"bench-p-{n}")))
            rows.append(to_row(Enrolment(
                asn, CONCURRENT_SCHOOLS[n % 2], CONCURRENT, date(2025, 9, 9), "10", home_school_code=home,
                source_event_id=f"bench-c-{n}",
            )))
        for start in range(0, len(rows), 20_000):
            with database.engine.begin() as connection:
                upsert(connection, t.enrolments, rows[start : start + 20_000])
    finally:
        database.dispose()


def term_closed(count: int) -> TermClosed:
    return TermClosed(
        event_id=f"bench-term-closed-{count}",
        occurred_at=datetime(2026, 6, 30, 23, 0, tzinfo=UTC),
        run_id=f"eoy-35-bench-{count}",
        school_year_id=35,
        closed_on=date(2026, 6, 30),
        school_codes=[],
    )


def end_of_year(env: Env, count: int, db: str = "sqlite", profile: Path | None = None) -> dict:
    url = env.postgres() if db == "postgres" else None
    settings = env.settings(f"eoy-{count}-{db}", url)
    load_students(settings, count)
    create_topics(settings)
    closing = term_closed(count)
    publish(settings, settings.topic_term_closed, [(closing.key.encode(), CODEC.encode(closing))])
    report = run_service(settings, f"eoy-{count}-{db}", profile=profile)
    report["seconds"] = report["last_ack_at"] - report["first_records_at"]
    syncs = read_topic(settings, settings.topic_pasi_exit_date_sync)
    ids = set()
    for record in syncs:
        sync = CODEC.decode(record.value)
        if sync.action != "EXIT" or sync.reason != "END_OF_YEAR":
            raise AssertionError(f"unexpected sync {sync}")
        ids.add(sync.sync_id)
    alerts = read_topic(settings, settings.topic_core_alerts)
    if len(ids) != count or len(syncs) != count or report["acked"] != count:
        raise AssertionError(
            f"{len(syncs)} syncs on the topic ({len(ids)} distinct), {report['acked']} acknowledged, "
            f"{len(alerts)} alerts; expected {count}"
        )
    report["records"] = [(r.key, r.value, r.headers) for r in syncs]
    return report


def run(env: Env, sizes: tuple[int, int] = (10_000, 100_000), profile_dir: Path | None = None) -> dict[str, float]:
    small, large = sizes
    results = {}
    first = end_of_year(env, small, profile=profile_dir / f"eoy-{small}.txt" if profile_dir else None)
    first.pop("records")
    log(f"eoy {small}: {first['seconds']:.2f} s, peak RSS {peak_rss_mb(first):.0f} MB")
    second = end_of_year(env, large, profile=profile_dir / f"eoy-{large}.txt" if profile_dir else None)
    records = second.pop("records")
    size = sum(len(v) for _, v, _ in records) / len(records)
    base = baseline_produce(env, records)
    log(
        f"eoy {large}: {second['seconds']:.2f} s ({large / second['seconds']:.0f} syncs/s), "
        f"peak RSS {peak_rss_mb(second):.0f} MB, CPU {second['cpu_span_s']:.2f} s "
        f"(consumer process {second['own_cpu_span_s']:.2f} s); "
        f"raw produce of the same {len(records)} records "
        f"(values {size:.0f} B): {base['seconds']:.2f} s ({base['rate']:.0f}/s)"
    )
    results["eoy_ratio"] = second["seconds"] / base["seconds"]
    results["cpu_us_per_eoy_student"] = second["cpu_span_s"] / large * 1e6
    results[f"_cpu_us_per_eoy_student_{_label(small)}"] = first["cpu_span_s"] / small * 1e6
    results[f"eoy_rss_mb_{_label(small)}"] = peak_rss_mb(first)
    results[f"eoy_rss_mb_{_label(large)}"] = peak_rss_mb(second)
    results["_eoy_seconds"] = second["seconds"]
    results["_eoy_baseline_seconds"] = base["seconds"]
    return results


def _label(count: int) -> str:
    return f"{count // 1000}k" if count % 1000 == 0 else str(count)
