"""The state a batch works on: loaded from the store, changed by applying decisions, changes tracked."""

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from consumer.domain import decisions as d
from consumer.domain.deadlines import Deadlines
from consumer.domain.model import (
    ACTIVE,
    CONCURRENT,
    RAISED,
    RESOLVED,
    Alert,
    CourseEnrolment,
    Deadline,
    Enrolment,
    SchoolTerms,
    Section,
    StoredGrade,
    Transfer,
)
from consumer.domain.outputs import Output, alert_output, sync_output

#: A stored fact, as the state holds it and the store keeps it.
Record = Enrolment | CourseEnrolment | StoredGrade | SchoolTerms | Section | Alert | Transfer | Deadline


@dataclass(frozen=True)
class Cause:
    """The event (or deadline) being handled: outputs carry its id and its time."""

    event_id: str
    occurred_at: datetime
    partition: int | None = None  # input partition of the event; deadlines it sets belong there


class State:
    def __init__(self, watermark: datetime | None = None):
        self.enrolments: dict[str, dict[tuple[str, str], Enrolment]] = defaultdict(dict)
        self.course_enrolments: dict[str, dict[tuple[str, str, str, date], CourseEnrolment]] = defaultdict(dict)
        self.grades: dict[str, dict[tuple[str, str, int], StoredGrade]] = defaultdict(dict)
        self.transfers: dict[str, dict[tuple[str, date], Transfer]] = defaultdict(dict)
        self.school_terms: dict[tuple[str, int], SchoolTerms] = {}
        self.sections: dict[tuple[str, str, str, int], Section] = {}
        self.alerts: dict[str, Alert] = {}
        self.deadlines = Deadlines()
        self.pair_counts: dict[tuple[str, str], int] = {}  # active concurrent (home, school) counts as stored
        self.loaded_pairs: dict[tuple[str, str, str], tuple[str, str] | None] = {}
        self.watermark = watermark
        self.changes: dict[str, dict[Any, Record | None]] = defaultdict(dict)  # by table, then key; None: deleted
        self.originals: dict[str, dict[Any, Record | None]] = defaultdict(dict)  # changed keys' rows before
        self.outputs: list[Output] = []
        self.ignored: list[tuple[str, str]] = []  # (event id, why it changed nothing), for the log
        self.failed_deadlines: list[tuple[Deadline, str]] = []  # checks that raised, with the error
        self.cause: Cause | None = None

    # Loading (by the store) -------------------------------------------------------------
    def load(self, rows: Iterable[Record]) -> None:
        for row in rows:
            self._put(row, track=False)
            if isinstance(row, Enrolment):
                self.loaded_pairs[row.key] = _pair(row)

    # Queries ------------------------------------------------------------------------------
    def enrolments_of(self, asn: str) -> list[Enrolment]:
        return list(self.enrolments.get(asn, {}).values())

    def enrolment(self, asn: str, school_code: str, kind: str) -> Enrolment | None:
        return self.enrolments.get(asn, {}).get((school_code, kind))

    def course_enrolments_of(self, asn: str) -> list[CourseEnrolment]:
        return list(self.course_enrolments.get(asn, {}).values())

    def course_enrolments_at(self, asn: str, school_code: str, course: str, section_id: str) -> list[CourseEnrolment]:
        """The student's enrolments in one course section at one school, oldest entry first."""
        found = [
            ce
            for ce in self.course_enrolments.get(asn, {}).values()
            if (ce.school_code, ce.course_code, ce.section_id) == (school_code, course, section_id)
        ]
        return sorted(found, key=lambda ce: ce.entry_date)

    def grades_of(self, asn: str) -> list[StoredGrade]:
        return list(self.grades.get(asn, {}).values())

    def transfers_of(self, asn: str) -> list[Transfer]:
        return list(self.transfers.get(asn, {}).values())

    def terms(self, school_code: str, school_year_id: int) -> SchoolTerms | None:
        return self.school_terms.get((school_code, school_year_id))

    def section(self, school_code: str, course_code: str, section_id: str, school_year_id: int) -> Section | None:
        return self.sections.get((school_code, course_code, section_id, school_year_id))

    def alert(self, alert_key: str) -> Alert | None:
        return self.alerts.get(alert_key)

    def raised_alerts(self, code: str, **match: object) -> list[Alert]:
        """Raised alerts with this code whose fields equal `match`, in id order."""
        found = [
            a
            for a in self.alerts.values()
            if a.code == code and a.status == RAISED and all(getattr(a, k) == v for k, v in match.items())
        ]
        return sorted(found, key=lambda a: a.alert_key)

    def due_deadlines(self) -> list[Deadline]:
        return [] if self.watermark is None else self.deadlines.due(self.watermark)

    def active_pairs_involving(self, school_code: str) -> list[tuple[str, str]]:
        """(home, school) pairs with an active concurrent enrolment where either is `school_code`."""
        counts = {p: c for p, c in self.pair_counts.items() if school_code in p}
        for key in self.changes.get("enrolments", {}):
            before = self.loaded_pairs.get(key)
            asn, school, kind = key
            current = self.enrolment(asn, school, kind)
            after = _pair(current) if current else None
            for pair, step in ((before, -1), (after, 1)):
                if pair and school_code in pair:
                    counts[pair] = counts.get(pair, 0) + step
        return sorted(p for p, c in counts.items() if c > 0)

    # Applying decisions -----------------------------------------------------------------
    def apply(self, decisions: Iterable[d.Decision]) -> None:
        for decision in decisions:
            self._apply(decision)

    def _apply(self, decision: d.Decision) -> None:
        match decision:
            case d.SaveEnrolment(row) | d.SaveCourseEnrolment(row) | d.SaveStoredGrade(row) | d.SaveSchoolTerms(
                row
            ) | d.SaveSection(row) | d.SaveTransfer(row) | d.SetDeadline(row):
                self._put(row)
            case d.PurgeEnrolment(key):
                asn, school, kind = key
                if (removed := self.enrolments.get(asn, {}).pop((school, kind), None)) is not None:
                    self.originals["enrolments"].setdefault(key, removed)
                    self.changes["enrolments"][key] = None
            case d.CompleteDeadline(deadline_id):
                if (removed_deadline := self.deadlines.pop(deadline_id, None)) is not None:
                    self.originals["deadlines"].setdefault(deadline_id, removed_deadline)
                    self.changes["deadlines"][deadline_id] = None
            case d.RaiseAlert():
                self._raise(decision)
            case d.ResolveAlert(alert_key, note):
                self._resolve(alert_key, note)
            case d.SendExitDate():
                self.outputs.append(sync_output(decision, self._cause()))
            case d.Ignore(reason):
                self.ignored.append((self._cause().event_id, reason))
            case _:
                raise TypeError(f"unknown decision {decision!r}")

    def _raise(self, spec: d.RaiseAlert) -> None:
        existing = self.alerts.get(spec.alert_key)
        if existing is not None and existing.status == RAISED:
            return
        cause = self._cause()
        occurrence = (existing.occurrence + 1) if existing else 1
        alert = Alert(
            alert_key=spec.alert_key,
            alert_id=d.occurrence_id(spec.alert_key, occurrence),
            rule=spec.rule,
            code=spec.code,
            category=spec.category,
            alert_type=spec.alert_type,
            status=RAISED,
            school_code=spec.school_code,
            subject=spec.subject,
            message=spec.message,
            asn=spec.asn,
            home_school_code=spec.home_school_code,
            school_year_id=spec.school_year_id,
            details=dict(spec.details),
            occurrence=occurrence,
            source_event_id=cause.event_id,
            occurred_at=cause.occurred_at,
        )
        self._put(alert)
        self.outputs.append(alert_output(alert))

    def _resolve(self, alert_key: str, note: str) -> None:
        existing = self.alerts.get(alert_key)
        if existing is None or existing.status != RAISED:
            return
        cause = self._cause()
        details = dict(existing.details) | ({"resolution": note} if note else {})
        alert = dataclasses.replace(
            existing,
            status=RESOLVED,
            details=details,
            source_event_id=cause.event_id,
            occurred_at=cause.occurred_at,
        )
        self._put(alert)
        self.outputs.append(alert_output(alert))

    def _cause(self) -> Cause:
        if self.cause is None:
            raise RuntimeError("decisions that emit messages need a cause")
        return self.cause

    def _put(self, row: Record, track: bool = True) -> None:
        rows, key = self._slot(row)
        if track:
            table, row_key = _TABLE[type(row)], row.key
            self.originals[table].setdefault(row_key, rows.get(key))
            self.changes[table][row_key] = row
        rows[key] = row

    def _slot(self, row: Record) -> tuple[dict[Any, Any], Any]:
        """The dictionary that holds `row` and its key there."""
        if isinstance(row, Enrolment):
            return self.enrolments[row.asn], (row.school_code, row.kind)
        if isinstance(row, CourseEnrolment):
            return self.course_enrolments[row.asn], row.key[1:]
        if isinstance(row, StoredGrade):
            return self.grades[row.asn], row.key[1:]
        if isinstance(row, Transfer):
            return self.transfers[row.asn], row.key[1:]
        if isinstance(row, SchoolTerms):
            return self.school_terms, row.key
        if isinstance(row, Section):
            return self.sections, row.key
        if isinstance(row, Alert):
            return self.alerts, row.key
        return self.deadlines, row.key


_TABLE: dict[type[Record], str] = {
    Enrolment: "enrolments",
    CourseEnrolment: "course_enrolments",
    StoredGrade: "stored_grades",
    SchoolTerms: "school_terms",
    Section: "sections",
    Alert: "alerts",
    Transfer: "transfers",
    Deadline: "deadlines",
}


def _pair(enrolment: Enrolment) -> tuple[str, str] | None:
    if enrolment.kind == CONCURRENT and enrolment.status == ACTIVE and enrolment.home_school_code:
        return (enrolment.home_school_code, enrolment.school_code)
    return None
