"""5. Decode: the per-record path alone, this checkout against a baseline commit, in the same run.

    python benchmarks/run.py --only decode            # or: python -m benchmarks.decode [--baseline REV]

What is timed is `consumer.runtime.records.decode_record` and the record's `fingerprint` (which the
service computes for every record it de-duplicates) over the throughput benchmark's events
(benchmarks.harness.sample_events, Avro-encoded): framing, Avro decode, pydantic validation of the
contract, the InputRecord, its fingerprint. No broker and no database. The baseline is the same code at commit
PASI_BENCH_DECODE_BASELINE (default 10e0961, the service before the decode path was compiled),
extracted with `git archive` into a scratch directory. Each side runs in a subprocess of its own,
the two taking turns (before, after, before, after, ...) so that both see the same machine; a
round decodes every record once, and each side's figure is its fastest round in CPU time
(time.process_time: what the process itself spent, less sensitive to other processes than wall time).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = os.environ.get("PASI_BENCH_DECODE_BASELINE", "10e0961")


def measure(count: int, rounds: int) -> dict:
    """In the child: µs per record of each round, CPU and wall time, after one warm-up round."""
    from benchmarks.harness import encode, sample_events
    from consumer.runtime.records import decode_record
    from schemas.codec import MessageCodec
    from schemas.events import EventBase

    records = encode(sample_events(count))
    codec = MessageCodec()

    def once() -> None:
        for offset, (key, value) in enumerate(records):
            record = decode_record(codec, EventBase, "bench", 0, offset, key, value)
            if record.fingerprint is None:
                raise AssertionError(f"record {offset} dead-lettered: {record.error_message}")

    once()
    cpu, wall = [], []
    for _ in range(rounds):
        started_cpu, started_wall = time.process_time(), time.perf_counter()
        once()
        cpu.append((time.process_time() - started_cpu) / count * 1e6)
        wall.append((time.perf_counter() - started_wall) / count * 1e6)
    return {"records": count, "cpu_us": cpu, "wall_us": wall, "code": str(Path(decode_record.__code__.co_filename))}


def _child(root: Path, count: int, rounds: int) -> dict:
    env = dict(os.environ, PYTHONPATH=str(root))
    command = [sys.executable, str(Path(__file__).resolve()), "--child", "--count", str(count), "--rounds", str(rounds)]
    done = subprocess.run(command, env=env, cwd=root, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"decode benchmark in {root} failed:\n{done.stderr[-2000:]}")
    report = json.loads(done.stdout)
    if not Path(report["code"]).resolve().is_relative_to(root.resolve()):
        raise RuntimeError(f"the decode benchmark meant for {root} ran {report['code']}")
    return report


def fastest(reports: list[dict], kind: str) -> float:
    return min(us for report in reports for us in report[kind])


def extract(revision: str, into: Path) -> Path:
    """The tree of `revision` of this repository, written under `into`."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def run(count: int = 20_000, turns: int = 3, rounds: int = 3, baseline: str = BASELINE) -> dict[str, float]:
    from benchmarks.harness import log

    with tempfile.TemporaryDirectory(prefix="pasi-bench-decode-") as scratch:
        before_root = extract(baseline, Path(scratch))
        before, after = [], []
        for _ in range(turns):
            before.append(_child(before_root, count, rounds))
            after.append(_child(ROOT, count, rounds))
    cpu = {"before": fastest(before, "cpu_us"), "after": fastest(after, "cpu_us")}
    wall = {"before": fastest(before, "wall_us"), "after": fastest(after, "wall_us")}
    log(
        f"decode {count} records, {turns} turns of {rounds} rounds a side: baseline {baseline} "
        f"{cpu['before']:.1f} µs/record CPU ({wall['before']:.1f} wall), this checkout {cpu['after']:.1f} "
        f"µs/record CPU ({wall['after']:.1f} wall)"
    )
    return {
        "decode_us_per_record_before": cpu["before"],
        "decode_us_per_record": cpu["after"],
        "decode_ratio": cpu["after"] / cpu["before"],
        "_decode_wall_us_before": wall["before"],
        "_decode_wall_us_after": wall["after"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--turns", type=int, default=3)
    parser.add_argument("--baseline", default=BASELINE)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.count, args.rounds)))
        return 0
    sys.path.insert(0, str(ROOT))
    for name, value in run(args.count, args.turns, args.rounds, args.baseline).items():
        if not name.startswith("_"):
            print(f"{name}={value:.3f}" if "ratio" in name else f"{name}={value:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
