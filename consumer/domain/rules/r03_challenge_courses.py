"""R3 challenge courses: a challenge course (CHA) taken away from home needs its section, course enrolment and
mark there; the alert resolves once all three exist."""

from dataclasses import dataclass

from consumer.domain import decisions as d
from consumer.domain.alerts import CHALLENGE_COURSE_INCOMPLETE
from consumer.domain.model import ACTIVE, CONCURRENT, PRIMARY
from consumer.domain.policy import Policy
from consumer.domain.reads import (
    COURSE_ALERTS,
    COURSE_ENROLMENTS,
    ENROLMENTS,
    GRADES,
    SECTIONS,
    STUDENT_ALERTS,
    reads,
)
from consumer.domain.rules.common import alert_key, is_home_school, raise_alert, resolve_if_raised
from consumer.domain.rules.end_of_year import YearEnd
from consumer.domain.state import State
from schemas.events import CourseEnrolled, SectionScheduled, StoredGradePosted

RULE_ID = "R3"
CHA = "CHA"
READS = reads(ENROLMENTS, COURSE_ENROLMENTS, GRADES.of_type(CHA), SECTIONS, STUDENT_ALERTS, COURSE_ALERTS)
FACTS = ("section", "course_enrolment", "mark")


@dataclass(frozen=True)
class ChallengeFacts:
    section_id: str | None
    section: bool
    course_enrolment: bool
    mark: bool

    def missing(self, required: tuple[str, ...] = FACTS) -> list[str]:
        return [fact for fact in FACTS if fact in required and not getattr(self, fact)]


def facts_at(
    state: State, asn: str, school: str, course: str, year: int, section_hint: str | None = None
) -> ChallengeFacts:
    """The student's CHA facts for `course` at `school` in school year `year` (a term's year is its id // 100)."""
    enrolments = [
        ce
        for ce in state.course_enrolments_of(asn)
        if (ce.school_code, ce.course_code, ce.course_type, ce.term_id // 100) == (school, course, CHA, year)
    ]
    enrolments.sort(key=lambda ce: (ce.section_id != section_hint, ce.section_id, ce.entry_date))
    enrolment = enrolments[0] if enrolments else None
    section_id = section_hint or (enrolment.section_id if enrolment else None)
    grades = [
        g
        for g in state.grades_of(asn)
        if (g.school_code, g.course_code, g.course_type, g.term_id // 100) == (school, course, CHA, year)
    ]
    return ChallengeFacts(
        section_id=section_id,
        section=section_id is not None and state.section(school, course, section_id, year) is not None,
        course_enrolment=enrolment is not None,
        mark=bool(grades),
    )


def _evaluate(
    state: State, asn: str, school: str, course: str, year: int, required: tuple[str, ...], hint: str | None, why: str
) -> list[d.Decision]:
    facts = facts_at(state, asn, school, course, year, hint)
    key = alert_key(CHALLENGE_COURSE_INCOMPLETE, RULE_ID, asn, school, course)
    if not facts.missing():
        raised = state.alert(key)
        if raised is None or raised.school_year_id != year:
            return []  # another year's alert is not completed by this year's facts
        return resolve_if_raised(state, key, "section, course enrolment and mark all exist")
    missing = facts.missing(required)
    if not missing:
        return []
    return [
        raise_alert(
            CHALLENGE_COURSE_INCOMPLETE,
            RULE_ID,
            asn=asn,
            school_code=school,
            home_school_code=_home_of(state, asn),
            school_year_id=year,
            subject=course,
            message=(
                f"Challenge course {course} taken at {school}, away from the home school, is missing "
                f"{', '.join(m.replace('_', ' ') for m in missing)} there for school year {year} ({why})"
            ),
            details={"course_code": course, "section_id": facts.section_id or "", "missing": ",".join(missing)},
        )
    ]


def _home_of(state: State, asn: str) -> str | None:
    homes = sorted(e.school_code for e in state.enrolments_of(asn) if e.kind == PRIMARY and e.status == ACTIVE)
    return homes[0] if homes else None


def check_course_enrolment(state: State, event: CourseEnrolled, policy: Policy) -> list[d.Decision]:
    """R3: a CHA course enrolment away from home needs its section scheduled at that school."""
    payload = event.payload
    if payload.course_type != CHA or is_home_school(state, event.asn, event.school_code):
        return []
    year = payload.term_id // 100
    return _evaluate(
        state, event.asn, event.school_code, payload.course_code, year, ("section",), payload.section_id,
        "course enrolled",
    )


def check_grade(state: State, event: StoredGradePosted, policy: Policy) -> list[d.Decision]:
    """R3: a CHA mark away from home needs the section and the course enrolment at that school."""
    payload = event.payload
    if payload.course_type != CHA or is_home_school(state, event.asn, event.school_code):
        return []
    return _evaluate(
        state,
        event.asn,
        event.school_code,
        payload.course_code,
        payload.term_id // 100,
        ("section", "course_enrolment"),
        payload.section_id,
        "mark posted",
    )


def recheck_for_section(state: State, event: SectionScheduled, policy: Policy) -> list[d.Decision]:
    """R3: a newly scheduled section may complete open challenge-course alerts of its year at that school."""
    payload = event.payload
    year = payload.term_id // 100
    decisions: list[d.Decision] = []
    code, school = CHALLENGE_COURSE_INCOMPLETE.code, event.school_code
    raised = state.raised_alerts(code, school_code=school, subject=payload.course_code, school_year_id=year)
    for alert in raised:
        if alert.asn is not None and not facts_at(state, alert.asn, alert.school_code, alert.subject, year).missing():
            decisions.append(d.ResolveAlert(alert.alert_key, "section, course enrolment and mark all exist"))
    return decisions


def check_at_year_end(state: State, closing: YearEnd, policy: Policy) -> list[d.Decision]:
    """R3: when the year's terms close, every CHA course enrolment of that year away from home needs its mark;
    scoped as R4, by the course's (concurrent) school or the student's home school."""
    asn, run = closing.asn, closing.run
    decisions: list[d.Decision] = []
    seen: set[tuple[str, str]] = set()
    for ce in sorted(state.course_enrolments_of(asn), key=lambda c: c.key):
        if ce.course_type != CHA or ce.term_id // 100 != run.school_year_id:
            continue
        if (ce.school_code, ce.course_code) in seen or is_home_school(state, asn, ce.school_code):
            continue
        if not run.in_scope(ce.school_code, *_homes_for(state, asn, ce.school_code)):
            continue
        seen.add((ce.school_code, ce.course_code))
        decisions += _evaluate(
            state, asn, ce.school_code, ce.course_code, run.school_year_id, ("mark",), ce.section_id, "terms closed"
        )
    return decisions


def _homes_for(state: State, asn: str, school: str) -> list[str]:
    """The student's home schools as R4 sees them: the concurrent enrolment's home, and any active primary."""
    concurrent = state.enrolment(asn, school, CONCURRENT)
    homes = [e.school_code for e in state.enrolments_of(asn) if e.kind == PRIMARY and e.status == ACTIVE]
    return homes + ([concurrent.home_school_code] if concurrent and concurrent.home_school_code else [])
