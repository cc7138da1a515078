"""With a schema registry configured, messages use Confluent framing and decode through the registry."""

import socket
import struct
import time
from datetime import UTC, date, datetime

import pytest

from consumer.config.settings import Settings
from consumer.runtime.codecs import codec_for
from schemas.catalog import default_catalog
from schemas.codec import AvroCodec, MessageCodec
from schemas.errors import DecodeError
from schemas.framing import ConfluentFraming
from schemas.outputs import PasiExitDateSync
from schemas.registry import HttpSchemaRegistry, RegistryUnavailable
from tests.support.registry import LocalRegistry


@pytest.fixture
def registry():
    registry = LocalRegistry().start()
    yield registry
    registry.stop()


@pytest.fixture
def registry_url(registry):
    return registry.url


def _sync() -> PasiExitDateSync:
    return PasiExitDateSync(
        sync_id="s-1", action="EXIT", asn="123456789", school_code="1234", enrolment_kind="PRIMARY",
        exit_date=date(2026, 3, 2), exit_code=None, reason="WITHDRAWN", source_event_id="e-1",
        occurred_at=datetime(2026, 3, 2, 16, 5, tzinfo=UTC),
    )


def test_a_configured_registry_gives_confluent_framed_messages_that_decode_back(registry_url):
    codec = codec_for(Settings(_env_file=None, schema_registry_url=registry_url))
    data = codec.encode(_sync())
    assert data[0] == 0 and struct.unpack(">I", data[1:5])[0] == 1
    assert codec.decode(data) == _sync()


def test_a_fresh_codec_decodes_by_asking_the_registry_for_the_writer_schema(registry_url):
    data = codec_for(Settings(_env_file=None, schema_registry_url=registry_url)).encode(_sync())
    catalog = default_catalog()
    reader = MessageCodec(AvroCodec(catalog, ConfluentFraming(HttpSchemaRegistry(registry_url, catalog))))
    assert reader.decode(data) == _sync()


def test_an_id_the_registry_does_not_know_is_a_decode_error_saying_so(registry_url):
    catalog = default_catalog()
    codec = MessageCodec(AvroCodec(catalog, ConfluentFraming(HttpSchemaRegistry(registry_url, catalog))))
    with pytest.raises(DecodeError, match="writer schema id 77: schema registry .* answered 404"):
        codec.decode(b"\x00" + struct.pack(">I", 77) + b"\x02")


def test_single_object_bytes_given_to_a_registry_codec_are_refused_clearly(registry_url):
    catalog = default_catalog()
    codec = MessageCodec(AvroCodec(catalog, ConfluentFraming(HttpSchemaRegistry(registry_url, catalog))))
    with pytest.raises(DecodeError, match="not Confluent framing"):
        codec.decode(MessageCodec().encode(_sync()))


def _fresh_codec(url: str, timeout_s: float = 5.0) -> MessageCodec:
    catalog = default_catalog()
    return MessageCodec(AvroCodec(catalog, ConfluentFraming(HttpSchemaRegistry(url, catalog, timeout_s))))


def test_a_registry_that_does_not_answer_is_unavailable_not_a_reason_to_refuse_the_message(registry):
    data = _fresh_codec(registry.url).encode(_sync())
    registry.stop()
    with pytest.raises(RegistryUnavailable, match="cannot reach the schema registry"):
        _fresh_codec(registry.url).decode(data)


def test_a_registry_answering_a_server_error_is_unavailable_not_a_reason_to_refuse_the_message(registry):
    data = _fresh_codec(registry.url).encode(_sync())
    registry.failing_with = 503
    with pytest.raises(RegistryUnavailable, match="answered 503"):
        _fresh_codec(registry.url).decode(data)


def test_a_registry_that_never_answers_costs_one_timeout_not_one_per_record():
    with socket.socket() as silent:  # accepts connections, answers nothing
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        codec = _fresh_codec(f"http://127.0.0.1:{silent.getsockname()[1]}", timeout_s=0.5)
        started = time.monotonic()
        for _ in range(5):
            with pytest.raises(RegistryUnavailable):
                codec.decode(b"\x00" + struct.pack(">I", 1) + b"\x02")
        assert time.monotonic() - started < 1.5
