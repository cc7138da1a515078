"""Every valid message survives the JSON form and the Avro wire format unchanged.

The tests taking `message_type` run once per event type of `EnrollmentChanged` and once per
other record (see conftest.py); each draws valid messages of that type.
"""

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.catalog import default_catalog
from schemas.codec import MessageCodec, parse_json_line, to_json
from schemas.errors import DecodeError
from schemas.outputs import PasiExitDateSync

PROPERTY = settings(max_examples=60, deadline=None)
CODEC = MessageCodec()
CATALOG = default_catalog()


@PROPERTY
@given(data=st.data())
def test_a_message_survives_its_json_form_unchanged(message_type, message_strategies, record_of_type, data):
    message = data.draw(message_strategies[message_type], label=message_type)

    line = to_json(message)
    back = parse_json_line(record_of_type[message_type], line)

    assert "\n" not in line
    assert type(back) is type(message)
    assert back == message
    assert back.occurred_at.utcoffset() == message.occurred_at.utcoffset(), "the JSON form keeps the offset"


@PROPERTY
@given(data=st.data())
def test_a_message_survives_avro_encoding_unchanged(message_type, message_strategies, data):
    message = data.draw(message_strategies[message_type], label=message_type)

    encoded = CODEC.encode(message)
    back = CODEC.decode(encoded)

    assert type(back) is type(message)
    assert back == message  # aware datetimes compare as instants, whatever their offsets
    assert back.occurred_at.utcoffset() == timedelta(0), "Avro timestamp-micros decode to UTC"
    assert CODEC.encode(back) == encoded, "encoding is deterministic"


@PROPERTY
@given(data=st.data())
def test_avro_encoding_is_single_object_framed_with_the_current_schema_fingerprint(
    message_type, message_strategies, record_of_type, data
):
    message = data.draw(message_strategies[message_type], label=message_type)

    encoded = CODEC.encode(message)

    assert encoded[:2] == bytes([0xC3, 0x01])
    assert encoded[2:10] == CATALOG.current(record_of_type[message_type]).fingerprint


def _sync_at(instant: datetime) -> PasiExitDateSync:
    return PasiExitDateSync(
        sync_id="s-1",
        action="EXIT",
        asn="123456789",
        school_code="1234",
        enrolment_kind="CONCURRENT",
        reason="OTHER",
        source_event_id="e-1",
        occurred_at=instant,
    )


def test_an_instant_with_a_sub_minute_offset_keeps_its_instant_in_the_json_form_or_is_refused():
    try:
        sync = _sync_at(datetime(2026, 3, 2, 16, 5, tzinfo=timezone(timedelta(hours=1, seconds=1))))
    except ValueError:
        return  # refused up front: fine
    back = parse_json_line("PasiExitDateSync", to_json(sync))

    assert back.occurred_at == sync.occurred_at


@pytest.mark.parametrize(
    "instant",
    [
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-1))),
    ],
    ids=["first-day-east-of-utc", "last-day-west-of-utc"],
)
def test_an_instant_at_the_edge_of_the_calendar_is_refused_or_decodes(instant):
    try:
        sync = _sync_at(instant)
    except ValueError:
        return  # refused up front: fine
    try:
        encoded = CODEC.encode(sync)
    except ValueError:
        return
    try:
        assert CODEC.decode(encoded) == sync
    except DecodeError as exc:
        pytest.fail(f"encoded but cannot decode: {exc}")
