"""The state store's tables (SQLAlchemy Core); migrations under `migrations/` create and evolve them."""

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    text,
)

from consumer.store.columns import Id, UtcDateTime
from consumer.store.columns import metadata as metadata
from consumer.store.operations_tables import (  # on the same metadata, used as tables.<name>
    alert_events as alert_events,
)
from consumer.store.operations_tables import consumer_status as consumer_status
from consumer.store.operations_tables import dead_letters as dead_letters
from consumer.store.operations_tables import syncs as syncs
from schemas.types import MAX_TEXT_LENGTH

# Columns are sized from the contract, so that no valid message is too long for them.
TEXT = MAX_TEXT_LENGTH  # the contract's identifiers and texts (course codes, section ids, event ids, ...)
SUBJECT = len("YYYY-MM-DD/") + TEXT + 1 + TEXT  # the longest alert subject: R7's "<date>/<course>/<section>"
TOPIC = 249  # Kafka's longest topic name
PROCESSED_ID = len("dead-letter:") + TOPIC + len(":2147483647:9223372036854775807")  # a dead letter's position

school_terms = Table(
    "school_terms",
    metadata,
    Column("school_code", String(4), primary_key=True),
    Column("school_year_id", Integer, primary_key=True),
    Column("term_ids", JSON, nullable=False),
    Column("is_summer_school", Boolean, nullable=False),
    Column("source_event_id", String(TEXT), nullable=False),
    Column("misplaced_term_ids", JSON, nullable=False),  # configured for the year, but of another year
)

sections = Table(
    "sections",
    metadata,
    Column("school_code", String(4), primary_key=True),
    Column("course_code", String(TEXT), primary_key=True),
    Column("section_id", String(TEXT), primary_key=True),
    Column("school_year_id", Integer, primary_key=True),  # term_id // 100: each year's section is its own fact
    Column("term_id", Integer, nullable=False),
    Column("source_event_id", String(TEXT), nullable=False),
)

enrolments = Table(
    "enrolments",
    metadata,
    Column("asn", String(9), primary_key=True),
    Column("school_code", String(4), primary_key=True),
    Column("kind", String(10), primary_key=True),
    Column("home_school_code", String(4)),
    Column("entry_date", Date),
    Column("grade", String(TEXT)),
    Column("status", String(10), nullable=False),
    Column("exit_date", Date),
    Column("exit_code", String(TEXT)),
    Column("exit_reason", String(20)),
    Column("source_event_id", String(TEXT), nullable=False),
    Column("purge_after", UtcDateTime),
    Index("ix_enrolments_kind_status_asn", "kind", "status", "asn"),
    Index("ix_enrolments_home", "home_school_code", "kind", "status"),
    Index("ix_enrolments_school", "school_code", "kind", "status"),
)

course_enrolments = Table(
    "course_enrolments",
    metadata,
    Column("asn", String(9), primary_key=True),
    Column("school_code", String(4), primary_key=True),
    Column("course_code", String(TEXT), primary_key=True),
    Column("section_id", String(TEXT), primary_key=True),
    Column("entry_date", Date, primary_key=True),  # a re-enrolment in the same section is another row
    Column("term_id", Integer, nullable=False),
    Column("exit_date", Date),
    Column("course_type", String(TEXT), nullable=False),
    Column("source_event_id", String(TEXT), nullable=False),
    Index("ix_course_enrolments_type_term", "course_type", "term_id", "asn"),
)

stored_grades = Table(
    "stored_grades",
    metadata,
    Column("asn", String(9), primary_key=True),
    Column("school_code", String(4), primary_key=True),
    Column("course_code", String(TEXT), primary_key=True),
    Column("term_id", Integer, primary_key=True),
    Column("section_id", String(TEXT)),
    Column("mark", String(TEXT), nullable=False),
    Column("credits", Integer),
    Column("course_type", String(TEXT), nullable=False),
    Column("source_event_id", String(TEXT), nullable=False),
    Index("ix_stored_grades_asn_type", "asn", "course_type"),
)

alerts = Table(
    "alerts",
    metadata,
    Column("alert_key", String(36), primary_key=True),
    Column("alert_id", String(36), nullable=False),
    Column("rule", String(4), nullable=False),
    Column("code", String(64), nullable=False),
    Column("category", String(32), nullable=False),
    Column("alert_type", String(16), nullable=False),
    Column("status", String(10), nullable=False),
    Column("asn", String(9)),
    Column("school_code", String(4), nullable=False),
    Column("home_school_code", String(4)),
    Column("school_year_id", Integer),
    Column("subject", String(SUBJECT), nullable=False),
    Column("message", String(2000), nullable=False),
    Column("details", JSON, nullable=False),
    Column("occurrence", Integer, nullable=False),
    Column("source_event_id", String(TEXT), nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Index("ix_alerts_asn", "asn"),
    Index("ix_alerts_code_status", "code", "status"),
    Index("ix_alerts_home_status", "home_school_code", "status"),
    Index("ix_alerts_school_status", "school_code", "status"),
    Index("ix_alerts_time", "occurred_at", "alert_id"),  # time order with a tie-break: keyset pages
)

transfers = Table(
    "transfers",
    metadata,
    Column("asn", String(9), primary_key=True),
    Column("school_code", String(4), primary_key=True),
    Column("transfer_date", Date, primary_key=True),
    Column("from_school_code", String(4), nullable=False),
    Column("due_at", UtcDateTime, nullable=False),
    Column("concurrent_exit_date", Date),
    Column("reenrolled", Boolean, nullable=False),
    Column("checked", Boolean, nullable=False),
    Column("source_event_id", String(TEXT), nullable=False),
)

deadlines = Table(
    "deadlines",
    metadata,
    Column("deadline_id", String(36), primary_key=True),
    Column("due_at", UtcDateTime, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("asn", String(9), nullable=False),
    Column("school_code", String(4), nullable=False),
    Column("reference", String(TEXT), nullable=False),
    Column("source_event_id", String(TEXT), nullable=False),
    Column("partition", Integer),
    Index("ix_deadlines_due_at", "due_at"),
)

processed_events = Table(
    "processed_events",
    metadata,
    Column("event_id", String(PROCESSED_ID), primary_key=True),
    Column("processed_at", UtcDateTime, nullable=False),
    Column("fingerprint", String(64)),  # what the event said (records.InputRecord.fingerprint); None: not kept
)

watermarks = Table(
    "watermarks",
    metadata,
    Column("topic", String(TOPIC), primary_key=True),
    Column("partition", Integer, primary_key=True),
    Column("occurred_at", UtcDateTime, nullable=False),
)

eoy_runs = Table(
    "eoy_runs",
    metadata,
    Column("run_id", String(TEXT), primary_key=True),
    Column("event_id", String(TEXT), nullable=False),
    Column("school_year_id", Integer, nullable=False),
    Column("closed_on", Date, nullable=False),
    Column("school_codes", JSON, nullable=False),
    Column("exit_code", String(TEXT), nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("status", String(10), nullable=False),
    Column("cursor_asn", String(9), nullable=False),
    Column("closed_count", Integer, nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("topic", String(TOPIC), nullable=False),
    Column("key", LargeBinary),
    Column("value", LargeBinary, nullable=False),
    Column("headers", JSON, nullable=False),
    Column("message_id", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime),
    Column("failed_at", UtcDateTime),  # a publish error that no retry can fix; kept for the operator
    Column("error", String(2000)),
    Index(
        "ix_outbox_pending",
        "id",
        sqlite_where=text("sent_at IS NULL"),
        postgresql_where=text("sent_at IS NULL"),
    ),
    Index("ix_outbox_sent_at", "sent_at"),
)
