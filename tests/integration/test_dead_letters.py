"""Bad input goes to the dead-letter topic with its reason, and the service carries on."""

import struct
from datetime import date

from fastavro import schemaless_writer

from schemas.catalog import default_catalog
from tests.support.events import asn, exited
from tests.support.running import CODEC, publish, read_topic, run_service


def _model_invalid_bytes() -> bytes:
    """Avro that matches the schema but breaks the contract: a 5-digit ASN."""
    import io

    schema = default_catalog().current("EnrollmentChanged")
    datum = CODEC.encode(exited(asn(7), "1234", date(2026, 3, 2)))
    valid = CODEC.avro.decode(datum)[1]
    valid["asn"] = "12345"
    out = io.BytesIO()
    out.write(b"\xc3\x01" + schema.fingerprint)
    schemaless_writer(out, schema.parsed, valid)
    return out.getvalue()


def test_undecodable_and_invalid_records_are_dead_lettered_and_the_next_event_is_processed(make_settings, db_url):
    settings = make_settings(state_db_url=db_url)
    topic = settings.topic_enrollment_changed
    valid = exited(asn(8), "1234", date(2026, 3, 2))
    bad = [
        (b"k1", b"garbage bytes"),
        (b"k2", b"\xc3\x01" + b"\x01" * 8 + b"\x00"),
        (b"k3", _model_invalid_bytes()),
        (b"k4", b"\x00" + struct.pack(">I", 42) + b"\x02"),
    ]
    publish(settings, topic, [], raw=bad)
    publish(settings, topic, [valid])

    assert run_service(settings, until_idle_s=1) == 0

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
