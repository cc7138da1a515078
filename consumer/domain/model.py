"""What the service remembers: enrolments, courses, grades, school setups, alerts, transfers, deadlines."""

from dataclasses import dataclass, field
from datetime import date, datetime

ACTIVE, EXITED, CANCELLED = "ACTIVE", "EXITED", "CANCELLED"
PRIMARY, CONCURRENT = "PRIMARY", "CONCURRENT"
RAISED, RESOLVED = "RAISED", "RESOLVED"


@dataclass(frozen=True)
class Enrolment:
    asn: str
    school_code: str
    kind: str  # PRIMARY or CONCURRENT
    entry_date: date | None  # None when an exit arrives for an enrolment never seen starting
    grade: str | None
    status: str = ACTIVE
    home_school_code: str | None = None  # concurrent enrolments only
    exit_date: date | None = None
    exit_code: str | None = None
    exit_reason: str | None = None
    source_event_id: str = ""
    purge_after: datetime | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.asn, self.school_code, self.kind)

    @property
    def active(self) -> bool:
        return self.status == ACTIVE

    def active_on(self, day: date) -> bool:
        """Enrolled on `day`: entered on or before it and not exited by it (exit dates are exclusive)."""
        if self.status == CANCELLED or (self.entry_date is not None and self.entry_date > day):
            return False
        return self.exit_date is None or day < self.exit_date


@dataclass(frozen=True)
class CourseEnrolment:
    """One enrolment in a course section from its entry date: a re-enrolment is another one."""

    asn: str
    school_code: str
    course_code: str
    section_id: str
    term_id: int
    entry_date: date
    course_type: str
    exit_date: date | None = None
    source_event_id: str = ""

    @property
    def key(self) -> tuple[str, str, str, str, date]:
        return (self.asn, self.school_code, self.course_code, self.section_id, self.entry_date)

    def open_on(self, day: date) -> bool:
        return self.entry_date <= day and (self.exit_date is None or self.exit_date > day)


@dataclass(frozen=True)
class StoredGrade:
    asn: str
    school_code: str
    course_code: str
    term_id: int
    mark: str
    course_type: str
    section_id: str | None = None
    credits: int | None = None
    source_event_id: str = ""

    @property
    def key(self) -> tuple[str, str, str, int]:
        return (self.asn, self.school_code, self.course_code, self.term_id)


@dataclass(frozen=True)
class SchoolTerms:
    """A school's setup for a year: `term_ids` are the year's own terms; a term configured for it whose id
    or end date belongs to another school year is kept apart in `misplaced_term_ids`."""

    school_code: str
    school_year_id: int
    term_ids: frozenset[int]
    is_summer_school: bool = False
    source_event_id: str = ""
    misplaced_term_ids: frozenset[int] = frozenset()

    @property
    def key(self) -> tuple[str, int]:
        return (self.school_code, self.school_year_id)


@dataclass(frozen=True)
class Section:
    """A course section scheduled at a school for a school year (its term's year)."""

    school_code: str
    course_code: str
    section_id: str
    term_id: int
    source_event_id: str = ""

    @property
    def school_year_id(self) -> int:
        return self.term_id // 100

    @property
    def key(self) -> tuple[str, str, str, int]:
        return (self.school_code, self.course_code, self.section_id, self.school_year_id)


@dataclass(frozen=True)
class Alert:
    """An alert's current occurrence: `alert_key` names the alert (rule, code, student, school, subject)
    across its occurrences; `alert_id` is this occurrence's id, the one published."""

    alert_key: str
    alert_id: str
    rule: str
    code: str
    category: str
    alert_type: str
    status: str
    school_code: str
    subject: str
    message: str
    asn: str | None = None
    home_school_code: str | None = None
    school_year_id: int | None = None
    details: dict[str, str] = field(default_factory=dict)
    occurrence: int = 1
    source_event_id: str = ""
    occurred_at: datetime | None = None

    @property
    def key(self) -> str:
        return self.alert_key


@dataclass(frozen=True)
class Transfer:
    """R7: a primary exit at `from_school_code` continuing at the concurrent school `school_code`."""

    asn: str
    school_code: str
    transfer_date: date
    from_school_code: str
    due_at: datetime
    source_event_id: str = ""
    concurrent_exit_date: date | None = None  # as observed at the concurrent school
    reenrolled: bool = False
    checked: bool = False  # the grace deadline has passed and the expectations were checked

    @property
    def key(self) -> tuple[str, str, date]:
        return (self.asn, self.school_code, self.transfer_date)


@dataclass(frozen=True)
class Deadline:
    """A check due at `due_at` in event time; `kind` names the rule that set it."""

    deadline_id: str
    due_at: datetime
    kind: str
    asn: str
    school_code: str
    reference: str  # what the check is about, e.g. the transfer date
    source_event_id: str = ""
    partition: int | None = None

    @property
    def key(self) -> str:
        return self.deadline_id


@dataclass(frozen=True)
class EndOfYearRun:
    run_id: str
    event_id: str
    school_year_id: int
    closed_on: date
    school_codes: frozenset[str]
    exit_code: str
    occurred_at: datetime
    status: str = "RUNNING"
    cursor_asn: str = ""
    closed_count: int = 0

    def in_scope(self, *school_codes: str | None) -> bool:
        return not self.school_codes or any(code in self.school_codes for code in school_codes)
