"""Invalid documents are refused naming the field at fault; undecodable bytes say what was wrong."""

import contextlib
import copy
import json
import struct
from io import BytesIO
from typing import Any

import pytest
from fastavro import schemaless_writer
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.catalog import default_catalog
from schemas.codec import MessageCodec, parse_json_line
from schemas.errors import DecodeError, InvalidMessage

PROPERTY = settings(max_examples=60, deadline=None)
CODEC = MessageCodec()
CATALOG = default_catalog()
MAGIC = bytes([0xC3, 0x01])

# --- valid documents, each broken in exactly one way below ------------------------------------

ENVELOPE = {"event_id": "e-1", "occurred_at": "2026-03-02T16:05:00Z", "source": "powerschool", "school_code": "1234"}
VALID: dict[str, dict[str, Any]] = {
    "PrimaryEnrolmentStarted": {
        **ENVELOPE,
        "event_type": "PrimaryEnrolmentStarted",
        "asn": "123456789",
        "payload": {"entry_date": "2026-03-02", "grade": "10"},
    },
    "ConcurrentEnrolmentStarted": {
        **ENVELOPE,
        "event_type": "ConcurrentEnrolmentStarted",
        "asn": "123456789",
        "payload": {"entry_date": "2026-03-02", "grade": "10", "home_school_code": "5678"},
    },
    "SchoolEnrolmentExited": {
        **ENVELOPE,
        "event_type": "SchoolEnrolmentExited",
        "asn": "123456789",
        "payload": {
            "enrolment_kind": "PRIMARY",
            "exit_date": "2026-03-02",
            "exit_code": None,
            "reason": "TRANSFER_OUT",
            "continuing_at_school_code": "5678",
        },
    },
    "SectionScheduled": {
        **ENVELOPE,
        "event_type": "SectionScheduled",
        "asn": None,
        "payload": {"course_code": "MAT1791", "section_id": "MAT1791-01", "term_id": 3501},
    },
    "StoredGradePosted": {
        **ENVELOPE,
        "event_type": "StoredGradePosted",
        "asn": "123456789",
        "payload": {
            "course_code": "MAT1791",
            "section_id": "MAT1791-01",
            "term_id": 3501,
            "mark": "87",
            "credits": 5,
            "course_type": "REG",
        },
    },
    "SchoolTermsConfigured": {
        **ENVELOPE,
        "event_type": "SchoolTermsConfigured",
        "asn": None,
        "payload": {
            "school_year_id": 35,
            "terms": [
                {"term_id": 3501, "abbreviation": "S1", "first_day": "2025-09-02", "last_day": "2026-01-30"},
                {"term_id": 3502, "abbreviation": "S2", "first_day": "2026-02-02", "last_day": "2026-06-26"},
            ],
            "is_summer_school": False,
        },
    },
    "SummerSchoolTermsConfigured": {
        **ENVELOPE,
        "event_type": "SchoolTermsConfigured",
        "asn": None,
        "payload": {
            "school_year_id": 35,
            "terms": [{"term_id": 3510, "abbreviation": "SUM", "first_day": "2026-07-02", "last_day": "2026-07-31"}],
            "is_summer_school": True,
        },
    },
}
VALID_TERM_CLOSED = {
    "event_id": "eoy-1",
    "occurred_at": "2026-06-30T23:00:00-06:00",
    "run_id": "eoy-2025-26",
    "school_year_id": 35,
    "closed_on": "2026-06-30",
    "school_codes": ["1234", "5678"],
    "exit_code": None,
}
VALID_CORE_ALERT = {
    "alert_id": "a-1",
    "code": "CE-HOME-MISSING",
    "category": "ENROLMENT",
    "alert_type": "WARNING",
    "status": "RAISED",
    "asn": "123456789",
    "school_code": "5678",
    "home_school_code": "1234",
    "school_year_id": 35,
    "message": "no primary enrolment at the home school",
    "details": {},
    "source_event_id": "e-1",
    "occurred_at": "2026-03-02T16:05:00Z",
}


def event(name: str, **envelope: Any) -> dict[str, Any]:
    """A copy of a valid event with envelope fields replaced (a value of `...` removes the field)."""
    document = copy.deepcopy(VALID[name])
    for field, value in envelope.items():
        if value is ...:
            del document[field]
        else:
            document[field] = value
    return document


def with_payload(name: str, **fields: Any) -> dict[str, Any]:
    document = event(name)
    document["payload"].update(fields)
    return document


def with_term(name: str, index: int, **fields: Any) -> dict[str, Any]:
    document = event(name)
    document["payload"]["terms"][index].update(fields)
    return document


def refusal(document: dict[str, Any], record: str = "EnrollmentChanged") -> list[str]:
    """The problems InvalidMessage names for a JSON line, failing if the line is accepted."""
    with pytest.raises(InvalidMessage) as caught:
        parse_json_line(record, json.dumps(document))
    return caught.value.problems


def fields_named(problems: list[str]) -> list[str]:
    """The field path each problem starts with (`payload.terms[0].last_day: ...`)."""
    assert all(": " in problem for problem in problems), problems
    return [problem.split(": ", 1)[0] for problem in problems]


# --- documents ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(VALID))
def test_the_documents_broken_below_are_valid_to_begin_with(name):
    assert parse_json_line("EnrollmentChanged", json.dumps(VALID[name])).event_type == VALID[name]["event_type"]


def test_the_term_closed_and_core_alert_broken_below_are_valid_to_begin_with():
    assert parse_json_line("TermClosed", json.dumps(VALID_TERM_CLOSED)).school_codes == ["1234", "5678"]
    assert parse_json_line("CoreAlert", json.dumps(VALID_CORE_ALERT)).school_year_id == 35


@pytest.mark.parametrize("asn", ["12345678", "1234567890", "12345678X", " 123456789", "123456789\n", ""])
def test_an_event_with_a_bad_asn_is_refused_naming_the_field(asn):
    assert fields_named(refusal(event("PrimaryEnrolmentStarted", asn=asn))) == ["asn"]


@pytest.mark.parametrize("text", ["10\x00", "1\n0", "\t10", "10\x7f"])
def test_a_text_with_a_control_character_is_refused_naming_the_field(text):
    problems = refusal(with_payload("PrimaryEnrolmentStarted", grade=text))

    assert fields_named(problems) == ["payload.grade"]
    assert "control character" in problems[0]


@pytest.mark.parametrize("code", ["MAT\x001791", "MAT\x1b1791"])
def test_an_identifier_with_a_control_character_is_refused_naming_the_field(code):
    problems = refusal(with_payload("SectionScheduled", course_code=code))

    assert fields_named(problems) == ["payload.course_code"]
    assert "control character" in problems[0]


@pytest.mark.parametrize("code", ["123", "12345", "12a4"])
def test_an_event_with_a_school_code_that_is_not_four_digits_is_refused_naming_the_field(code):
    assert fields_named(refusal(event("PrimaryEnrolmentStarted", school_code=code))) == ["school_code"]


def test_a_three_digit_home_school_code_is_refused_naming_the_payload_field():
    document = with_payload("ConcurrentEnrolmentStarted", home_school_code="123")

    assert fields_named(refusal(document)) == ["payload.home_school_code"]


def test_an_unknown_event_type_is_refused_naming_event_type_and_the_value():
    problems = refusal(event("PrimaryEnrolmentStarted", event_type="StudentTeleported"))

    assert fields_named(problems) == ["event_type"]
    assert "StudentTeleported" in problems[0]


def test_an_event_without_an_event_type_is_refused_naming_event_type():
    assert fields_named(refusal(event("PrimaryEnrolmentStarted", event_type=...))) == ["event_type"]


@pytest.mark.parametrize("asn", [None, ...], ids=["null", "absent"])
def test_a_student_event_without_an_asn_is_refused_naming_the_asn(asn):
    problems = refusal(event("PrimaryEnrolmentStarted", asn=asn))

    assert fields_named(problems) == ["asn"]
    assert "required" in problems[0]


@pytest.mark.parametrize("name", ["SectionScheduled", "SchoolTermsConfigured"])
def test_a_school_event_with_an_asn_is_refused_naming_the_asn(name):
    problems = refusal(event(name, asn="123456789"))

    assert fields_named(problems) == ["asn"]
    assert "null" in problems[0]


def test_the_thirtieth_of_february_is_refused_naming_the_field():
    document = with_payload("PrimaryEnrolmentStarted", entry_date="2026-02-30")

    assert fields_named(refusal(document)) == ["payload.entry_date"]


@pytest.mark.parametrize("instant", ["2026-03-02T16:05:00", "2026-03-02 16:05:00", "2026-03-02"])
def test_an_instant_without_a_zone_is_refused_naming_the_field(instant):
    assert fields_named(refusal(event("PrimaryEnrolmentStarted", occurred_at=instant))) == ["occurred_at"]


def test_a_term_ending_before_it_starts_is_refused_naming_its_last_day():
    document = with_term("SchoolTermsConfigured", 1, first_day="2026-02-02", last_day="2026-02-01")

    problems = refusal(document)

    assert fields_named(problems) == ["payload.terms[1].last_day"]
    assert "before first_day" in problems[0]


@pytest.mark.parametrize(
    "document",
    [
        with_term("SchoolTermsConfigured", 1, term_id=3402),
        with_term("SummerSchoolTermsConfigured", 0, last_day="2026-08-14"),
    ],
    ids=["term-id-of-another-year", "summer-term-ending-in-august"],
)
def test_a_term_of_another_school_year_is_a_possible_fact_accepted_for_the_rules_to_judge(document):
    assert parse_json_line("EnrollmentChanged", json.dumps(document)).event_type == "SchoolTermsConfigured"


def test_a_summer_term_ending_on_july_31_is_accepted():
    document = with_term("SummerSchoolTermsConfigured", 0, last_day="2026-07-31")

    assert parse_json_line("EnrollmentChanged", json.dumps(document)).payload.terms[0].term_id == 3510


def test_a_term_listed_twice_is_refused_naming_the_repeated_term_id():
    problems = refusal(with_term("SchoolTermsConfigured", 1, term_id=3501))

    assert fields_named(problems) == ["payload.terms[1].term_id"]
    assert "twice" in problems[0]


def test_an_unknown_field_in_the_envelope_is_refused_naming_it():
    assert fields_named(refusal(event("PrimaryEnrolmentStarted", nickname="Sam"))) == ["nickname"]


def test_an_unknown_field_in_the_payload_is_refused_naming_it():
    document = with_payload("PrimaryEnrolmentStarted", nickname="Sam")

    assert fields_named(refusal(document)) == ["payload.nickname"]


def test_a_grade_with_a_string_term_id_is_refused_naming_the_field():
    assert fields_named(refusal(with_payload("StoredGradePosted", term_id="3501"))) == ["payload.term_id"]


@pytest.mark.parametrize(
    "document",
    [
        with_payload("ConcurrentEnrolmentStarted", home_school_code="1234"),
        with_payload("SchoolEnrolmentExited", continuing_at_school_code="1234"),
    ],
    ids=["concurrent-at-its-own-home-school", "exit-continuing-at-the-same-school"],
)
def test_a_possible_but_wrong_fact_is_accepted_for_the_rules_to_judge(document):
    assert parse_json_line("EnrollmentChanged", json.dumps(document)).school_code == "1234"


def test_a_payload_of_another_event_type_is_refused_naming_its_fields():
    document = event("PrimaryEnrolmentStarted", payload={"enrolment_kind": "PRIMARY"})

    assert set(fields_named(refusal(document))) == {
        "payload.entry_date",
        "payload.grade",
        "payload.enrolment_kind",
    }


def test_a_term_closed_listing_a_school_twice_is_refused_naming_school_codes():
    document = {**VALID_TERM_CLOSED, "school_codes": ["1234", "5678", "1234"]}

    assert fields_named(refusal(document, "TermClosed")) == ["school_codes"]


def test_a_term_closed_with_a_three_digit_school_code_is_refused_naming_the_list_item():
    document = {**VALID_TERM_CLOSED, "school_codes": ["1234", "567"]}

    assert fields_named(refusal(document, "TermClosed")) == ["school_codes[1]"]


def test_a_line_that_is_not_json_is_refused():
    with pytest.raises(InvalidMessage) as caught:
        parse_json_line("EnrollmentChanged", '{"event_id": ')

    assert "Invalid JSON" in str(caught.value)


@pytest.mark.parametrize(
    "field, value",
    [("asn", "١٢٣٤٥٦٧٨٩"), ("asn", "１２３４５６７８９"), ("school_code", "١٢٣٤")],
    ids=["asn-arabic-indic", "asn-full-width", "school-code-arabic-indic"],
)
def test_an_asn_or_school_code_in_non_ascii_digits_is_refused_naming_the_field(field, value):
    assert fields_named(refusal(event("PrimaryEnrolmentStarted", **{field: value}))) == [field]


@pytest.mark.parametrize("year_id", [2**31, -1], ids=["beyond-avro-int", "negative"])
def test_a_core_alert_with_an_impossible_school_year_id_is_refused_naming_the_field(year_id):
    document = {**VALID_CORE_ALERT, "school_year_id": year_id}

    assert fields_named(refusal(document, "CoreAlert")) == ["school_year_id"]


def test_an_unknown_field_named_like_an_event_type_is_still_named():
    document = {**VALID_TERM_CLOSED, "CourseExited": 1}

    assert fields_named(refusal(document, "TermClosed")) == ["CourseExited"]


# --- bytes -------------------------------------------------------------------------------------


def sample_bytes() -> list[bytes]:
    return [CODEC.encode(parse_json_line("EnrollmentChanged", json.dumps(document))) for document in VALID.values()]


@PROPERTY
@given(data=st.binary(max_size=64).filter(lambda data: data[:2] != MAGIC))
def test_bytes_not_starting_c3_01_are_refused_saying_so(data):
    with pytest.raises(DecodeError) as caught:
        CODEC.decode(data)

    assert "c3 01" in str(caught.value) or "Confluent" in str(caught.value)


def test_no_bytes_at_all_are_refused_saying_so():
    with pytest.raises(DecodeError, match="no bytes"):
        CODEC.decode(b"")


@PROPERTY
@given(fingerprint=st.binary(min_size=8, max_size=8), datum=st.binary(max_size=32))
def test_an_unknown_writer_fingerprint_is_refused_naming_it(fingerprint, datum):
    if CATALOG.by_fingerprint(fingerprint) is not None:
        return
    with pytest.raises(DecodeError) as caught:
        CODEC.decode(MAGIC + fingerprint + datum)

    assert f"unknown writer schema fingerprint {fingerprint.hex()}" in str(caught.value)


def test_a_confluent_framed_message_is_refused_naming_the_schema_id_and_the_missing_registry():
    datum = sample_bytes()[0][10:]

    with pytest.raises(DecodeError) as caught:
        CODEC.decode(b"\x00" + struct.pack(">I", 4242) + datum)

    assert "Confluent" in str(caught.value)
    assert "4242" in str(caught.value)
    assert "registry" in str(caught.value)


def test_every_truncation_of_a_valid_message_is_refused_saying_what_was_wrong():
    for encoded in sample_bytes():
        for length in range(len(encoded)):
            with pytest.raises(DecodeError) as caught:
                CODEC.decode(encoded[:length])
            text = str(caught.value)
            if length < 2:
                assert "c3 01" in text
            elif length < 10:
                assert "truncated single-object header" in text
            else:
                assert "truncated EnrollmentChanged v1 datum" in text or "do not match writer schema" in text


def test_a_truncated_datum_is_reported_as_truncated():
    for encoded in sample_bytes():
        for length in range(10, len(encoded)):
            with pytest.raises(DecodeError, match="truncated"):
                CODEC.decode(encoded[:length])


@PROPERTY
@given(data=st.data())
def test_a_valid_message_with_trailing_bytes_is_refused_counting_them(message_strategies, data):
    message = data.draw(st.sampled_from(sorted(message_strategies)).flatmap(message_strategies.__getitem__))
    trailing = data.draw(st.binary(min_size=1, max_size=16))

    with pytest.raises(DecodeError) as caught:
        CODEC.decode(CODEC.encode(message) + trailing)

    assert f"{len(trailing)} unexpected bytes after" in str(caught.value)


@PROPERTY
@given(header=st.sampled_from([MAGIC + v.fingerprint for v in CATALOG.versions]), datum=st.binary(max_size=120))
def test_garbage_after_a_known_header_raises_only_decode_error_or_invalid_message(header, datum):
    with contextlib.suppress(DecodeError, InvalidMessage):  # anything else escaping fails the test
        CODEC.decode(header + datum)


def avro_bytes(record: str, datum: dict[str, Any]) -> bytes:
    """Bytes written with the current schema by fastavro directly, bypassing the models."""
    schema = CATALOG.current(record)
    out = BytesIO()
    out.write(MAGIC + schema.fingerprint)
    schemaless_writer(out, schema.parsed, datum)
    return out.getvalue()


def enrolment_datum(**changes: Any) -> dict[str, Any]:
    document = parse_json_line("EnrollmentChanged", json.dumps(VALID["PrimaryEnrolmentStarted"]))
    datum = document.model_dump()
    datum["payload"] = ("pasi.concurrent.PrimaryEnrolmentStartedPayload", datum["payload"])
    datum.update(changes)
    return datum


def test_the_avro_datum_helper_writes_what_the_codec_writes():
    document = parse_json_line("EnrollmentChanged", json.dumps(VALID["PrimaryEnrolmentStarted"]))

    assert avro_bytes("EnrollmentChanged", enrolment_datum()) == CODEC.encode(document)


def test_an_avro_valid_message_with_a_five_digit_asn_is_refused_as_invalid_naming_the_asn():
    with pytest.raises(InvalidMessage) as caught:
        CODEC.decode(avro_bytes("EnrollmentChanged", enrolment_datum(asn="12345")))

    assert fields_named(caught.value.problems) == ["asn"]


def test_an_avro_valid_school_event_with_an_asn_is_refused_as_invalid_naming_the_asn():
    document = parse_json_line("EnrollmentChanged", json.dumps(VALID["SectionScheduled"]))
    datum = document.model_dump()
    datum["payload"] = ("pasi.concurrent.SectionScheduledPayload", datum["payload"])
    datum["asn"] = "123456789"

    with pytest.raises(InvalidMessage) as caught:
        CODEC.decode(avro_bytes("EnrollmentChanged", datum))

    assert fields_named(caught.value.problems) == ["asn"]


def test_an_avro_valid_message_whose_payload_is_of_another_event_type_is_refused_naming_the_payload():
    datum = enrolment_datum(payload=("pasi.concurrent.EnrolmentCancelledPayload", {"enrolment_kind": "PRIMARY"}))

    with pytest.raises(InvalidMessage) as caught:
        CODEC.decode(avro_bytes("EnrollmentChanged", datum))

    assert fields_named(caught.value.problems) == ["payload"]
    assert "EnrolmentCancelledPayload" in caught.value.problems[0]


def test_an_avro_valid_term_closed_listing_a_school_twice_is_refused_naming_school_codes():
    document = parse_json_line("TermClosed", json.dumps(VALID_TERM_CLOSED))
    datum = {**document.model_dump(), "school_codes": ["1234", "1234"]}

    with pytest.raises(InvalidMessage) as caught:
        CODEC.decode(avro_bytes("TermClosed", datum))

    assert fields_named(caught.value.problems) == ["school_codes"]
