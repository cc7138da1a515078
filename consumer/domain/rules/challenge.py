"""R3: a challenge course (CHA) taken away from home needs its section, course enrolment and mark there."""

from dataclasses import dataclass

from consumer.domain import decisions as d
from consumer.domain.alerts import CHALLENGE_COURSE_INCOMPLETE
from consumer.domain.model import ACTIVE, PRIMARY, EndOfYearRun
from consumer.domain.policy import Policy
from consumer.domain.rules.common import alert_key, is_home_school, raise_alert, resolve_if_raised
from consumer.domain.state import State

CHA = "CHA"
FACTS = ("section", "course_enrolment", "mark")


@dataclass(frozen=True)
class ChallengeFacts:
    section_id: str | None
    section: bool
    course_enrolment: bool
    mark: bool
    term_id: int | None

    def missing(self, required: tuple[str, ...] = FACTS) -> list[str]:
        return [fact for fact in FACTS if fact in required and not getattr(self, fact)]


def facts_at(state: State, asn: str, school: str, course: str, section_hint: str | None = None) -> ChallengeFacts:
    enrolments = [
        ce
        for ce in state.course_enrolments_of(asn)
        if ce.school_code == school and ce.course_code == course and ce.course_type == CHA
    ]
    enrolments.sort(key=lambda ce: (ce.section_id != section_hint, ce.section_id))
    enrolment = enrolments[0] if enrolments else None
    section_id = section_hint or (enrolment.section_id if enrolment else None)
    grades = [
        g
        for g in state.grades_of(asn)
        if g.school_code == school and g.course_code == course and g.course_type == CHA
    ]
    return ChallengeFacts(
        section_id=section_id,
        section=section_id is not None and state.section(school, course, section_id) is not None,
        course_enrolment=enrolment is not None,
        mark=bool(grades),
        term_id=enrolment.term_id if enrolment else (grades[0].term_id if grades else None),
    )


def _evaluate(
    state: State, asn: str, school: str, course: str, required: tuple[str, ...], section_hint: str | None, why: str
) -> list[d.Decision]:
    facts = facts_at(state, asn, school, course, section_hint)
    key = alert_key(CHALLENGE_COURSE_INCOMPLETE, "R3", asn, school, course)
    if not facts.missing():
        return resolve_if_raised(state, key, "section, course enrolment and mark all exist")
    missing = facts.missing(required)
    if not missing:
        return []
    return [
        raise_alert(
            CHALLENGE_COURSE_INCOMPLETE,
            "R3",
            asn=asn,
            school_code=school,
            home_school_code=_home_of(state, asn),
            school_year_id=facts.term_id // 100 if facts.term_id is not None else None,
            subject=course,
            message=(
                f"Challenge course {course} taken at {school}, away from the home school, is missing "
                f"{', '.join(m.replace('_', ' ') for m in missing)} there ({why})"
            ),
            details={"course_code": course, "section_id": facts.section_id or "", "missing": ",".join(missing)},
        )
    ]


def _home_of(state: State, asn: str) -> str | None:
    homes = sorted(e.school_code for e in state.enrolments_of(asn) if e.kind == PRIMARY and e.status == ACTIVE)
    return homes[0] if homes else None


def check_course_enrolment(state: State, event, policy: Policy) -> list[d.Decision]:
    """R3: a CHA course enrolment away from home needs its section scheduled at that school."""
    payload = event.payload
    if payload.course_type != CHA or is_home_school(state, event.asn, event.school_code):
        return []
    return _evaluate(
        state, event.asn, event.school_code, payload.course_code, ("section",), payload.section_id, "course enrolled"
    )


def check_grade(state: State, event, policy: Policy) -> list[d.Decision]:
    """R3: a CHA mark away from home needs the section and the course enrolment at that school."""
    payload = event.payload
    if payload.course_type != CHA or is_home_school(state, event.asn, event.school_code):
        return []
    return _evaluate(
        state,
        event.asn,
        event.school_code,
        payload.course_code,
        ("section", "course_enrolment"),
        payload.section_id,
        "mark posted",
    )


def recheck_for_section(state: State, event, policy: Policy) -> list[d.Decision]:
    """R3: a newly scheduled section may complete open challenge-course alerts at that school."""
    decisions: list[d.Decision] = []
    for alert in state.raised_alerts(CHALLENGE_COURSE_INCOMPLETE.code, school_code=event.school_code):
        if alert.subject == event.payload.course_code and alert.asn is not None:
            facts = facts_at(state, alert.asn, alert.school_code, alert.subject)
            if not facts.missing():
                decisions.append(d.ResolveAlert(alert.alert_key, "section, course enrolment and mark all exist"))
    return decisions


def check_at_year_end(state: State, asn: str, run: EndOfYearRun, policy: Policy) -> list[d.Decision]:
    """R3: when the year's terms close, every CHA course enrolment away from home needs its mark."""
    decisions: list[d.Decision] = []
    seen: set[tuple[str, str]] = set()
    for ce in sorted(state.course_enrolments_of(asn), key=lambda c: c.key):
        if ce.course_type != CHA or ce.term_id // 100 != run.school_year_id or not run.in_scope(ce.school_code):
            continue
        if (ce.school_code, ce.course_code) in seen or is_home_school(state, asn, ce.school_code):
            continue
        seen.add((ce.school_code, ce.course_code))
        decisions += _evaluate(
            state, asn, ce.school_code, ce.course_code, ("section", "mark"), ce.section_id, "terms closed"
        )
    return decisions
