"""Avro binary encoding of the contract's messages, with the writer schema named in a header."""

from functools import cache
from io import BytesIO
from typing import Any, cast

from fastavro import schemaless_reader, schemaless_writer
from pydantic import BaseModel, ValidationError

from schemas.catalog import NAMESPACE, SchemaCatalog, SchemaVersion, default_catalog
from schemas.compiled_reader import compile_reader
from schemas.errors import DecodeError, InvalidMessage, describe
from schemas.events import EVENT_TYPES, EventBase, enrollment_changed
from schemas.framing import ConfluentFraming, Framing, SingleObjectFraming
from schemas.outputs import CoreAlert, PasiExitDateSync
from schemas.registry import HttpSchemaRegistry
from schemas.term_closed import TermClosed

Message = EventBase | TermClosed | CoreAlert | PasiExitDateSync
_TAGS = frozenset(EVENT_TYPES)


class AvroCodec:
    """Record dicts to framed Avro bytes and back, resolving old writer schemas to the newest."""

    def __init__(self, catalog: SchemaCatalog | None = None, framing: Framing | None = None):
        self.catalog = catalog or default_catalog()
        self.framing = framing or SingleObjectFraming(self.catalog)
        self._headers: dict[str, bytes] = {}
        self._readers: dict[int, tuple[SchemaVersion, Any]] = {}  # id(writer) -> (writer, compiled reader)

    def prepare(self, name: str) -> bytes:
        """The header of record `name`'s current schema; a registry is asked once, on first use."""
        if name not in self._headers:
            self._headers[name] = self.framing.header(self.catalog.current(name))
        return self._headers[name]

    def encode(self, name: str, datum: dict[str, Any]) -> bytes:
        schema = self.catalog.current(name)
        out = BytesIO()
        out.write(self.prepare(name))
        schemaless_writer(out, schema.parsed, datum)
        return out.getvalue()

    def decode(self, data: bytes) -> tuple[str, dict[str, Any]]:
        """The record name and datum; the writer's compiled reader reads ordinary bytes of the current
        version, fastavro everything else (older versions, and any bytes the compiled reader refuses)."""
        writer, start = self.framing.writer_schema(data)
        try:
            reader = self.catalog.current(writer.name)
        except KeyError:
            raise DecodeError(f"writer schema {writer.name} is not a record of this contract") from None
        if reader is writer:
            compiled = self._readers.get(id(writer))
            if compiled is None or compiled[0] is not writer:
                compiled = self._readers[id(writer)] = (writer, compile_reader(writer.parsed))
            if compiled[1] is not None:
                try:
                    datum, end = compiled[1](data, start)
                except Exception:  # noqa: BLE001 - unusual bytes: fastavro below reads them or names the problem
                    pass
                else:
                    if end != len(data):
                        raise DecodeError(f"{len(data) - end} unexpected bytes after the {writer.name} datum")
                    return writer.name, datum
        stream = BytesIO(data)
        stream.seek(start)
        try:
            datum = schemaless_reader(
                stream,
                writer.parsed,
                None if reader is writer else reader.parsed,
                return_record_name=True,
            )
        except Exception as exc:  # fastavro raises many types for corrupt input
            if isinstance(exc, EOFError | IndexError) and stream.tell() >= len(data):
                raise DecodeError(
                    f"truncated {writer.name} v{writer.version} datum: the bytes end after {len(data)} bytes"
                ) from exc
            raise DecodeError(
                f"bytes do not match writer schema {writer.name} v{writer.version}: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        if stream.tell() != len(data):
            raise DecodeError(
                f"{len(data) - stream.tell()} unexpected bytes after the {writer.name} datum"
            )
        return writer.name, cast(dict[str, Any], datum)  # a record schema's datum


class MessageCodec:
    """Contract models to Avro bytes and back; decoding validates, so what comes out is valid."""

    def __init__(self, avro: AvroCodec | None = None):
        self.avro = avro or AvroCodec()

    def encode(self, message: BaseModel) -> bytes:
        datum = message.model_dump()
        if isinstance(message, EventBase):
            datum["payload"] = (f"{NAMESPACE}.{message.event_type}Payload", datum["payload"])
            return self.avro.encode("EnrollmentChanged", datum)
        return self.avro.encode(type(message).__name__, datum)

    def decode(self, data: bytes) -> Message:
        name, datum = self.avro.decode(data)
        try:
            if name == "EnrollmentChanged":
                branch, payload = datum["payload"]
                expected = f"{NAMESPACE}.{datum['event_type']}Payload"
                if branch != expected:
                    raise InvalidMessage(
                        [f"payload: is a {branch.rsplit('.', 1)[-1]}, but event_type is {datum['event_type']}"]
                    )
                datum["payload"] = payload
                # the TypeAdapter's validator itself, without the adapter's wrapper call
                event: EventBase = enrollment_changed.validator.validate_python(datum)
                return event
            return MODELS[name].model_validate(datum)
        except ValidationError as exc:
            raise InvalidMessage(describe(exc, _TAGS if name == "EnrollmentChanged" else frozenset())) from exc


@cache
def message_codec(registry_url: str | None = None, registry_timeout_s: float = 5.0) -> MessageCodec:
    """The codec for a deployment: Confluent framing with the schema registry at `registry_url`, else
    single-object encoding. One codec (and one registry cache) per registry."""
    if not registry_url:
        return MessageCodec()
    catalog = default_catalog()
    registry = HttpSchemaRegistry(registry_url, catalog, registry_timeout_s)
    return MessageCodec(AvroCodec(catalog, ConfluentFraming(registry)))


MODELS: dict[str, type[TermClosed] | type[CoreAlert] | type[PasiExitDateSync]] = {
    "TermClosed": TermClosed,
    "CoreAlert": CoreAlert,
    "PasiExitDateSync": PasiExitDateSync,
}


def parse_json_line(record_name: str, line: str) -> Message:
    """Validate one line of the JSON form as the given record; raises InvalidMessage."""
    try:
        if record_name == "EnrollmentChanged":
            return enrollment_changed.validate_json(line)
        return MODELS[record_name].model_validate_json(line)
    except ValidationError as exc:
        raise InvalidMessage(describe(exc, _TAGS if record_name == "EnrollmentChanged" else frozenset())) from exc


def to_json(message: BaseModel) -> str:
    """The contract's JSON form of a message, one line."""
    return message.model_dump_json()
