"""4. Scale-out on PostgreSQL: one consumer process against two in the same group, same input.

Each side gets a fresh schema (migrated by the driver first, so that two processes starting together
do not race to create tables) and topics of its own. The input is the throughput benchmark's events,
in two phases, as in a real year where schools are set up weeks before students enrol:

1. the school events (SchoolTermsConfigured, SectionScheduled; keyed by school code) are published
   and handled by one process of the group until idle (not timed);
2. the student events are published, then one or two processes of the same group are started
   together (both are then in the group's first generation) and run until idle.

Phase 2 is timed from the first poll that returned records in either process to the last output
acknowledged (or offset commit) in either. Then the outputs are compared: every sync on the topic by
sync id and content, and the final state of every alert in the alerts table (every column but its
cause, `source_event_id` and `occurred_at`: a school-level R2 alert is raised by whichever of the
school's students comes first, which two processes need not agree on; how many differ only in their
cause is reported).

Why two phases: a school event and the student events that depend on it sit on different
partitions; one process merges its partitions in event-time order, but two processes do not order
their partitions against each other. Fed the whole year at once, two processes can handle a
student's challenge-course enrolment before the other process has stored the school's section,
and raise an R3 "missing section" alert one process would not (`--mixed` shows it).
"""

from sqlalchemy import select

from benchmarks.children import spawn
from benchmarks.harness import (
    CODEC,
    Env,
    create_topics,
    encode,
    log,
    publish,
    read_topic,
    sample_events,
)
from consumer.runtime.wiring import open_database
from consumer.store import tables as t
from schemas.events import SCHOOL_EVENT_TYPES


def one_side(env: Env, setup: list[tuple[bytes, bytes]], records: list[tuple[bytes, bytes]],
             processes: int) -> dict:
    settings = env.settings(f"scaleout-{processes}", env.postgres())
    open_database(settings).dispose()  # create the schema before the processes start
    create_topics(settings)
    if setup:
        publish(settings, settings.topic_enrollment_changed, setup)
        spawn("benchmarks.probe", ["--until-idle", "1"], settings, f"scaleout-{processes}-setup").wait(300)
    publish(settings, settings.topic_enrollment_changed, records)
    children = [
        spawn("benchmarks.probe", ["--until-idle", "2"], settings, f"scaleout-{processes}-{n}")
        for n in range(processes)
    ]
    reports = [child.wait(900) for child in children]
    consumed = sum(r["consumed"] for r in reports)  # may count re-deliveries after a rebalance
    if consumed < len(records):
        raise AssertionError(f"{consumed} of {len(records)} records consumed")
    start = min(r["first_records_at"] for r in reports if r["first_records_at"] is not None)
    end = max(x for r in reports for x in (r["last_ack_at"], r["last_commit_at"]) if x is not None)
    syncs = {}
    for record in read_topic(settings, settings.topic_pasi_exit_date_sync):
        sync = CODEC.decode(record.value)
        syncs[sync.sync_id] = sync.model_dump_json()
    database = open_database(settings)
    try:
        with database.engine.connect() as connection:
            rows = connection.execute(select(t.alerts).order_by(t.alerts.c.alert_id)).all()
    finally:
        database.dispose()
    cause = {"source_event_id", "occurred_at"}
    alerts = {row.alert_id: tuple((k, v) for k, v in row._mapping.items() if k not in cause) for row in rows}
    causes = {row.alert_id: (row.source_event_id, row.occurred_at.isoformat()) for row in rows}
    for n, report in enumerate(reports):
        generations = [partitions for _, partitions in report["assignments"]]
        log(f"scaleout {processes} process(es), #{n}: consumed {report['consumed']}, assignments {generations}")
    return {"seconds": end - start, "rate": len(records) / (end - start), "syncs": syncs, "alerts": alerts,
            "causes": causes, "consumed": consumed}


def run(env: Env, events: int, mixed: bool = False) -> dict[str, float]:
    """`mixed`: publish school and student events together (one phase) instead."""
    sample = sample_events(events)
    if mixed:
        setup, students = [], encode(sample)
    else:
        setup = encode([e for e in sample if e.event_type in SCHOOL_EVENT_TYPES])
        students = encode([e for e in sample if e.event_type not in SCHOOL_EVENT_TYPES])
    one = one_side(env, setup, students, 1)
    two = one_side(env, setup, students, 2)
    same_syncs = one["syncs"] == two["syncs"]
    same_alerts = one["alerts"] == two["alerts"]
    cause_only = sum(1 for k in one["causes"] if k in two["causes"] and one["causes"][k] != two["causes"][k])
    log(
        f"scaleout: 1 process {one['rate']:.0f} events/s, 2 processes {two['rate']:.0f} events/s; "
        f"syncs {len(one['syncs'])} vs {len(two['syncs'])} identical={same_syncs}; "
        f"alerts {len(one['alerts'])} vs {len(two['alerts'])} identical={same_alerts} "
        f"({cause_only} raised by another event of the same school); "
        f"records consumed {one['consumed']} vs {two['consumed']}"
    )
    if not (same_syncs and same_alerts):
        _explain(one, two)
    return {
        "scaleout_ratio": two["rate"] / one["rate"],
        "_scaleout_outputs_identical": float(same_syncs and same_alerts),
    }


def _explain(one: dict, two: dict) -> None:
    for name in ("syncs", "alerts"):
        a, b = one[name], two[name]
        only_one, only_two = set(a) - set(b), set(b) - set(a)
        changed = [k for k in set(a) & set(b) if a[k] != b[k]]
        log(f"  {name}: {len(only_one)} only with 1 process, {len(only_two)} only with 2, {len(changed)} differ")
        for key in sorted(changed)[:3]:
            log(f"    {key}:\n      1: {a[key]}\n      2: {b[key]}")
        for key in sorted(only_one)[:3]:
            log(f"    only 1: {a[key]}")
        for key in sorted(only_two)[:3]:
            log(f"    only 2: {b[key]}")
