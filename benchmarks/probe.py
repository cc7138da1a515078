"""The real service (`consumer.runtime.wiring.build(settings).run(...)`), instrumented for the benchmarks.

    python -m benchmarks.probe [--until-idle S] --report FILE [--ready FILE]

Settings come from the environment, as for `pasi-concurrent run`. Nothing in the service changes:
a few methods are wrapped to note when things happen (wall-clock `time.time()`, comparable across
processes on this machine):

- `first_records_at`: the first poll that returned records (so group join and the first fetch
  round trip are not counted; the raw-client baseline is timed from the same point);
- `last_commit_at`: the last offset commit that committed something;
- `last_ack_at`, `acked`: the last time outbox rows were marked sent, which the relay does only
  after the broker acknowledged them, and how many were (a relay process reports each round to the
  service's process, which notes it when the report arrives);
- `cpu_span_s`: user + system CPU seconds of the service's process and every process below it
  (benchmarks/cpu.py), from the first poll that returned records to the report at exit;
- `maxrss_kb`: the process's peak resident set size, VmHWM of /proc/self/status at exit. Not
  getrusage(): on Linux its ru_maxrss survives exec, so a child started by a big parent (the driver
  holds the benchmark's records) reports the parent's size.

`--ready FILE` is created once partitions are assigned. SIGTERM/SIGINT stop it like the CLI does.
The relay's producer is connected before the consumer starts (see main()).
"""

import argparse
import gc
import json
import os
import signal
import threading
import time
from pathlib import Path

from benchmarks.cpu import tree_cpu_s
from benchmarks.process_state import dump_state, peak_rss_kb
from consumer.config.settings import Settings
from consumer.runtime import housekeeping, rebalance
from consumer.runtime import loop as loop_module
from consumer.runtime.logs import configure_logging
from consumer.runtime.offsets import OffsetCommitter
from consumer.runtime.relay_process import RelayProcess
from consumer.runtime.service import Service
from consumer.runtime.wiring import build
from consumer.store.outbox import OutboxStore


class Probe:
    def __init__(self, ready: Path | None):
        self.ready = ready
        self.started_at = time.time()
        self.first_records_at: float | None = None
        self.cpu_at_first_records: float | None = None
        self.own_cpu_at_first_records: float | None = None
        self.consumed = 0
        self.last_commit_at: float | None = None
        self.acked = 0
        self.first_ack_at: float | None = None
        self.last_ack_at: float | None = None
        self.acks: list[tuple[float, int]] = []  # (time, acknowledged so far) after each mark_sent
        self.assignments: list[tuple[float, list[str]]] = []
        self.trace = bool(os.environ.get("PROBE_TRACE"))  # note every batch and relay round
        self.batches: list[tuple[float, int, float]] = []  # (start, records, seconds) of Service.process
        self.rounds: list[tuple[float, int, float]] = []  # (start, rows, seconds) of OutboxStore.pending
        self.timings: dict[str, dict[str, list]] = {}  # method -> 10 s window -> [calls, seconds]
        self.gc_s = [0.0, 0.0, 0.0]  # time in the cyclic garbage collector, per generation
        self._gc_started: float | None = None
        gc.callbacks.append(self._gc)
        self.rss: list[tuple[float, int, int]] = []  # (time, VmRSS kB, VmHWM kB, CPU s) every half second
        threading.Thread(target=self._sample_rss, name="probe-rss", daemon=True).start()

    def _sample_rss(self) -> None:
        while True:
            try:
                with open("/proc/self/status") as status:
                    fields = dict(line.split(":", 1) for line in status if line.startswith(("VmRSS", "VmHWM")))
                self.rss.append((time.time(), int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0]),
                                 sum(os.times()[:2])))
            except OSError:
                return
            time.sleep(0.5)

    def install(self) -> None:
        probe = self
        buffer, commit = loop_module.ConsumerLoop._buffer, OffsetCommitter.commit
        assigned = rebalance.RebalanceListener.on_partitions_assigned
        mark_sent = OutboxStore.mark_sent
        pending = OutboxStore.pending
        process = Service.process

        def _buffer(loop, polled):
            if polled:
                if probe.first_records_at is None:
                    probe.first_records_at = time.time()
                    probe.cpu_at_first_records = tree_cpu_s()
                    probe.own_cpu_at_first_records = sum(os.times()[:2])
                probe.consumed += sum(len(records) for records in polled.values())
            return buffer(loop, polled)

        def _commit(committer, only=None, **kwargs):
            pending = bool(committer.pending)
            commit(committer, only, **kwargs)
            if pending:
                probe.last_commit_at = time.time()

        def _assigned(listener, partitions):
            assigned(listener, partitions)
            probe.assignments.append((time.time(), sorted(f"{tp.topic}[{tp.partition}]" for tp in partitions)))
            if probe.ready is not None and partitions:
                probe.ready.write_text("assigned")

        def _mark_sent(store, ids):
            mark_sent(store, ids)
            probe.acknowledged(len(ids))

        def _process(service, records, *args, **kwargs):
            started = time.time()
            try:
                return process(service, records, *args, **kwargs)
            finally:
                if probe.trace:
                    probe.batches.append((started, len(records), time.time() - started))

        def _pending(store, limit):
            started = time.time()
            rows = pending(store, limit)
            if probe.trace and rows:
                probe.rounds.append((started, len(rows), time.time() - started))
            return rows

        if probe.trace:
            import kafka

            from producers.publisher import Publisher

            for owner, name in ((OffsetCommitter, "commit"), (housekeeping.Housekeeper, "run"),
                                (kafka.KafkaConsumer, "poll"), (OutboxStore, "mark_sent"), (Publisher, "publish"),
                                (loop_module.ConsumerLoop, "_process_released"), (OutboxStore, "backlog")):
                probe.time_calls(owner, name)
        Service.process = _process
        OutboxStore.pending = _pending
        loop_module.ConsumerLoop._buffer = _buffer
        OffsetCommitter.commit = _commit
        rebalance.RebalanceListener.on_partitions_assigned = _assigned
        OutboxStore.mark_sent = _mark_sent

    def acknowledged(self, count: int) -> None:
        now = time.time()
        self.first_ack_at = self.first_ack_at or now
        self.last_ack_at = now
        self.acked += count
        self.acks.append((now, self.acked))

    def _gc(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
        elif self._gc_started is not None:
            self.gc_s[info["generation"]] += time.perf_counter() - self._gc_started
            self._gc_started = None

    def time_calls(self, owner, name: str) -> None:
        """Total time in `owner.name` per 10 s window since the first records (PROBE_TRACE only)."""
        original = getattr(owner, name)
        probe = self

        def timed(*args, **kwargs):
            started = time.time()
            try:
                return original(*args, **kwargs)
            finally:
                if probe.first_records_at is not None:
                    window = str(int((started - probe.first_records_at) // 10))
                    calls = probe.timings.setdefault(f"{owner.__name__}.{name}", {}).setdefault(window, [0, 0.0])
                    calls[0] += 1
                    calls[1] += time.time() - started

        setattr(owner, name, timed)

    def report(self) -> dict:
        tree_cpu = tree_cpu_s()
        return {
            "started_at": self.started_at,
            "first_records_at": self.first_records_at,
            "consumed": self.consumed,
            "last_commit_at": self.last_commit_at,
            "acked": self.acked,
            "first_ack_at": self.first_ack_at,
            "last_ack_at": self.last_ack_at,
            "assignments": self.assignments,
            "rss_timeline": self.rss,
            "acks": self.acks,
            "batches": self.batches,
            "rounds": self.rounds,
            "timings": self.timings,
            "gc_s": self.gc_s,
            "finished_at": time.time(),
            "maxrss_kb": peak_rss_kb(),
            "cpu_s": sum(os.times()[:2]),
            "tree_cpu_s": tree_cpu,
            "cpu_span_s": None if self.cpu_at_first_records is None else tree_cpu - self.cpu_at_first_records,
            # this process alone (the consumer; with a relay process, the rest of cpu_span_s is the relay's)
            "own_cpu_span_s": None if self.own_cpu_at_first_records is None
            else sum(os.times()[:2]) - self.own_cpu_at_first_records,
        }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--until-idle", type=float, default=None)
    parser.add_argument("--report", type=Path, required=True)
    parser.add_argument("--ready", type=Path, default=None)
    args = parser.parse_args()

    settings = Settings()
    configure_logging(settings.log_level, settings.log_format, settings.log_mask_asn)
    probe = Probe(args.ready)
    probe.install()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    runtime = build(settings, stop)
    # The outbox relay's producer connects before the consumer's clock starts, as the raw-client baseline
    # connects its producer before its own: a relay process connects it as it starts (during the group
    # join); a relay thread is connected here. A start-up cost like the group join, which is also left out.
    if isinstance(runtime.relay, RelayProcess):
        # the child marks rows sent; it reports each round's count once the broker acknowledged them
        runtime.relay.on_published = lambda counts: probe.acknowledged(sum(counts.values()))
    else:
        runtime.relay.publisher.connect()
    if os.environ.get("PROBE_GC_FREEZE"):  # an experiment, not the service's behaviour: see BENCHMARKS.md
        gc.collect()
        gc.freeze()
    if os.environ.get("PROBE_EOY_LEAD_CHUNKS"):  # an experiment: how far End of Year may run ahead of the relay
        runtime.loop.end_of_year.lead_chunks = int(os.environ["PROBE_EOY_LEAD_CHUNKS"])
    signal.signal(signal.SIGUSR1, lambda *_: dump_state(runtime.loop))
    code = runtime.run(args.until_idle)
    args.report.write_text(json.dumps(probe.report()))
    return code


if __name__ == "__main__":
    raise SystemExit(main())
