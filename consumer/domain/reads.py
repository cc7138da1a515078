"""What a batch reads from the store: the kinds of stored facts the rules declare they read (`Read`), and
the keys its events name (`LoadRequest`). The loader runs a query only for a kind some triggered rule reads."""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from schemas.events import (
    ConcurrentEnrolmentStarted,
    CourseEnrolled,
    EventBase,
    SchoolTermsConfigured,
    SectionScheduled,
    StoredGradePosted,
)
from schemas.term_closed import TermClosed


@dataclass(frozen=True)
class Read:
    """A kind of stored fact; `course_type` narrows the rows read to that course type (None: every type)."""

    name: str
    course_type: str | None = None

    def of_type(self, course_type: str) -> "Read":
        return replace(self, course_type=course_type)


Reads = frozenset[Read]

#: The students' enrolments, primary and concurrent (students: those the events name, those of due deadlines,
#: those of the alerts COURSE_ALERTS finds).
ENROLMENTS = Read("enrolments")
#: The students' course enrolments.
COURSE_ENROLMENTS = Read("course_enrolments")
#: The students' stored grades, of every course type unless narrowed with `of_type`.
GRADES = Read("stored_grades")
#: The students' R7 transfers.
TRANSFERS = Read("transfers")
#: Every alert of the students.
STUDENT_ALERTS = Read("student_alerts")
#: The term setups of the schools the batch names: the events' schools, the home schools they name, the schools
#: the students' enrolments and transfers name, and the schools ACTIVE_PAIRS finds.
SCHOOL_TERMS = Read("school_terms")
#: The sections of the courses the events name, of the students' challenge (CHA) course enrolments, and of the
#: challenge-course alerts loaded.
SECTIONS = Read("sections")
#: SCHOOL_SETUP_MISMATCH alerts of the schools a ConcurrentEnrolmentStarted or SchoolTermsConfigured names, and of
#: the schools ACTIVE_PAIRS finds.
SETUP_ALERTS = Read("setup_alerts")
#: Raised TERM_ID_MISMATCH alerts whose home school and year a SchoolTermsConfigured configures.
TERM_ALERTS = Read("term_alerts")
#: Raised CHALLENGE_COURSE_INCOMPLETE alerts of the course a SectionScheduled schedules at its school; their
#: students are read as the batch's students.
COURSE_ALERTS = Read("course_alerts")
#: How many active concurrent enrolments each (home, school) pair has, for pairs involving a configured school.
ACTIVE_PAIRS = Read("active_pairs")


def reads(*kinds: Read) -> Reads:
    return frozenset(kinds)


def course_types(declared: Reads, kind: Read) -> frozenset[str] | None:
    """The course types of `kind` that `declared` covers: None for every type, empty when `kind` is not read."""
    narrowed = set()
    for read in declared:
        if read.name == kind.name:
            if read.course_type is None:
                return None
            narrowed.add(read.course_type)
    return frozenset(narrowed)


@dataclass
class LoadRequest:
    """What a batch touches (the keys its events name) and which kinds of facts its rules read."""

    reads: Reads | None = None  # None: every kind any rule reads
    asns: set[str] = field(default_factory=set)
    schools: set[str] = field(default_factory=set)
    configured: set[tuple[str, int]] = field(default_factory=set)  # SchoolTermsConfigured (school, year)
    scheduled: set[tuple[str, str]] = field(default_factory=set)  # SectionScheduled (school, course)
    courses: set[tuple[str, str]] = field(default_factory=set)  # (school, course) whose sections matter
    setup_schools: set[str] = field(default_factory=set)  # schools whose R2 alerts matter
    deadline_horizon: datetime | None = None
    partitions: set[int] | None = None  # deadlines of these input partitions only (None: all)
    # the (topic, partition)s whose event time this process has seen: the watermark is theirs (None: all)
    owned: set[tuple[str, int]] | None = None
    deadlines: bool = True  # load the deadlines due by the horizon

    def name(self, messages: Iterable[EventBase | TermClosed]) -> None:
        """Add the keys `messages` name; a broadcast only moves the horizon (its run loads its own students)."""
        for message in messages:
            horizon = self.deadline_horizon
            self.deadline_horizon = message.occurred_at if horizon is None else max(horizon, message.occurred_at)
            if isinstance(message, TermClosed):
                continue
            self.schools.add(message.school_code)
            if isinstance(message, SchoolTermsConfigured):
                self.configured.add((message.school_code, message.payload.school_year_id))
            elif isinstance(message, SectionScheduled):
                self.scheduled.add((message.school_code, message.payload.course_code))
                self.courses.add((message.school_code, message.payload.course_code))
            elif message.asn is not None:
                self.asns.add(message.asn)
            if isinstance(message, ConcurrentEnrolmentStarted):
                self.schools.add(message.payload.home_school_code)
                self.setup_schools.add(message.school_code)
            elif isinstance(message, CourseEnrolled | StoredGradePosted):
                self.courses.add((message.school_code, message.payload.course_code))
