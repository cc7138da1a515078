"""A realistic, deterministic school year of SIS events, for the demo and the benchmarks.

Home schools 1001-1003 share one term setup; the outreach school 2001 mirrors it and the online
school 2002 adds a term (3503) the homes lack. Students start at a home school, some concurrently
at 2001 or 2002; grades, challenge courses, withdrawals, transfers that continue at the concurrent
school, a cancellation and a concurrent enrolment without a home follow, then End of Year.
"""

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from schemas.events import EventBase, enrollment_changed
from schemas.term_closed import TermClosed

YEAR = 35  # 2025-26
HOMES = ("1001", "1002", "1003")
OUTREACH, ONLINE = "2001", "2002"
HOME_TERMS = (3500, 3501, 3502)
TERM_DATES = {
    3500: (date(2025, 9, 2), date(2026, 6, 26)),
    3501: (date(2025, 9, 2), date(2026, 1, 30)),
    3502: (date(2026, 2, 2), date(2026, 6, 26)),
    3503: (date(2026, 7, 2), date(2026, 7, 31)),
}
COURSES = ("MAT1", "ELA1", "SCI1", "SOC1", "PED1")


class SampleYear:
    """`courses_per_student` (home courses taken and graded) and `exit_share` (share of students who
    withdraw or transfer during the year) tune the mix: the defaults give the demo's year, about one
    output per twelve inputs; `courses_per_student=1, exit_share=0.9` gives about one per five."""

    def __init__(
        self,
        students: int = 50,
        seed: int = 2025,
        first_asn: int = 100_000_000,
        courses_per_student: int = 2,
        exit_share: float = 0.30,
    ):
        if not 0 <= courses_per_student <= len(COURSES):
            raise ValueError(f"courses_per_student must be between 0 and {len(COURSES)}")
        if not 0 <= exit_share <= 1:
            raise ValueError("exit_share must be between 0 and 1")
        self.students = students
        self.courses_per_student = courses_per_student
        self.exit_share = exit_share
        self.random = random.Random(seed)
        name = f"pasi-concurrent-sample/{seed}/{students}/{first_asn}"
        if (courses_per_student, exit_share) != (2, 0.30):  # another mix: other event ids
            name += f"/{courses_per_student}/{exit_share}"
        self.namespace = uuid.uuid5(uuid.NAMESPACE_URL, name)
        self.first_asn = first_asn
        self._serial = 0

    def _event(self, event_type: str, school: str, at: datetime, payload: dict, asn: str | None = None) -> EventBase:
        self._serial += 1
        return enrollment_changed.validate_python(
            {
                "event_id": str(uuid.uuid5(self.namespace, str(self._serial))),
                "event_type": event_type,
                "occurred_at": at,
                "source": "sample",
                "asn": asn,
                "school_code": school,
                "payload": payload,
            }
        )

    def events(self) -> list[EventBase]:
        """Every event of the year, in event-time order."""
        timed: list[EventBase] = list(self._school_setup())
        for n in range(self.students):
            timed += self._student(n)
        return sorted(timed, key=lambda e: (e.occurred_at, e.event_id))

    def end_of_year(self) -> TermClosed:
        return TermClosed(
            event_id=str(uuid.uuid5(self.namespace, "term-closed")),
            occurred_at=datetime(2026, 6, 30, 23, 0, tzinfo=UTC),
            run_id=f"eoy-{YEAR}-sample-{self.namespace.hex[:8]}",
            school_year_id=YEAR,
            closed_on=date(2026, 6, 30),
            school_codes=[],
        )

    def _school_setup(self) -> Iterator[EventBase]:
        at = datetime(2025, 8, 20, 15, 0, tzinfo=UTC)
        setups = {school: HOME_TERMS for school in HOMES + (OUTREACH,)} | {ONLINE: HOME_TERMS + (3503,)}
        for school, terms in setups.items():
            payload = {
                "school_year_id": YEAR,
                "is_summer_school": False,
                "terms": [
                    {
                        "term_id": t,
                        "abbreviation": f"T{t % 100}",
                        "first_day": TERM_DATES[t][0],
                        "last_day": TERM_DATES[t][1],
                    }
                    for t in terms
                ],
            }
            yield self._event("SchoolTermsConfigured", school, at, payload)
            for course in COURSES + ("CHA9",):
                if course == "CHA9" and school == ONLINE:
                    continue  # the online school never schedules its challenge section: R3 catches it
                yield self._event(
                    "SectionScheduled", school, at + timedelta(minutes=5),
                    {"course_code": course, "section_id": "1", "term_id": 3500},
                )

    def _student(self, n: int) -> list[EventBase]:
        r = self.random
        asn = f"{self.first_asn + n:09d}"
        home = HOMES[n % len(HOMES)]
        day = datetime(2025, 9, 2, 15, 0, tzinfo=UTC) + timedelta(minutes=n % 600)
        out = [self._event("PrimaryEnrolmentStarted", home, day, {"entry_date": date(2025, 9, 2), "grade": "10"}, asn)]
        for i, course in enumerate(r.sample(COURSES, self.courses_per_student)):
            out.append(self._course(asn, home, course, day + timedelta(minutes=i + 1)))
        role = r.random()
        concurrent = OUTREACH if role < 0.25 else ONLINE if role < 0.45 else None
        if n % 97 == 13:  # a concurrent enrolment with no home: R8
            out = []
            concurrent = OUTREACH
        if concurrent:
            start = day + timedelta(days=7)
            out.append(self._event(
                "ConcurrentEnrolmentStarted", concurrent, start,
                {"entry_date": start.date(), "grade": "10", "home_school_code": home}, asn,
            ))
            out.append(self._course(asn, concurrent, "SCI2", start + timedelta(minutes=1)))
            term = 3503 if concurrent == ONLINE and r.random() < 0.3 else 3501
            posted = datetime(2026, 2, 3, 16, 0, tzinfo=UTC) + timedelta(minutes=n % 600)
            out.append(self._grade(asn, concurrent, "SCI2", term, posted))
            if r.random() < 0.15:  # a challenge course at the concurrent school
                out.append(self._course(asn, concurrent, "CHA9", start + timedelta(minutes=2), course_type="CHA"))
                if concurrent == OUTREACH:
                    posted = datetime(2026, 5, 4, 16, 0, tzinfo=UTC)
                    out.append(self._grade(asn, concurrent, "CHA9", 3500, posted, "CHA"))
        for course in r.sample(COURSES, self.courses_per_student):
            posted = datetime(2026, 2, 2, 17, 0, tzinfo=UTC) + timedelta(minutes=n % 600)
            out.append(self._grade(asn, home, course, 3501, posted))
        fate = r.random()
        exit_at = datetime(2026, 3, 2, 16, 0, tzinfo=UTC) + timedelta(minutes=n % 600)
        if concurrent and home and fate < 0.12 and out[0].event_type == "PrimaryEnrolmentStarted":
            out += self._transfer(asn, home, concurrent, exit_at, well_done=fate > 0.03)
        elif fate < self.exit_share and out and out[0].event_type == "PrimaryEnrolmentStarted":
            out.append(self._exit(asn, home, "PRIMARY", exit_at.date(), "WITHDRAWN", exit_at))
        elif n % 89 == 7 and concurrent:
            out.append(self._event("EnrolmentCancelled", concurrent, exit_at, {"enrolment_kind": "CONCURRENT"}, asn))
        return out

    def _transfer(self, asn: str, home: str, school: str, at: datetime, well_done: bool) -> list[EventBase]:
        """R7: transfer out of the home school continuing at the concurrent school."""
        day = at.date()
        out = [
            self._exit(asn, home, "PRIMARY", day, "TRANSFER_OUT", at, continuing=school),
            self._event(
                "CourseExited", school, at + timedelta(minutes=1),
                {"course_code": "SCI2", "section_id": "1", "exit_date": day}, asn,
            ),
            self._exit(
                asn, school, "CONCURRENT", day if well_done else day + timedelta(days=1), "TRANSFER_OUT",
                at + timedelta(minutes=2),
            ),
        ]
        if well_done:
            reenrolled = {"entry_date": day, "grade": "10"}
            out.append(self._event("StudentReEnrolled", school, at + timedelta(minutes=3), reenrolled, asn))
            out.append(self._course(asn, school, "SCI2", at + timedelta(minutes=4), entry=day))
        return out

    def _exit(self, asn, school, kind, day, reason, at, continuing=None) -> EventBase:
        payload = {"enrolment_kind": kind, "exit_date": day, "exit_code": None, "reason": reason,
                   "continuing_at_school_code": continuing}
        return self._event("SchoolEnrolmentExited", school, at, payload, asn)

    def _course(self, asn, school, course, at, course_type="REG", entry=None) -> EventBase:
        payload = {"course_code": course, "section_id": "1", "term_id": 3500,
                   "entry_date": entry or at.date(), "course_type": course_type}
        return self._event("CourseEnrolled", school, at, payload, asn)

    def _grade(self, asn, school, course, term, at, course_type="REG") -> EventBase:
        payload = {"course_code": course, "section_id": "1", "term_id": term, "mark": str(self.random.randint(50, 99)),
                   "credits": 5, "course_type": course_type}
        return self._event("StoredGradePosted", school, at, payload, asn)
