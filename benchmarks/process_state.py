"""What a benchmark's service process reports about itself: its peak memory, and on demand its consumer's state."""

import sys


def peak_rss_kb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def dump_state(loop) -> None:
    """On SIGUSR1: the consumer's view of its partitions, to stderr (for a run that does not go idle)."""
    consumer = loop.consumer
    if consumer is None:
        return
    paused = set(consumer.paused())
    for tp in sorted(consumer.assignment()):
        print(
            f"probe state {tp.topic}[{tp.partition}]: position {consumer.position(tp)} highwater "
            f"{consumer.highwater(tp)} paused {tp in paused} buffered {loop.aligner.size(tp)} "
            f"buffer_full {tp in loop.pauses.buffer_full} state {vars(consumer._subscription.assignment[tp])}",
            file=sys.stderr, flush=True,
        )
    fetcher = consumer._fetcher
    print(f"probe state fetcher completed={[f.topic_partition for f in fetcher._completed_fetches]} "
          f"next={getattr(fetcher._next_partition_records, 'topic_partition', None)} "
          f"next_truthy={bool(fetcher._next_partition_records)} "
          f"parked_records={sorted(fetcher._paused_partition_records)} "
          f"parked_fetches={sorted(fetcher._paused_completed_fetches)} "
          f"fetchable={sorted(fetcher._fetchable_partitions())}", file=sys.stderr, flush=True)
    print(f"probe state backpressure {loop.pauses.backpressure} backlog {loop.relay.outbox.backlog()}", file=sys.stderr,
          flush=True)
