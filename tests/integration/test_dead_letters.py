"""Bad input goes to the dead-letter topic with its reason, and the service carries on."""

import io
import struct
import time
from datetime import UTC, date, datetime

import pytest
from fastavro import schemaless_writer

from consumer.runtime.logs import configure_logging
from schemas.catalog import default_catalog
from schemas.errors import MAX_ERROR_TEXT
from tests.support.events import asn, event, exited, term_closed
from tests.support.running import CODEC, publish, read_topic, run_service


def _model_invalid_bytes() -> bytes:
    """Avro that matches the schema but breaks the contract: a 5-digit ASN."""
    import io

    schema = default_catalog().current("EnrollmentChanged")
    datum = CODEC.encode(exited("1234", "PRIMARY", date(2026, 3, 2), asn=asn(7)))
    valid = CODEC.avro.decode(datum)[1]
    valid["asn"] = "12345"
    out = io.BytesIO()
    out.write(b"\xc3\x01" + schema.fingerprint)
    schemaless_writer(out, schema.parsed, valid)
    return out.getvalue()


def test_undecodable_and_invalid_records_are_dead_lettered_and_the_next_event_is_processed(make_settings, db_url):
    settings = make_settings(state_db_url=db_url)
    topic = settings.topic_enrollment_changed
    valid = exited("1234", "PRIMARY", date(2026, 3, 2), asn=asn(8))
    bad = [
        (b"k1", b"garbage bytes"),
        (b"k2", b"\xc3\x01" + b"\x01" * 8 + b"\x00"),
        (b"k3", _model_invalid_bytes()),
        (b"k4", b"\x00" + struct.pack(">I", 42) + b"\x02"),
    ]
    publish(settings, topic, [], raw=bad)
    publish(settings, topic, [valid])

    assert run_service(settings) == 0

    letters = read_topic(settings, settings.dead_letter_topic(topic), decode=False)
    assert sorted(r.key for r in letters) == [b"k1", b"k2", b"k3", b"k4"]
    by_key = {r.key: dict((k, v.decode()) for k, v in r.headers) for r in letters}
    for record in letters:
        headers = by_key[record.key]
        expected = {"error.class", "error.message", "source.topic", "source.partition", "source.offset", "failed_at"}
        assert set(headers) >= expected
        assert headers["source.topic"] == topic
        assert record.value == dict(bad)[record.key]
    assert by_key[b"k1"]["error.class"] == "DecodeError"
    assert "not Avro single-object encoding" in by_key[b"k1"]["error.message"]
    assert "unknown writer schema fingerprint" in by_key[b"k2"]["error.message"]
    assert by_key[b"k3"]["error.class"] == "InvalidMessage"
    assert by_key[b"k3"]["error.message"].startswith("asn:")
    assert "Confluent" in by_key[b"k4"]["error.message"]

    syncs = read_topic(settings, settings.topic_pasi_exit_date_sync)
    assert [s.source_event_id for s in syncs] == [valid.event_id]


def _term_closed_listing(school_codes: list[str]) -> bytes:
    """A TermClosed the Avro schema accepts (an array of any length) but the contract's limits do not."""
    datum = {"event_id": f"eoy-{len(school_codes)}", "occurred_at": datetime(2026, 6, 30, 22, 0, tzinfo=UTC),
             "run_id": "eoy-oversized", "school_year_id": 35, "closed_on": date(2026, 6, 30),
             "school_codes": school_codes, "exit_code": None}
    return CODEC.avro.encode("TermClosed", datum)


@pytest.mark.slow
def test_oversized_lists_are_dead_lettered_quickly_with_a_bounded_reason_and_the_next_broadcast_runs(make_settings):
    settings = make_settings()
    student = asn(11)
    publish(settings, settings.topic_enrollment_changed, [
        event("PrimaryEnrolmentStarted", "1001", {"entry_date": date(2025, 9, 2), "grade": "10"}, asn=student),
        event("ConcurrentEnrolmentStarted", "2001",
              {"entry_date": date(2025, 9, 9), "grade": "10", "home_school_code": "1001"}, asn=student),
    ])
    oversized = [
        (b"sixty-thousand", _term_closed_listing([f"{n % 10_000:04d}" for n in range(60_000)])),
        (b"empty-codes", _term_closed_listing([""] * 400_000)),
    ]
    publish(settings, settings.topic_term_closed, [], raw=oversized)
    publish(settings, settings.topic_term_closed, [term_closed(35, date(2026, 6, 30), run_id="eoy-after-oversized")])
    logs = io.StringIO()
    configure_logging("INFO", "json", stream=logs)
    started = time.monotonic()
    try:
        assert run_service(settings) == 0
    finally:
        configure_logging()
    assert time.monotonic() - started < 30

    letters = read_topic(settings, settings.dead_letter_topic(settings.topic_term_closed), decode=False)
    assert sorted(r.key for r in letters) == [b"empty-codes", b"sixty-thousand"]
    for letter in letters:
        headers = {name: value.decode() for name, value in letter.headers}
        assert headers["error.class"] == "InvalidMessage"
        assert headers["error.message"].startswith("school_codes: List should have at most 10000 items")
        assert len(headers["error.message"]) <= MAX_ERROR_TEXT
        assert letter.value == dict(oversized)[letter.key]
    assert max(len(line) for line in logs.getvalue().splitlines()) < 2 * MAX_ERROR_TEXT

    syncs = read_topic(settings, settings.topic_pasi_exit_date_sync)
    assert [(s.asn, s.school_code, s.reason) for s in syncs] == [(student, "2001", "END_OF_YEAR")]
