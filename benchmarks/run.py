"""Run the benchmarks and print one `name=value` line each (details go to stderr).

    python benchmarks/run.py [--quick] [--only throughput,eoy,latency,scaleout,decode] [--profile DIR] [--json FILE]

Starts an embedded broker of its own on a free port; PostgreSQL at PASI_BENCH_POSTGRES_URL
(default postgresql://postgres@127.0.0.1:5432/test; a schema per run, dropped at the end).
`decode` (the per-record decode path against a baseline commit, no broker) runs only when named in --only.
See BENCHMARKS.md for what each number measures.
"""

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import decode, eoy, latency, scaleout, throughput  # noqa: E402
from benchmarks.harness import Env, log  # noqa: E402

FULL = {"events": 50_000, "eoy": (10_000, 100_000), "latency_s": 60.0, "scaleout_events": 50_000,
        "decode": (20_000, 3)}
QUICK = {"events": 10_000, "eoy": (10_000, 100_000), "latency_s": 15.0, "scaleout_events": 10_000,
         "decode": (10_000, 2)}
ORDER = [
    "throughput_ratio_sqlite",
    "throughput_ratio_postgres",
    "cpu_us_per_event_sqlite",
    "eoy_ratio",
    "cpu_us_per_eoy_student",
    "eoy_rss_mb_10k",
    "eoy_rss_mb_100k",
    "latency_p50_ms",
    "latency_p99_ms",
    "scaleout_ratio",
    "decode_us_per_record_before",
    "decode_us_per_record",
    "decode_ratio",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="reduced sizes: the four in a few minutes")
    parser.add_argument("--only", default="throughput,eoy,latency,scaleout", help="comma-separated benchmarks")
    parser.add_argument("--profile", type=Path, help="profile the service with py-spy into this directory")
    parser.add_argument("--json", type=Path, help="also write every number (with details) to this file")
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    chosen = set(args.only.split(","))
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)

    started = time.monotonic()
    env = Env.start() if chosen - {"decode"} else None
    results: dict[str, float] = {}
    try:
        if "throughput" in chosen:
            results |= throughput.run(env, sizes["events"], profile_dir=args.profile)
        if "eoy" in chosen:
            results |= eoy.run(env, sizes["eoy"], profile_dir=args.profile)
        if "latency" in chosen:
            results |= latency.run(env, rate=500, seconds=sizes["latency_s"])
        if "scaleout" in chosen:
            results |= scaleout.run(env, sizes["scaleout_events"])
        if "decode" in chosen:
            results |= decode.run(*sizes["decode"])
    finally:
        if env is not None:
            env.stop()
    log(f"benchmarks took {time.monotonic() - started:.0f} s ({'quick' if args.quick else 'full'})")
    for name in ORDER:
        if name in results:
            print(f"{name}={results[name]:.3f}" if "ratio" in name else f"{name}={results[name]:.1f}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results | {"quick": args.quick, "sizes": sizes}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
