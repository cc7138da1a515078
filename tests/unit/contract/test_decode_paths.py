"""The fast decode path gives exactly what the plain one gives: the compiled Avro readers against
fastavro (same datum, or fastavro's own answer for bytes they refuse), and the validators' shortcuts
for instants and text decoded from Avro against the rules they shortcut."""

import random
from datetime import UTC, datetime, timedelta, timezone
from io import BytesIO

import pytest
from fastavro import schemaless_reader, schemaless_writer

from schemas.catalog import default_catalog
from schemas.codec import AvroCodec, MessageCodec
from schemas.compiled_reader import compile_reader
from schemas.errors import DecodeError, InvalidMessage
from schemas.make_samples import sample_paths
from schemas.types import _instant, _printable

CATALOG = default_catalog()
CURRENT = [CATALOG.current(name) for name in CATALOG.names]


def samples(version) -> list[bytes]:
    _, hex_path = sample_paths(version)
    return [bytes.fromhex(line) for line in hex_path.read_text(encoding="ascii").split()]


def plain_codec() -> MessageCodec:
    """A codec whose Avro reads all go through fastavro (no compiled reader for any version)."""
    avro = AvroCodec(CATALOG)
    for version in CATALOG.versions:
        avro._readers[id(version)] = (version, None)
    return MessageCodec(avro)


def outcome(codec: MessageCodec, data: bytes):
    try:
        return codec.decode(data)
    except (DecodeError, InvalidMessage) as exc:
        return type(exc).__name__, str(exc)


@pytest.mark.parametrize("version", CURRENT, ids=lambda v: v.name)
def test_every_current_schema_compiles_and_reads_its_samples_as_fastavro_does(version):
    read = compile_reader(version.parsed)
    assert read is not None
    for data in samples(version):
        stream = BytesIO(data)
        stream.seek(10)
        expected = schemaless_reader(stream, version.parsed, None, return_record_name=True)
        assert read(data, 10) == (expected, stream.tell())


def damaged(data: bytes, rng: random.Random) -> bytes:
    """One random change past the header: a byte replaced, inserted or removed, or the tail cut off."""
    at = rng.randrange(10, len(data))
    match rng.randrange(4):
        case 0:
            return data[:at] + bytes([rng.randrange(256)]) + data[at + 1 :]
        case 1:
            return data[:at] + bytes([rng.randrange(256)]) + data[at:]
        case 2:
            return data[:at] + data[at + 1 :]
        case _:
            return data[:at]


@pytest.mark.parametrize("version", CURRENT, ids=lambda v: v.name)
def test_damaged_bytes_decode_or_fail_exactly_as_with_fastavro_alone(version):
    fast, plain = MessageCodec(AvroCodec(CATALOG)), plain_codec()
    rng = random.Random(f"damaged-{version.name}")
    originals = samples(version)
    for _ in range(1500):
        data = damaged(rng.choice(originals), rng)
        assert outcome(fast, data) == outcome(plain, data), data.hex()


def test_a_schema_with_a_type_the_compiler_does_not_generate_is_left_to_fastavro():
    assert compile_reader({"type": "record", "name": "R", "fields": [{"name": "x", "type": "double"}]}) is None


# --- validators' shortcuts ------------------------------------------------------------------------


def avro_event(**envelope) -> bytes:
    writer = CATALOG.current("EnrollmentChanged")
    datum = {
        "event_id": "e-1",
        "event_type": "PrimaryEnrolmentStarted",
        "occurred_at": datetime(2026, 3, 2, 16, 5, tzinfo=UTC),
        "source": "powerschool",
        "asn": "123456789",
        "school_code": "1234",
        "payload": ("pasi.concurrent.PrimaryEnrolmentStartedPayload", {"entry_date": datetime(2026, 3, 2).date(),
                                                                         "grade": "10"}),
    } | envelope
    out = BytesIO()
    out.write(b"\xc3\x01" + writer.fingerprint)
    schemaless_writer(out, writer.parsed, datum)
    return out.getvalue()


@pytest.mark.parametrize(
    "at", [datetime(1900, 1, 1, tzinfo=UTC), datetime(2999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)]
)
def test_an_avro_instant_at_either_end_of_the_years_allowed_is_accepted(at):
    assert MessageCodec().decode(avro_event(occurred_at=at)).occurred_at == at


@pytest.mark.parametrize("at", [datetime(1899, 12, 31, 23, 59, 59, tzinfo=UTC), datetime(3000, 1, 1, tzinfo=UTC)])
def test_an_avro_instant_outside_the_years_allowed_is_refused_naming_the_field(at):
    with pytest.raises(InvalidMessage) as caught:
        MessageCodec().decode(avro_event(occurred_at=at))
    assert caught.value.problems == ["occurred_at: instant is outside the years 1900-2999"]


@pytest.mark.parametrize(
    "at",
    [
        datetime(2026, 3, 2, 16, 5, tzinfo=UTC),
        datetime(2026, 3, 2, 16, 5, tzinfo=timezone(timedelta(hours=-7))),
        datetime(2026, 3, 2, 16, 5, tzinfo=timezone(timedelta(seconds=30))),
        datetime(1899, 12, 31, 23, 30, tzinfo=timezone(timedelta(hours=-1))),  # 1900 in UTC
        datetime(3000, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1))),  # 2999 in UTC
        datetime(1900, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1))),  # 1899 in UTC
        datetime(2999, 12, 31, 23, 30, tzinfo=timezone(timedelta(hours=-1))),  # 3000 in UTC
    ],
)
def test_the_instant_rule_judges_by_the_utc_year_whatever_the_zone(at):
    utc_year = at.astimezone(UTC).year
    if 1900 <= utc_year <= 2999:
        kept = _instant(at)
        assert kept == at and kept.utcoffset() % timedelta(minutes=1) == timedelta(0)
    else:
        with pytest.raises(ValueError, match="outside the years"):
            _instant(at)


@pytest.mark.parametrize("text", ["e\x07", "\x00", "e-1\x7f", "a\u200bb\x1f"])
def test_an_avro_event_id_with_a_control_character_is_refused_naming_it(text):
    with pytest.raises(InvalidMessage) as caught:
        MessageCodec().decode(avro_event(event_id=text))
    position = min(i for i, c in enumerate(text) if ord(c) < 0x20 or c == "\x7f")
    assert caught.value.problems == [f"event_id: control character U+{ord(text[position]):04X} at position {position}"]


@pytest.mark.parametrize("text", ["e-1", "é\u200bx", "a\x85b", "a\u00a0b", "\u2028x"])
def test_text_that_is_unprintable_but_holds_no_control_character_is_kept(text):
    assert _printable(text) == text


# --- the record's fingerprint -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        (UTC, "6aed63ee6e6eaad809eeb8ff5c5665f08b366849e861091515339a7122ac32d0"),
        (timezone(timedelta(hours=-7)), "9dc880a9dfbbcf0dd6eda0038ae7cb22f9ab99cf00c8ae7a381e9a548898c5ef"),
    ],
)
def test_a_decoded_records_fingerprint_is_the_one_stored_for_its_content(zone, expected):
    """The state store keeps fingerprints of processed events: the same content must give the same hex."""
    from consumer.runtime.records import decode_record
    from schemas.events import EventBase, enrollment_changed

    codec = MessageCodec()
    message = enrollment_changed.validate_python({
        "event_id": "e-1", "event_type": "CourseEnrolled", "occurred_at": datetime(2026, 3, 2, 9, 5, tzinfo=zone),
        "source": "powerschool", "asn": "123456789", "school_code": "1234",
        "payload": {"course_code": "MAT1791", "section_id": "S-1 é", "term_id": 3501,
                    "entry_date": datetime(2026, 3, 2).date(), "course_type": "REG"},
    })
    assert decode_record(codec, EventBase, "t", 0, 1, b"k", codec.encode(message)).fingerprint == expected
