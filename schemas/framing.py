"""How the writer schema is identified in a message's first bytes: single-object encoding or Confluent."""

import struct
from typing import Protocol

from schemas.catalog import SchemaCatalog, SchemaVersion
from schemas.errors import DecodeError
from schemas.registry import HttpSchemaRegistry, RegistryError, RegistryUnavailable

SINGLE_OBJECT_MAGIC = b"\xc3\x01"
CONFLUENT_MAGIC = 0


class Framing(Protocol):
    def header(self, schema: SchemaVersion) -> bytes:
        """The bytes written before the Avro datum."""

    def writer_schema(self, data: bytes) -> tuple[SchemaVersion, int]:
        """The writer schema named by the header, and where the datum starts."""


def _preview(data: bytes) -> str:
    return data[:8].hex(" ") + (" …" if len(data) > 8 else "")


class SingleObjectFraming:
    """Avro single-object encoding: `C3 01`, the 8-byte CRC-64-AVRO fingerprint, then the datum."""

    def __init__(self, catalog: SchemaCatalog):
        self.catalog = catalog

    def header(self, schema: SchemaVersion) -> bytes:
        return SINGLE_OBJECT_MAGIC + schema.fingerprint

    def writer_schema(self, data: bytes) -> tuple[SchemaVersion, int]:
        if data[:2] != SINGLE_OBJECT_MAGIC:
            if len(data) >= 5 and data[0] == CONFLUENT_MAGIC:
                schema_id = struct.unpack(">I", data[1:5])[0]
                raise DecodeError(
                    f"Confluent-framed message (schema id {schema_id}) but no schema registry "
                    "is configured (set SCHEMA_REGISTRY_URL)"
                )
            raise DecodeError(
                f"not Avro single-object encoding: expected bytes c3 01, got {_preview(data) or 'no bytes'}"
            )
        if len(data) < 10:
            raise DecodeError(f"truncated single-object header ({len(data)} bytes)")
        schema = self.catalog.by_fingerprint(data[2:10])
        if schema is None:
            raise DecodeError(
                f"unknown writer schema fingerprint {data[2:10].hex()}: not one of the "
                f"{len(self.catalog.versions)} schema versions kept in schemas/avro"
            )
        return schema, 10


class ConfluentFraming:
    """Confluent framing: byte `00`, the 4-byte schema id the registry gives, then the datum."""

    def __init__(self, registry: HttpSchemaRegistry):
        self.registry = registry

    def header(self, schema: SchemaVersion) -> bytes:
        return bytes([CONFLUENT_MAGIC]) + struct.pack(">I", self.registry.id_for(schema))

    def writer_schema(self, data: bytes) -> tuple[SchemaVersion, int]:
        if len(data) < 5 or data[0] != CONFLUENT_MAGIC:
            got = data[:8].hex(" ") or "no bytes"
            raise DecodeError(f"not Confluent framing: expected byte 00 and a schema id, got {got}")
        schema_id = struct.unpack(">I", data[1:5])[0]
        try:
            schema = self.registry.schema_for(schema_id)
        except RegistryUnavailable:
            raise  # the message may be fine: whoever decodes waits for the registry
        except RegistryError as exc:
            raise DecodeError(f"writer schema id {schema_id}: {exc}") from None
        return schema, 5
