"""1. Throughput: realistic events through the whole pipeline, against raw consume -> produce -> commit.

The input is the demo's generator at scale (benchmarks.harness.sample_events: enrolments, course
enrolments, grades, exits, transfers; about one output per five inputs), published before the
service starts. The service runs in a subprocess until idle; its span runs from the first poll that
returned records to the last output acknowledged by the broker (or the last offset commit, if
later). The baseline is the raw client over the same records (same keys, values, partitions),
timed the same way, run just before each pipeline run. CPU per event: the CPU seconds of the
service's processes from that first poll to their exit (benchmarks/probe.py, `cpu_span_s`) ÷ events.
"""

from pathlib import Path

from benchmarks.children import run_service, span
from benchmarks.harness import (
    Env,
    baseline_loop,
    create_topics,
    encode,
    log,
    publish,
    read_topic,
    sample_events,
)


def pipeline(env: Env, records: list[tuple[bytes, bytes]], db: str, profile: Path | None = None) -> dict:
    url = env.postgres() if db == "postgres" else None
    settings = env.settings(f"throughput-{db}", url)
    create_topics(settings)
    publish(settings, settings.topic_enrollment_changed, records)
    report = run_service(settings, f"throughput-{db}", profile=profile)
    if report["consumed"] != len(records):
        raise AssertionError(f"service consumed {report['consumed']} of {len(records)} records")
    outputs = sum(len(read_topic(settings, topic)) for topic in settings.output_topics)
    dead = len(read_topic(settings, settings.dead_letter_topic(settings.topic_enrollment_changed)))
    if outputs != report["acked"] or dead:
        raise AssertionError(f"{outputs} outputs on the topics, {report['acked']} acknowledged, {dead} dead letters")
    report["outputs"] = outputs
    report["seconds"] = span(report)
    report["rate"] = len(records) / report["seconds"]
    return report


def run(env: Env, events: int, dbs=("sqlite", "postgres"), profile_dir: Path | None = None) -> dict[str, float]:
    records = encode(sample_events(events))
    results = {}
    for db in dbs:
        base = baseline_loop(env, records, f"baseline-{db}")
        log(f"throughput baseline: {len(records)} records in {base['seconds']:.2f} s = {base['rate']:.0f}/s")
        profile = profile_dir / f"throughput-{db}.txt" if profile_dir else None
        pipe = pipeline(env, records, db, profile)
        cpu_us = pipe["cpu_span_s"] / len(records) * 1e6
        log(
            f"throughput {db}: {len(records)} events, {pipe['outputs']} outputs "
            f"(1 per {len(records) / max(1, pipe['outputs']):.1f}) in {pipe['seconds']:.2f} s = {pipe['rate']:.0f}/s; "
            f"CPU {pipe['cpu_span_s']:.2f} s = {cpu_us:.0f} µs/event (consumer process {pipe['own_cpu_span_s']:.2f} s)"
        )
        results[f"cpu_us_per_event_{db}"] = cpu_us
        results[f"throughput_ratio_{db}"] = pipe["rate"] / base["rate"]
        results[f"_throughput_{db}_events_per_s"] = pipe["rate"]
        results[f"_throughput_baseline_{db}_per_s"] = base["rate"]
    return results
