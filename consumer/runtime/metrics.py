"""Prometheus metrics of the service (one set per process)."""

from prometheus_client import Counter, Gauge, Histogram

EVENTS_CONSUMED = Counter("pasi_events_consumed_total", "Records read from input topics", ["topic"])
EVENTS_PROCESSED = Counter("pasi_events_processed_total", "Events the rules handled", ["event_type"])
EVENTS_DUPLICATE = Counter("pasi_events_duplicate_total", "Events skipped as already processed", ["topic"])
EVENTS_DEAD_LETTERED = Counter(
    "pasi_events_dead_lettered_total", "Records sent to a dead-letter topic", ["topic", "reason"]
)
ALERTS = Counter("pasi_alerts_total", "Core Alerts written to the outbox", ["code", "status"])
SYNCS = Counter("pasi_syncs_total", "Exit-date syncs written to the outbox", ["action"])
PUBLISHED = Counter("pasi_messages_published_total", "Outbox messages acknowledged by the broker", ["topic"])
OUTBOX_FAILED = Counter(
    "pasi_outbox_failed_total", "Outbox messages no retry can publish (too large, invalid topic, ...), marked failed",
    ["topic", "error"],
)
PUBLISH_RETRIES = Counter("pasi_publish_retries_total", "Publish attempts that failed and were retried", ["error"])
DB_RETRIES = Counter("pasi_db_retries_total", "Database transactions retried after a transient error")
REGISTRY_WAITS = Counter(
    "pasi_schema_registry_waits_total", "Attempts to reach the schema registry that failed and will be tried again"
)
REGISTRY_UNAVAILABLE = Gauge(
    "pasi_schema_registry_unavailable", "1 while records or outputs wait for a schema registry that does not answer"
)
OUTBOX_BACKLOG = Gauge("pasi_outbox_backlog", "Outbox messages not yet published")
CONSUMER_LAG = Gauge(
    "pasi_consumer_lag", "Records between the consumer position and the partition end", ["topic", "partition"]
)
BATCH_DURATION = Histogram(
    "pasi_batch_duration_seconds",
    "Time to process one batch (load, rules, commit)",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
BATCH_SIZE = Histogram("pasi_batch_events", "Events per batch", buckets=(1, 10, 50, 100, 250, 500, 1000, 2500))
PAUSED = Gauge("pasi_consumption_paused", "1 while consumption is paused because the outbox backlog is over its limit")
PAUSES = Counter(
    "pasi_consumption_pauses_total",
    "Times consumption was paused: a partition whose buffer is full (partition_buffer) or all of them (outbox_backlog)",
    ["reason"],
)
EOY_CLOSED = Counter("pasi_eoy_enrolments_closed_total", "Concurrent enrolments closed by End of Year")
CHECKS_FAILED = Counter(
    "pasi_checks_failed_total",
    "Deadline checks (R7, R9, R10) and End-of-Year students that raised an error and were set aside, logged",
    ["kind"],
)
RELAY_RESTARTS = Counter(
    "pasi_relay_restarts_total", "Times the outbox relay's child process died and was started again"
)
