"""What the console's health and dead-letter pages read: lag, outbox backlog, End-of-Year runs, dead letters."""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.engine import Connection

from consumer.config.settings import Settings
from consumer.domain.model import ACTIVE, CONCURRENT
from consumer.store import tables as t

STALE_AFTER_S = 60  # a partition's status older than this: its consumer has stopped or lost it


@dataclass(frozen=True)
class RunProgress:
    run: object  # the eoy_runs row
    remaining: int | None  # students still to close, for a running run

    @property
    def percent(self) -> int:
        if self.run.status != "RUNNING":
            return 100
        done, left = self.run.closed_count, self.remaining or 0
        return 100 if done + left == 0 else int(100 * done / (done + left))


@dataclass
class Health:
    now: datetime
    partitions: list = field(default_factory=list)
    backlog: int = 0
    oldest_pending_at: datetime | None = None
    last_sent_at: datetime | None = None
    runs: list[RunProgress] = field(default_factory=list)

    @property
    def last_batch_at(self) -> datetime | None:
        return max((p.last_batch_at for p in self.partitions if p.last_batch_at), default=None)

    @property
    def total_lag(self) -> int:
        return sum(p.lag for p in self.partitions)

    def stale(self, row) -> bool:
        return (self.now - row.updated_at).total_seconds() > STALE_AFTER_S


def health(connection: Connection) -> Health:
    found = Health(now=datetime.now(UTC))
    s, o = t.consumer_status.c, t.outbox.c
    found.partitions = connection.execute(select(t.consumer_status).order_by(s.topic, s.partition)).all()
    pending = o.sent_at.is_(None)
    found.backlog = connection.execute(select(func.count()).select_from(t.outbox).where(pending)).scalar_one()
    # the oldest unsent row is the lowest id among them (the partial index on pending ids)
    found.oldest_pending_at = connection.execute(
        select(o.created_at).where(pending).order_by(o.id).limit(1)
    ).scalar()
    found.last_sent_at = connection.execute(select(func.max(o.sent_at))).scalar()
    r = t.eoy_runs.c
    runs = connection.execute(select(t.eoy_runs).order_by(r.started_at.desc()).limit(20)).all()
    found.runs = [RunProgress(run, _remaining(connection, run) if run.status == "RUNNING" else None) for run in runs]
    return found


def _remaining(connection: Connection, run) -> int:
    """Students with an active concurrent enrolment in the run's scope after its cursor (the bulk of its work)."""
    e = t.enrolments.c
    query = select(func.count(func.distinct(e.asn))).where(
        e.kind == CONCURRENT, e.status == ACTIVE, e.asn > run.cursor_asn
    )
    if run.school_codes:
        scope = sorted(run.school_codes)
        query = query.where(or_(e.school_code.in_(scope), e.home_school_code.in_(scope)))
    return connection.execute(query).scalar_one()


@dataclass(frozen=True)
class DeadLetterTopic:
    input_topic: str
    topic: str
    count: int
    last_failed_at: datetime | None


def dead_letter_topics(connection: Connection, settings: Settings) -> list[DeadLetterTopic]:
    d = t.dead_letters.c
    counts = {
        row.topic: row
        for row in connection.execute(
            select(d.topic, func.count().label("count"), func.max(d.failed_at).label("last")).group_by(d.topic)
        )
    }
    found = []
    for topic in settings.input_topics:
        dlq = settings.dead_letter_topic(topic)
        row = counts.get(dlq)
        found.append(DeadLetterTopic(topic, dlq, row.count if row else 0, row.last if row else None))
    return found


def dead_letter_reasons(connection: Connection, dlq_topic: str, limit: int = 20) -> list:
    """(error class, message, count, last failed at) of a dead-letter topic, the commonest first."""
    d = t.dead_letters.c
    return connection.execute(
        select(d.error_class, d.error_message, func.count().label("count"), func.max(d.failed_at).label("last"))
        .where(d.topic == dlq_topic)
        .group_by(d.error_class, d.error_message)
        .order_by(func.count().desc(), d.error_class)
        .limit(limit)
    ).all()
