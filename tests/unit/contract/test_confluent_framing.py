"""With a schema registry configured, messages use Confluent framing and decode through the registry."""

import json
import struct
import threading
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from consumer.codecs import codec_for
from consumer.settings import Settings
from schemas.catalog import default_catalog
from schemas.codec import AvroCodec, MessageCodec
from schemas.errors import DecodeError
from schemas.outputs import PasiExitDateSync
from schemas.registry import ConfluentFraming, HttpSchemaRegistry


class _Registry(BaseHTTPRequestHandler):
    """The two calls of the Confluent registry API the codec makes, kept in memory."""

    schemas: dict[int, str] = {}

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        ids = {text: schema_id for schema_id, text in self.schemas.items()}
        schema_id = ids.get(body["schema"]) or len(self.schemas) + 1
        self.schemas[schema_id] = body["schema"]
        self._answer(200, {"id": schema_id})

    def do_GET(self):  # noqa: N802
        schema_id = int(self.path.rsplit("/", 1)[-1])
        if schema_id in self.schemas:
            self._answer(200, {"schema": self.schemas[schema_id]})
        else:
            self._answer(404, {"error_code": 40403, "message": "Schema not found"})

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/vnd.schemaregistry.v1+json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def registry_url():
    _Registry.schemas = {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Registry)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


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
