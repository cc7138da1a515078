"""Running End of Year: closes students chunk by chunk, each chunk one transaction, resumable after a crash."""

import threading
import time
from collections import Counter

import structlog
from sqlalchemy.engine import Connection

from consumer.domain.outputs import Output, sync_output
from consumer.domain.policy import Policy
from consumer.domain.rules import close_student_for_year, reads_for
from consumer.domain.rules.r04_end_of_year import closes, closing_changes, exit_sync
from consumer.domain.state import Cause
from consumer.redaction import describe_error
from consumer.runtime import metrics
from consumer.runtime.batch_stats import BatchStats, record_metrics
from consumer.runtime.encoder import OutputEncoder
from consumer.store import end_of_year as runs
from consumer.store import loader, writer
from consumer.store.database import Database, Interrupted, transient
from consumer.store.outbox import OutboxStore

log = structlog.get_logger(__name__)

YEAR_END_READS = reads_for(["TermClosed"])  # what the End-of-Year rules (R4, R3, R8, R9) read


class EndOfYearRunner:
    def __init__(self, database: Database, policy: Policy, encoder: OutputEncoder, chunk_size: int = 2_000):
        self.database = database
        self.policy = policy
        self.encoder = encoder
        self.chunk_size = chunk_size
        self.on_chunk = lambda: None  # e.g. wake the outbox relay
        self.outbox = OutboxStore(database)
        self.lead_chunks = 2  # how many chunks of unsent outbox rows End of Year may run ahead of the relay
        self.stall_s = 1.0  # how long a relay that sends nothing is waited for
        self._stalled_at: int | None = None
        self.judge_every_student = False  # every student through the rules on loaded state (tests compare)
        self.students = Counter()  # students closed, by path: "set-based" or "rules"

    def run_pending(self, stop: threading.Event | None = None) -> int:
        """Work through every unfinished run; returns how many enrolments were closed."""
        closed = 0
        while stop is None or not stop.is_set():
            try:
                step = self.database.run(self._step)
            except Exception as exc:
                if transient(exc) or isinstance(exc, Interrupted):
                    raise
                step = self._step_student_by_student(exc)
            if step is None:
                return closed
            closed += step.syncs.get("EXIT", 0)
            record_metrics(step)
            metrics.EOY_CLOSED.inc(step.syncs.get("EXIT", 0))
            self.on_chunk()
            self._keep_pace_with_relay(stop)
        return closed

    def unfinished(self) -> bool:
        """A run is recorded and not finished (one stopped midway, or another process's)."""
        with self.database.engine.connect() as connection:
            return runs.next_running(connection) is not None

    def _keep_pace_with_relay(self, stop: threading.Event | None) -> None:
        """Wait while the outbox holds more than `lead_chunks` chunks and the relay is sending them.

        Chunks back to back kept the relay from marking rows sent (SQLite has one writer, and the
        next chunk always took the lock first): closing 100,000 students, 4,000 syncs were out when
        the last chunk committed and the outbox held 96,000 rows, over OUTBOX_BACKLOG_LIMIT, so the
        consumer then paused until they drained. Waiting keeps the backlog to a few chunks and the
        syncs flowing while End of Year runs. A relay that makes no progress for `stall_s` (broker
        away) is not waited for again until it does: End of Year never stalls on the broker.
        """
        limit = self.lead_chunks * self.chunk_size
        backlog = self.outbox.backlog()
        if self._stalled_at is not None:
            if backlog >= self._stalled_at:
                return
            self._stalled_at = None
        progressed = time.monotonic()
        stop = stop or threading.Event()
        while backlog > limit and not stop.wait(0.02):  # a relay round (a chunk's rows) takes a few hundred ms
            now, before, backlog = time.monotonic(), backlog, self.outbox.backlog()
            if backlog < before:
                progressed = now
            elif now - progressed > self.stall_s:
                self._stalled_at = backlog
                log.warning("end of year: the outbox relay is not keeping up; carrying on", backlog=backlog)
                return

    def _step(self, connection: Connection) -> BatchStats | None:
        """One chunk of the oldest unfinished run; None when no run is left."""
        run = runs.next_running(connection)
        if run is None:
            return None
        asns = runs.candidate_asns(connection, run, self.chunk_size)
        if not asns:
            runs.finish(connection, run)
            log.info("end of year finished", run_id=run.run_id, closed=run.closed_count)
            return BatchStats()
        return self._close(connection, run, asns)

    def _step_student_by_student(self, error: Exception) -> BatchStats | None:
        """A chunk failed with an error that retrying cannot cure: its students one transaction each, so that
        a student the rules or the database cannot take is set aside (logged, counted), not the whole run."""
        log.warning("end of year: a chunk failed; closing its students one by one", error=describe_error(error))

        def chunk(connection: Connection):
            run = runs.next_running(connection)
            return run, [] if run is None else runs.candidate_asns(connection, run, self.chunk_size)

        run, asns = self.database.run(chunk)
        if run is None:
            return None
        stats = BatchStats()
        for asn in asns:
            try:
                stats.add(self.database.run(lambda connection, one=asn: self._close(connection, run, [one])))
            except Exception as exc:
                if transient(exc) or isinstance(exc, Interrupted):
                    raise
                self.database.run(lambda connection, one=asn: runs.advance(connection, run, one, 0))
                metrics.CHECKS_FAILED.labels("END_OF_YEAR").inc()
                log.error("end of year: a student could not be closed and was set aside", run_id=run.run_id,
                          asn=asn, error=describe_error(exc))
        return stats

    def _close(self, connection: Connection, run, asns: list[str]) -> BatchStats:
        """R4 and R3 for `asns` (in order) of `run`, then the run's cursor moved past them.

        A student whose closing is R4 alone (every active concurrent enrolment closes, no alert raised, no CHA
        course of the year) is closed set-based: enrolments read in one query and written in one statement,
        syncs encoded in bulk. The others go through the rules on loaded state (R3's marks, R8 and R9
        resolving). The outputs are those of the rules for every student, in the students' order.
        """
        judged = set(asns) if self.judge_every_student else runs.with_more_to_judge(connection, run, asns)
        closing = runs.active_concurrent(connection, [asn for asn in asns if asn not in judged])
        judged |= {enrolment.asn for enrolment in closing if not closes(run, enrolment)}
        self.students.update({"rules": len(judged), "set-based": len(asns) - len(judged)})
        cause = Cause(run.event_id, run.occurred_at)
        outputs: dict[str, list[Output]] = {}
        for enrolment in closing:
            if enrolment.asn not in judged:
                sync = sync_output(exit_sync(enrolment, run, self.policy), cause)
                outputs.setdefault(enrolment.asn, []).append(sync)
        runs.change_active_concurrent(connection, [asn for asn in asns if asn not in judged], closing_changes(run))
        if judged:
            request = loader.LoadRequest(asns=judged, deadlines=False, reads=YEAR_END_READS)
            state = loader.load_state(connection, request)
            for asn in (asn for asn in asns if asn in judged):
                start = len(state.outputs)
                close_student_for_year(state, asn, run, self.policy)
                outputs[asn] = state.outputs[start:]
            writer.save_state(connection, state)
        in_order = [output for asn in asns for output in outputs.get(asn, ())]
        stats = BatchStats()
        stats.count_outputs(in_order)
        writer.write_outbox(connection, [self.encoder.output(output) for output in in_order])
        runs.advance(connection, run, asns[-1], stats.syncs.get("EXIT", 0))
        return stats
