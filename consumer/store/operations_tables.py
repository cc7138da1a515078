"""What operators look back on: each alert's transitions, the syncs sent, dead letters, the consumer's position.

Written beside the state they describe (alert transitions, syncs and dead letters in the batch's own
transaction, the consumer's position by its housekeeping) and read by the console; the rules never
read them.
"""

from sqlalchemy import BigInteger, Column, Date, Index, Integer, String, Table

from consumer.store.columns import Id, UtcDateTime, metadata

# Keys are sequential and time indexes end in them: End of Year writes 100,000 syncs of one time, and
# random ids (UUIDs) there made every index insert a random one (three times the cost on SQLite).

alert_events = Table(
    "alert_events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("alert_id", String(36), nullable=False),
    Column("status", String(10), nullable=False),
    Column("source_event_id", String(200), nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Index("ix_alert_events_alert", "alert_id", "occurred_at"),
)

syncs = Table(
    "syncs",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("sync_id", String(36), nullable=False),  # its outbox row's message id: the relay marks it sent
    Column("action", String(20), nullable=False),
    Column("asn", String(9), nullable=False),
    Column("school_code", String(4), nullable=False),
    Column("enrolment_kind", String(10), nullable=False),
    Column("exit_date", Date),
    Column("exit_code", String(200)),
    Column("reason", String(20), nullable=False),
    Column("source_event_id", String(200), nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),  # written to the outbox
    Column("sent_at", UtcDateTime),  # acknowledged by the broker
    Index("ux_syncs_sync_id", "sync_id", unique=True),
    Index("ix_syncs_time", "occurred_at", "id"),
)

dead_letters = Table(
    "dead_letters",
    metadata,
    Column("message_id", String(36), primary_key=True),
    Column("topic", String(249), nullable=False),  # the dead-letter topic
    Column("source_topic", String(249), nullable=False),
    Column("source_partition", Integer, nullable=False),
    Column("source_offset", BigInteger, nullable=False),
    Column("key", String(200)),
    Column("value_size", Integer, nullable=False),
    Column("error_class", String(200), nullable=False),
    Column("error_message", String(4000), nullable=False),
    Column("failed_at", UtcDateTime, nullable=False),
    Index("ix_dead_letters_topic_time", "topic", "failed_at"),
)

consumer_status = Table(
    "consumer_status",
    metadata,
    Column("topic", String(249), primary_key=True),
    Column("partition", Integer, primary_key=True),
    Column("member", String(200), nullable=False),  # host and process id of the consumer that owns it
    Column("position", BigInteger, nullable=False),
    Column("highwater", BigInteger),
    Column("lag", BigInteger, nullable=False),  # records behind the partition's end, buffered ones included
    Column("buffered", Integer, nullable=False),
    Column("last_batch_at", UtcDateTime),
    Column("updated_at", UtcDateTime, nullable=False),
)
