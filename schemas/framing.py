"""How the writer schema is identified in a message's first bytes: single-object encoding or Confluent."""

import struct
from typing import Protocol

from schemas.catalog import SchemaCatalog, SchemaVersion
from schemas.errors import DecodeError

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
