"""Reaching into kafka-python 3.0.12 where its API falls short: a bug work-around, and group heartbeats.

A work-around for a kafka-python 3.0.12 bug that stops a resumed partition for good.

The fetcher parks the records it had fetched for a partition that was then paused (KAFKA-7548) and
puts them back in line on a later poll, but only while its in-line slot is `None`. Once a batch has
been drained the slot holds an empty `PartitionRecords` (falsy, not `None`), and nothing clears it
again; meanwhile a partition with parked records is never fetched. So a partition paused while
records were in flight and then resumed is never read again, with no error. The service pauses
partitions for back-pressure (PARTITION_BUFFER_LIMIT, OUTBOX_BACKLOG_LIMIT), which a backlog of
tens of thousands of events reaches (tests/integration/test_pause_resume.py shows it with the raw
client and with the service). Freeing the drained slot before each poll lets the fetcher's own code restore the parked
records; it is a no-op on versions whose fetcher is built differently.
"""

from kafka import KafkaConsumer


def release_parked_records(consumer: KafkaConsumer) -> bool:
    """Free the fetcher's drained in-line slot when records of a resumed partition are parked.

    Returns True when it did (the next poll then returns those records)."""
    fetcher = getattr(consumer, "_fetcher", None)
    parked = getattr(fetcher, "_paused_partition_records", None)
    if not parked:
        return False
    current = getattr(fetcher, "_next_partition_records", None)
    if current is None or current:  # free already, or still holding records to hand out
        return False
    subscriptions = getattr(consumer, "_subscription", None)
    if subscriptions is None or all(subscriptions.is_paused(tp) for tp in parked):
        return False
    fetcher._next_partition_records = None
    return True


def last_heard_from_coordinator(consumer: KafkaConsumer) -> float | None:
    """The monotonic time of the group coordinator's last heartbeat answer (or of the last (re)join),
    None when unknown: how long the broker has been silent, which poll() alone does not tell."""
    heartbeat = getattr(getattr(consumer, "_coordinator", None), "heartbeat", None)
    if heartbeat is None:
        return None
    heard = max(getattr(heartbeat, "last_receive", float("-inf")), getattr(heartbeat, "last_reset", float("-inf")))
    return heard if heard != float("-inf") else None
