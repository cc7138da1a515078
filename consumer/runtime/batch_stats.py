"""What a batch (or an End-of-Year chunk) did: events handled, re-deliveries, dead letters, alerts, syncs."""

from collections import Counter
from dataclasses import dataclass, field

from consumer.domain.outputs import Output
from consumer.runtime import metrics
from schemas.outputs import CoreAlert


@dataclass
class BatchStats:
    processed: Counter = field(default_factory=Counter)
    duplicates: Counter = field(default_factory=Counter)
    dead_letters: Counter = field(default_factory=Counter)
    alerts: Counter = field(default_factory=Counter)
    syncs: Counter = field(default_factory=Counter)
    runs_started: int = 0
    handled: int = 0  # records of the batch applied (the rest waits for an End-of-Year run to finish)

    def count_outputs(self, outputs: list[Output]) -> None:
        """Alerts by (code, status) and syncs by action."""
        for output in outputs:
            if isinstance(output.message, CoreAlert):
                self.alerts[(output.message.code, output.message.status)] += 1
            else:
                self.syncs[output.message.action] += 1

    def add(self, other: "BatchStats") -> None:
        for name in ("processed", "duplicates", "dead_letters", "alerts", "syncs"):
            getattr(self, name).update(getattr(other, name))
        self.runs_started += other.runs_started
        self.handled += other.handled


def record_metrics(stats: BatchStats) -> None:
    """Add a batch's (or chunk's) numbers to the Prometheus counters; called once per transaction applied."""
    for event_type, n in stats.processed.items():
        metrics.EVENTS_PROCESSED.labels(event_type).inc(n)
    for topic, n in stats.duplicates.items():
        metrics.EVENTS_DUPLICATE.labels(topic).inc(n)
    for (topic, reason), n in stats.dead_letters.items():
        metrics.EVENTS_DEAD_LETTERED.labels(topic, reason).inc(n)
    for (code, status), n in stats.alerts.items():
        metrics.ALERTS.labels(code, status).inc(n)
    for action, n in stats.syncs.items():
        metrics.SYNCS.labels(action).inc(n)


