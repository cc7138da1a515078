"""Every released Avro schema version kept in `schemas/avro/<Record>/v<N>.avsc`, indexed by fingerprint."""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from fastavro import parse_schema
from fastavro.schema import fingerprint, to_parsing_canonical_form

AVRO_DIR = Path(__file__).parent / "avro"
NAMESPACE = "pasi.concurrent"


@dataclass(frozen=True)
class SchemaVersion:
    """One released version of one record schema."""

    name: str
    version: int
    path: Path
    raw: dict[str, Any]
    parsed: Any
    canonical: str
    fingerprint: bytes  # CRC-64-AVRO of the parsing canonical form, little-endian

    @property
    def full_name(self) -> str:
        return f"{NAMESPACE}.{self.name}"


def load_version(path: Path) -> SchemaVersion:
    raw = json.loads(path.read_text())
    parsed = parse_schema(raw, named_schemas={})
    canonical = to_parsing_canonical_form(raw)
    return SchemaVersion(
        name=path.parent.name,
        version=int(path.stem.removeprefix("v")),
        path=path,
        raw=raw,
        parsed=parsed,
        canonical=canonical,
        fingerprint=bytes.fromhex(fingerprint(canonical, "CRC-64-AVRO")),
    )


class SchemaCatalog:
    """All schema versions under a folder; the newest version of a record is its reader schema."""

    def __init__(self, root: Path = AVRO_DIR):
        self.versions = sorted(
            (load_version(p) for p in root.glob("*/v*.avsc")), key=lambda v: (v.name, v.version)
        )
        self._by_fingerprint = {v.fingerprint: v for v in self.versions}
        self._current: dict[str, SchemaVersion] = {}
        for version in self.versions:
            self._current[version.name] = version

    def by_fingerprint(self, value: bytes) -> SchemaVersion | None:
        return self._by_fingerprint.get(value)

    def current(self, name: str) -> SchemaVersion:
        try:
            return self._current[name]
        except KeyError:
            raise KeyError(f"no schema named {name!r} in {AVRO_DIR}") from None

    @property
    def names(self) -> list[str]:
        return sorted(self._current)


@cache
def default_catalog() -> SchemaCatalog:
    return SchemaCatalog()
