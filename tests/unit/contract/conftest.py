"""Hypothesis strategies for VALID instances of every contract message, and fixtures exposing them.

Each strategy respects every rule of the pydantic models in `schemas/` (patterns, bounds and the
cross-field validators), so whatever it draws must survive JSON and Avro round trips unchanged.
Tests get them through the session fixtures `message_strategies` (one strategy per event type and
per other record, keyed by type name) and `record_of_type`; a test with a `message_type` argument
is parametrized over all fourteen type names.
"""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import strategies as st

from schemas.events import EVENT_CLASSES, ConcurrentEnrolmentStarted, SchoolEnrolmentExited
from schemas.outputs import CoreAlert, PasiExitDateSync
from schemas.payloads import (
    ConcurrentEnrolmentStartedPayload,
    CourseEnrolledPayload,
    CourseExitedPayload,
    EnrolmentCancelledPayload,
    ExitCodeUpdatedPayload,
    PrimaryEnrolmentStartedPayload,
    SchoolEnrolmentExitedPayload,
    SchoolTermsConfiguredPayload,
    SectionScheduledPayload,
    StoredGradePostedPayload,
    StudentReEnrolledPayload,
    Term,
)
from schemas.term_closed import TermClosed
from schemas.types import FIRST_SCHOOL_YEAR

# --- identifiers and text ---------------------------------------------------------------------

DIGITS = "0123456789"  # ASCII only: the contract's ASN and school codes are ASCII digits

asns = st.text(DIGITS, min_size=9, max_size=9)
school_codes = st.text(DIGITS, min_size=4, max_size=4)

# `Identifier` is `^\S(.*\S)?$`, 1..200 characters: no whitespace at either end, no line breaks.
_visible = st.characters(categories=["L", "M", "N", "P", "S"])
identifiers = st.one_of(
    _visible.map(str),
    st.tuples(_visible, st.text(st.one_of(_visible, st.just(" ")), max_size=40), _visible).map("".join),
    st.from_regex(r"\A[A-Z]{3}[0-9]{1,4}\Z"),  # course-code-like, so the common shape is exercised
)
# `Text`: any 1..200 characters but control characters (and surrogates: those cannot be UTF-8 encoded).
texts = st.text(st.characters(exclude_categories=["Cc", "Cs"]), min_size=1, max_size=200)
free_texts = st.text(max_size=300)

enrolment_kinds = st.sampled_from(["PRIMARY", "CONCURRENT"])
exit_reasons = st.sampled_from(["TRANSFER_OUT", "WITHDRAWN", "COMPLETED", "OTHER"])
sync_reasons = st.sampled_from(["TRANSFER_OUT", "WITHDRAWN", "COMPLETED", "END_OF_YEAR", "OTHER", "CANCELLED"])
school_year_ids = st.integers(min_value=0, max_value=999)
term_ids = st.integers(min_value=0, max_value=99_999)

# --- calendar ---------------------------------------------------------------------------------

dates = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))

#: UTC, a few real-world fixed offsets, and any whole-minute offset within ±23:59
#: (ISO-8601 offsets are hours and minutes; see test_round_trip for sub-minute offsets).
offsets = st.one_of(
    st.sampled_from(
        [
            UTC,
            timezone(timedelta(hours=-7), "MST"),
            timezone(timedelta(hours=-6), "MDT"),
            timezone(timedelta(hours=5, minutes=30)),
            timezone(timedelta(hours=-9, minutes=-30)),
            timezone(timedelta(hours=14)),
        ]
    ),
    st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(lambda m: timezone(timedelta(minutes=m))),
)
#: Aware instants with microsecond precision (Avro timestamp-micros), kept a day clear of
#: datetime.min/max so that converting any offset to UTC stays representable.
# instants are bounded to 1900-2999 by the contract (schemas.types.Instant)
instants = st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2999, 12, 30), timezones=offsets)


def school_year_bounds(year_id: int) -> tuple[date, date]:
    """School year `year_id` runs from August 1 to July 31 (year 0 is 1990-91)."""
    return date(FIRST_SCHOOL_YEAR + year_id, 8, 1), date(FIRST_SCHOOL_YEAR + year_id + 1, 7, 31)


@st.composite
def terms_of_year(draw, year_id: int) -> list[Term]:
    """1..6 terms of one school year: unique ids `year*100 + n`, each ending inside the year."""
    numbers = draw(st.lists(st.integers(0, 99), min_size=1, max_size=6, unique=True))
    start, end = school_year_bounds(year_id)
    terms = []
    for number in numbers:
        last_day = draw(st.dates(min_value=start, max_value=end))
        # A term belongs to the year it ends in, so it may start in the previous one.
        first_day = draw(st.dates(min_value=last_day - timedelta(days=400), max_value=last_day))
        terms.append(
            Term(term_id=year_id * 100 + number, abbreviation=draw(texts), first_day=first_day, last_day=last_day)
        )
    return terms


@st.composite
def school_terms_configured_payloads(draw) -> SchoolTermsConfiguredPayload:
    year_id = draw(school_year_ids)
    return SchoolTermsConfiguredPayload(
        school_year_id=year_id, terms=draw(terms_of_year(year_id)), is_summer_school=draw(st.booleans())
    )


# --- payloads ---------------------------------------------------------------------------------

payload_strategies: dict[str, st.SearchStrategy] = {
    "SchoolTermsConfigured": school_terms_configured_payloads(),
    "SectionScheduled": st.builds(
        SectionScheduledPayload, course_code=identifiers, section_id=identifiers, term_id=term_ids
    ),
    "PrimaryEnrolmentStarted": st.builds(PrimaryEnrolmentStartedPayload, entry_date=dates, grade=texts),
    # home_school_code is drawn again in the event strategy, to differ from school_code
    "ConcurrentEnrolmentStarted": st.builds(
        ConcurrentEnrolmentStartedPayload, entry_date=dates, grade=texts, home_school_code=school_codes
    ),
    "SchoolEnrolmentExited": st.builds(
        SchoolEnrolmentExitedPayload,
        enrolment_kind=enrolment_kinds,
        exit_date=dates,
        exit_code=st.none() | identifiers,
        reason=exit_reasons,
        continuing_at_school_code=st.none() | school_codes,
    ),
    "StudentReEnrolled": st.builds(StudentReEnrolledPayload, entry_date=dates, grade=texts),
    "ExitCodeUpdated": st.builds(ExitCodeUpdatedPayload, enrolment_kind=enrolment_kinds, exit_code=identifiers),
    "EnrolmentCancelled": st.builds(EnrolmentCancelledPayload, enrolment_kind=enrolment_kinds),
    "CourseEnrolled": st.builds(
        CourseEnrolledPayload,
        course_code=identifiers,
        section_id=identifiers,
        term_id=term_ids,
        entry_date=dates,
        course_type=st.sampled_from(["REG", "CHA", "IOS"]) | identifiers,
    ),
    "CourseExited": st.builds(CourseExitedPayload, course_code=identifiers, section_id=identifiers, exit_date=dates),
    "StoredGradePosted": st.builds(
        StoredGradePostedPayload,
        course_code=identifiers,
        section_id=st.none() | identifiers,
        term_id=term_ids,
        mark=texts,
        credits=st.none() | st.integers(min_value=0, max_value=100),
        course_type=st.sampled_from(["REG", "CHA"]) | identifiers,
    ),
}

_EVENT_CLASS = {cls.__name__: cls for cls in EVENT_CLASSES}


@st.composite
def events(draw, event_type: str):
    """A valid `EnrollmentChanged` event of one type: school events have no ASN, student events one."""
    cls = _EVENT_CLASS[event_type]
    school_code = draw(school_codes)
    payload = draw(payload_strategies[event_type])
    if cls is ConcurrentEnrolmentStarted:
        home = draw(school_codes.filter(lambda code: code != school_code))
        payload = payload.model_copy(update={"home_school_code": home})
    elif cls is SchoolEnrolmentExited and payload.continuing_at_school_code == school_code:
        payload = payload.model_copy(update={"continuing_at_school_code": None})
    return cls(
        event_id=draw(identifiers),
        event_type=event_type,
        occurred_at=draw(instants),
        source=draw(st.sampled_from(["powerschool", "sis"]) | texts),
        asn=None if cls.school_event else draw(asns),
        school_code=school_code,
        payload=payload,
    )


# --- the other records ------------------------------------------------------------------------

term_closed = st.builds(
    TermClosed,
    event_id=identifiers,
    occurred_at=instants,
    run_id=identifiers,
    school_year_id=school_year_ids,
    closed_on=dates,
    school_codes=st.lists(school_codes, max_size=8, unique=True),
    exit_code=st.none() | identifiers,
)

core_alerts = st.builds(
    CoreAlert,
    alert_id=identifiers,
    code=identifiers,
    category=st.sampled_from(
        ["STUDENT", "ENROLMENT", "SECTION", "COURSE_ENROLMENT", "EVALUATED_MARK", "EXTERNAL_CREDENTIAL"]
    ),
    alert_type=st.sampled_from(["ADVICE", "WARNING", "REJECTION", "CONFLICT", "FAILURE"]),
    status=st.sampled_from(["RAISED", "RESOLVED"]),
    asn=st.none() | asns,
    school_code=school_codes,
    home_school_code=st.none() | school_codes,
    # The model has no bound here, but Avro `int` is 32-bit (see the xfail in test_validation);
    # valid school year ids are 0..999 everywhere else.
    school_year_id=st.none() | school_year_ids,
    message=free_texts,
    details=st.dictionaries(free_texts, free_texts, max_size=5),
    source_event_id=identifiers,
    occurred_at=instants,
)

pasi_exit_date_syncs = st.builds(
    PasiExitDateSync,
    sync_id=identifiers,
    action=st.sampled_from(["EXIT", "CREATED_IN_ERROR"]),
    asn=asns,
    school_code=school_codes,
    enrolment_kind=enrolment_kinds,
    exit_date=st.none() | dates,
    exit_code=st.none() | identifiers,
    reason=sync_reasons,
    source_event_id=identifiers,
    occurred_at=instants,
)

#: One strategy per message type: the eleven event types, then the other three records.
MESSAGE_STRATEGIES: dict[str, st.SearchStrategy] = {
    **{event_type: events(event_type) for event_type in _EVENT_CLASS},
    "TermClosed": term_closed,
    "CoreAlert": core_alerts,
    "PasiExitDateSync": pasi_exit_date_syncs,
}

#: The Avro record each message type is written as.
RECORD_OF_TYPE: dict[str, str] = {
    **{event_type: "EnrollmentChanged" for event_type in _EVENT_CLASS},
    "TermClosed": "TermClosed",
    "CoreAlert": "CoreAlert",
    "PasiExitDateSync": "PasiExitDateSync",
}

assert set(payload_strategies) == set(_EVENT_CLASS), "a payload strategy is missing"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test asking for `message_type` runs once per event type and per other record, each its own id."""
    if "message_type" in metafunc.fixturenames:
        metafunc.parametrize("message_type", list(MESSAGE_STRATEGIES))


@pytest.fixture(scope="session")
def message_strategies() -> dict[str, st.SearchStrategy]:
    """Strategies of valid messages, keyed by event type or record name."""
    return MESSAGE_STRATEGIES


@pytest.fixture(scope="session")
def record_of_type() -> dict[str, str]:
    """The Avro record name each message type (event type or record name) is written as."""
    return RECORD_OF_TYPE
