"""Running End of Year: closes students chunk by chunk, each chunk one transaction, resumable after a crash."""

import threading

import structlog
from sqlalchemy.engine import Connection

from consumer import metrics
from consumer.domain.policy import Policy
from consumer.domain.rules import close_student_for_year
from consumer.service import BatchStats, OutputEncoder, _count
from consumer.store import end_of_year as runs
from consumer.store import loader, writer
from consumer.store.database import Database

log = structlog.get_logger(__name__)


class EndOfYearRunner:
    def __init__(self, database: Database, policy: Policy, encoder: OutputEncoder, chunk_size: int = 2_000):
        self.database = database
        self.policy = policy
        self.encoder = encoder
        self.chunk_size = chunk_size
        self.on_chunk = lambda: None  # e.g. wake the outbox relay

    def run_pending(self, stop: threading.Event | None = None) -> int:
        """Work through every unfinished run; returns how many enrolments were closed."""
        closed = 0
        while stop is None or not stop.is_set():
            step = self.database.run(self._step)
            if step is None:
                return closed
            closed += step.syncs.get("EXIT", 0)
            _count(step)
            metrics.EOY_CLOSED.inc(step.syncs.get("EXIT", 0))
            self.on_chunk()
        return closed

    def _step(self, connection: Connection) -> BatchStats | None:
        """One chunk of the oldest unfinished run; None when no run is left."""
        run = runs.next_running(connection)
        if run is None:
            return None
        stats = BatchStats()
        asns = runs.candidate_asns(connection, run, self.chunk_size)
        if not asns:
            runs.finish(connection, run)
            log.info("end of year finished", run_id=run.run_id, closed=run.closed_count)
            return stats
        state = loader.load_state(connection, loader.LoadRequest(asns=set(asns), deadlines=False))
        for asn in asns:
            close_student_for_year(state, asn, run, self.policy)
        records = [self.encoder.output(output) for output in state.outputs]
        for output in state.outputs:
            if output.kind == "alert":
                stats.alerts[(output.message.code, output.message.status)] += 1
            else:
                stats.syncs[output.message.action] += 1
        writer.save_state(connection, state)
        writer.write_outbox(connection, records)
        runs.advance(connection, run, asns[-1], stats.syncs.get("EXIT", 0))
        return stats
