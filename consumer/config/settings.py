"""The service's settings: one class read from the environment and an optional `.env` file."""

from datetime import date, timedelta
from functools import cached_property
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from consumer.config import checks

SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]


class Settings(BaseSettings):
    """Every setting, its environment variable (the field name in capitals) and its default."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    # Broker
    kafka_bootstrap_servers: str | None = Field(
        None, description="Kafka bootstrap servers; unset means the embedded broker."
    )
    embedded_broker_host: str = Field("127.0.0.1", description="Address the embedded broker listens on.")
    embedded_broker_port: int = Field(9092, ge=1, le=65535, description="Port of the embedded broker.")
    kafka_client_id: str = Field("pasi-concurrent", description="Client id sent to the broker.")
    kafka_security_protocol: SecurityProtocol = Field(
        "PLAINTEXT",
        description=(
            "PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL (SASL_PLAINTEXT with PLAIN sends the password in clear:"
            " every command that connects warns)."
        ),
    )
    kafka_sasl_mechanism: SaslMechanism | None = Field(None, description="PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.")
    kafka_sasl_username: str | None = Field(None, description="SASL user name.")
    kafka_sasl_password: SecretStr | None = Field(None, description="SASL password.")
    kafka_ssl_cafile: Path | None = Field(None, description="CA bundle that signs the brokers' certificates.")
    kafka_ssl_certfile: Path | None = Field(None, description="Client certificate (PEM) for mutual TLS.")
    kafka_ssl_keyfile: Path | None = Field(None, description="Client private key (PEM) for mutual TLS.")
    kafka_ssl_password: SecretStr | None = Field(None, description="Password of the client private key.")
    kafka_request_timeout_ms: int = Field(15_000, ge=1_000, description="Broker request timeout.")
    kafka_delivery_timeout_ms: int = Field(
        30_000, ge=1_000, description="How long the producer tries one send before the publisher retries it."
    )
    kafka_connect_timeout_ms: int = Field(
        10_000, ge=100, description="How long a client tries to reach the brokers at start."
    )
    kafka_message_max_bytes: int = Field(
        1_048_588, ge=1_024, description="The brokers' largest record batch (their message.max.bytes)."
    )
    kafka_max_request_size: int = Field(
        1_048_576, ge=1_024, description="Largest request the producer sends; at most KAFKA_MESSAGE_MAX_BYTES."
    )
    kafka_max_partition_fetch_bytes: int = Field(
        1_048_588, ge=1_024, description="Data fetched per partition; at least KAFKA_MESSAGE_MAX_BYTES."
    )
    kafka_fetch_max_bytes: int = Field(
        52_428_800, ge=1_024, description="Data fetched per request; at least KAFKA_MAX_PARTITION_FETCH_BYTES."
    )
    schema_registry_url: str | None = Field(
        None, description="Confluent schema registry; unset means single-object encoding."
    )
    schema_registry_timeout_s: float = Field(5.0, gt=0, description="Longest time a schema registry request may take.")
    schema_registry_retry_max_s: float = Field(
        30.0, gt=0,
        description=(
            "Longest wait between attempts to reach a schema registry that does not answer; meanwhile the"
            " partitions whose records need it wait (nothing is dead-lettered for it)."
        ),
    )

    # Topics
    topic_enrollment_changed: str = Field("enrollment-changed", description="Input topic of SIS events.")
    topic_term_closed: str = Field("term-closed", description="Input topic of End-of-Year broadcasts.")
    topic_core_alerts: str = Field("core-alerts", description="Output topic of Core Alerts.")
    topic_pasi_exit_date_sync: str = Field("pasi-exit-date-sync", description="Output topic of exit-date syncs.")
    dead_letter_suffix: str = Field(".dlq", description="Appended to an input topic's name for its dead letters.")
    partitions_enrollment_changed: int = Field(6, ge=1, description="Partitions when creating enrollment-changed.")
    partitions_term_closed: int = Field(1, ge=1, description="Partitions when creating term-closed.")
    partitions_output: int = Field(6, ge=1, description="Partitions when creating the output topics.")
    partitions_dead_letter: int = Field(1, ge=1, description="Partitions when creating dead-letter topics.")
    replication_factor: int = Field(1, ge=1, description="Replication factor when creating topics.")

    # Consumer
    consumer_group: str = Field("pasi-concurrent", description="Consumer group of the service.")
    session_timeout_ms: int = Field(
        6_000, ge=1_000, description="Group session timeout (join and takeover time follow it)."
    )
    heartbeat_interval_ms: int = Field(1_000, ge=100, description="Group heartbeat interval.")
    max_poll_interval_ms: int = Field(
        300_000, ge=1_000, description="Longest pause between polls before leaving the group."
    )
    max_poll_records: int = Field(1_000, ge=1, description="Records fetched per poll; also the largest batch.")
    fetch_max_wait_ms: int = Field(100, ge=0, description="How long the broker may hold a fetch waiting for data.")
    alignment_wait_ms: int = Field(
        500, ge=0, description="How long to wait for a lagging partition before processing out of event-time order."
    )
    deadline_sweep_interval_ms: int = Field(
        1000, gt=0,
        description=(
            "While this process has read its partitions to their end: how often it fires their deadlines that"
            " the whole group's event time has passed."
        ),
    )
    partition_buffer_limit: int = Field(5_000, ge=10, description="Records buffered per partition before it is paused.")

    # State store
    state_db_url: str | None = Field(
        None, description="SQLAlchemy URL of the state store; unset means SQLite under VAR_DIR."
    )
    var_dir: Path = Field(Path("var"), description="Directory for SQLite state, the broker's log and pid files.")
    db_retry_seconds: float = Field(
        60.0, ge=0, description="How long transient database errors are retried (the service then waits on, not ready)."
    )
    db_lock_timeout_ms: int = Field(
        5_000, ge=100, description="How long a statement waits for a lock before it is logged and retried."
    )
    eoy_chunk_size: int = Field(2_000, ge=1, description="Students closed per End-of-Year transaction.")
    processed_events_retention_days: int = Field(
        60, ge=1, description="How long processed event ids are kept to recognise re-deliveries."
    )

    # Outbox and publishing
    outbox_batch_size: int = Field(2_000, ge=1, description="Outbox rows published per round.")
    outbox_backlog_limit: int = Field(50_000, ge=1, description="Unsent outbox rows above which consumption pauses.")
    outbox_retention_hours: float = Field(24.0, ge=0, description="How long sent outbox rows are kept.")
    publish_retry_initial_s: float = Field(0.2, gt=0, description="First back-off after a failed publish.")
    publish_retry_max_s: float = Field(10.0, gt=0, description="Longest back-off between publish attempts.")
    producer_linger_ms: int = Field(5, ge=0, description="Producer linger.")
    producer_compression: Literal["none", "gzip"] = Field("none", description="Producer compression.")
    shutdown_timeout_s: float = Field(30.0, ge=0, description="How long shutdown waits for the outbox to drain.")
    relay_mode: Literal["process", "thread", "external"] = Field(
        "process",
        description=(
            "process: `run` publishes the outbox from a child process it supervises (a second core); thread: from a"
            " thread of its own process (one core, or an in-memory SQLite store); external: not at all, a separate"
            " `pasi-concurrent relay` does."
        ),
    )
    relay_poll_s: float = Field(
        0.5, gt=0,
        description=(
            "How often an idle relay looks at the outbox when nothing wakes it: `run` wakes its own relay after each"
            " commit, PostgreSQL notifies a `pasi-concurrent relay`; a relay alone on SQLite relies on this."
        ),
    )
    relay_restart_max_s: float = Field(
        30.0, gt=0, description="Longest wait before a relay process that died is started again (doubling from 0.5 s)."
    )

    # Business rules
    policy_date: date = Field(date(2019, 1, 31), description="From this date exit codes are not sent to PASI.")
    eoy_exit_code: str = Field("10000", min_length=1, description="Exit code End of Year gives concurrent enrolments.")
    grace_period: timedelta = Field(
        timedelta(days=1), description="Time allowed for a transfer's follow-up steps (ISO 8601 duration or seconds)."
    )
    created_in_error_purge_days: int = Field(30, ge=0, description="Days before a cancelled enrolment is purged.")
    business_timezone: str = Field("America/Edmonton", description="Zone in which business dates (exit dates) begin.")

    # Operations
    metrics_port: int = Field(
        9464, ge=0, le=65535, description="Port of /metrics, /healthz, /readyz; 0 turns them off."
    )
    metrics_host: str = Field(
        "127.0.0.1", description="Address of the metrics endpoint (0.0.0.0: every interface, as in a container)."
    )
    metrics_max_connections: int = Field(8, ge=1, description="Connections the metrics endpoint serves at once.")
    readiness_failure_s: float = Field(
        30.0, gt=0, description="How long the database or the broker may fail before /readyz says not ready."
    )
    readiness_outbox_stall_s: float = Field(
        60.0, gt=0, description="How long the outbox may hold rows without sending one before /readyz says not ready."
    )
    readiness_unassigned_s: float = Field(
        60.0, gt=0, description="How long the consumer may have no partitions before /readyz says not ready."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", description="Log level.")
    log_format: Literal["auto", "json", "console"] = Field(
        "auto", description="auto: readable on a terminal, JSON otherwise."
    )
    log_mask_asn: bool = Field(True, description="Show only the last three digits of ASNs in logs.")

    # Console
    console_host: str = Field(
        "127.0.0.1", description="Address of `pasi-concurrent console`; any but loopback needs CONSOLE_TOKEN."
    )
    console_port: int = Field(8080, ge=1, le=65535, description="Port of `pasi-concurrent console`.")
    console_token: SecretStr | None = Field(
        None, description="Token the console asks for (bearer, or as the basic-auth password); unset: none asked."
    )

    @field_validator("business_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return checks.known_zone(value)

    @model_validator(mode="after")
    def _consistent(self):
        checks.security_is_complete(self)
        checks.size_limits_agree(self)
        return self

    @property
    def embedded(self) -> bool:
        return not self.kafka_bootstrap_servers

    @property
    def bootstrap_servers(self) -> str:
        return self.kafka_bootstrap_servers or f"{self.embedded_broker_host}:{self.embedded_broker_port}"

    @property
    def database_url(self) -> str:
        return self.state_db_url or f"sqlite:///{self.var_dir / 'state.db'}"

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.business_timezone)

    def dead_letter_topic(self, topic: str) -> str:
        return f"{topic}{self.dead_letter_suffix}"

    @property
    def input_topics(self) -> list[str]:
        return [self.topic_enrollment_changed, self.topic_term_closed]

    @property
    def output_topics(self) -> list[str]:
        return [self.topic_core_alerts, self.topic_pasi_exit_date_sync]

    def topic_record(self, topic: str) -> str | None:
        """The Avro record a topic carries, or None for topics that are not ours."""
        return {
            self.topic_enrollment_changed: "EnrollmentChanged",
            self.topic_term_closed: "TermClosed",
            self.topic_core_alerts: "CoreAlert",
            self.topic_pasi_exit_date_sync: "PasiExitDateSync",
        }.get(topic)

    def partitions_for(self, topic: str) -> int:
        if topic == self.topic_enrollment_changed:
            return self.partitions_enrollment_changed
        if topic == self.topic_term_closed:
            return self.partitions_term_closed
        if topic.endswith(self.dead_letter_suffix):
            return self.partitions_dead_letter
        return self.partitions_output

