"""Lists have limits: an oversized message is refused in linear time, with a reason of bounded length."""

import json
import time
from datetime import UTC, date, datetime

import pytest

from schemas.codec import MessageCodec, parse_json_line
from schemas.errors import MAX_ERROR_TEXT, InvalidMessage
from schemas.payloads import MAX_TERMS
from schemas.term_closed import MAX_SCHOOL_CODES

CODEC = MessageCodec()
TERM_CLOSED = {
    "event_id": "eoy-1",
    "occurred_at": datetime(2026, 6, 30, 23, 0, tzinfo=UTC),
    "run_id": "eoy-2025-26",
    "school_year_id": 35,
    "closed_on": date(2026, 6, 30),
    "exit_code": None,
}


def term_closed_bytes(school_codes: list[str]) -> bytes:
    """Avro that the schema accepts whatever the list holds: the contract's limits are the model's to apply."""
    return CODEC.avro.encode("TermClosed", {**TERM_CLOSED, "school_codes": school_codes})


def refused_within(seconds: float, data: bytes) -> InvalidMessage:
    started = time.process_time()
    with pytest.raises(InvalidMessage) as caught:
        CODEC.decode(data)
    spent = time.process_time() - started
    assert spent < seconds, f"refusing took {spent:.2f} s of CPU"
    return caught.value


def test_every_school_code_once_is_the_largest_term_closed_and_is_accepted_quickly():
    codes = [f"{n:04d}" for n in range(MAX_SCHOOL_CODES)]
    started = time.process_time()
    assert CODEC.decode(term_closed_bytes(codes)).school_codes == codes
    assert time.process_time() - started < 0.5


def test_a_term_closed_with_sixty_thousand_school_codes_is_refused_quickly_naming_the_limit():
    error = refused_within(1.0, term_closed_bytes([f"{n % 10_000:04d}" for n in range(60_000)]))
    assert error.problems[0].startswith("school_codes:")
    assert f"at most {MAX_SCHOOL_CODES}" in str(error)
    assert len(str(error)) <= MAX_ERROR_TEXT


def test_four_hundred_thousand_empty_school_codes_give_one_short_reason():
    error = refused_within(1.0, term_closed_bytes([""] * 400_000))
    assert len(error.problems) == 1
    assert len(str(error)) <= MAX_ERROR_TEXT


def test_every_school_code_listed_twice_is_refused_quickly_with_a_short_reason_naming_the_first():
    codes = [f"{n:04d}" for n in range(MAX_SCHOOL_CODES // 2)] * 2
    error = refused_within(0.5, term_closed_bytes(codes))
    assert str(error).startswith("school_codes: lists more than once: 0000, 0001")
    assert "and 4990 more" in str(error)
    assert len(str(error)) <= MAX_ERROR_TEXT


def test_ten_thousand_invalid_school_codes_give_a_bounded_list_of_problems():
    error = refused_within(1.0, term_closed_bytes(["abcd"] * MAX_SCHOOL_CODES))
    assert error.problems[0].startswith("school_codes[0]:")
    assert error.problems[-1] == f"and {MAX_SCHOOL_CODES - len(error.problems) + 1} more problems"
    assert len(str(error)) <= MAX_ERROR_TEXT


def test_school_terms_configured_with_more_terms_than_a_year_can_have_is_refused_naming_terms():
    terms = [
        {"term_id": 3500 + n % 100, "abbreviation": "T", "first_day": "2025-09-02", "last_day": "2026-06-26"}
        for n in range(MAX_TERMS + 1)
    ]
    document = {
        "event_id": "e-1", "event_type": "SchoolTermsConfigured", "occurred_at": "2026-03-02T16:05:00Z",
        "source": "powerschool", "asn": None, "school_code": "1234",
        "payload": {"school_year_id": 35, "terms": terms, "is_summer_school": False},
    }
    with pytest.raises(InvalidMessage) as caught:
        parse_json_line("EnrollmentChanged", json.dumps(document))
    assert caught.value.problems == [f"payload.terms: List should have at most {MAX_TERMS} items after validation, "
                                     f"not {MAX_TERMS + 1}"]
