"""A Confluent-compatible schema registry: schema ids for our schemas, writer schemas by id (cached)."""

import json
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from fastavro import parse_schema
from fastavro.schema import fingerprint, to_parsing_canonical_form

from schemas.catalog import SchemaCatalog, SchemaVersion

CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"
SCHEMA_NOT_FOUND = 40403  # the Confluent API's error code for an unknown schema id
#: After a failure, calls fail at once for this long (or until `try_again`): a registry that does not
#: answer costs one timeout per attempt, not one per record that needs it.
QUIET_AFTER_FAILURE_S = 1.0


class RegistryError(RuntimeError):
    """The schema registry could not be used; the text says what it answered."""


class RegistryUnavailable(RegistryError):
    """The registry did not answer, or not with an answer about the schema: a dependency to wait for,
    never a reason to refuse a message."""


def _error_code(body: bytes) -> int | None:
    try:
        return int(json.loads(body)["error_code"])
    except (ValueError, KeyError, TypeError):
        return None


class HttpSchemaRegistry:
    """Registers our schemas under their record's full name and looks writers up by id (cached)."""

    def __init__(self, url: str, catalog: SchemaCatalog, timeout_s: float = 5.0):
        self.url = url.rstrip("/")
        self.catalog = catalog
        self.timeout_s = timeout_s
        self._ids: dict[bytes, int] = {}
        self._schemas: dict[int, SchemaVersion] = {}
        self._quiet_until = 0.0
        self._failure = ""

    def try_again(self) -> None:
        """Let the next call reach the registry, however recent the last failure."""
        self._quiet_until = 0.0

    def _call(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        if time.monotonic() < self._quiet_until:
            raise RegistryUnavailable(self._failure)
        try:
            return self._request(path, body)
        except RegistryUnavailable as exc:
            self._failure = str(exc)
            self._quiet_until = time.monotonic() + QUIET_AFTER_FAILURE_S
            raise

    def _request(self, path: str, body: dict[str, Any] | None) -> dict[str, Any]:
        request = urllib.request.Request(
            self.url + path,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": CONTENT_TYPE, "Accept": CONTENT_TYPE},
            method="GET" if body is None else "POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                answer: dict[str, Any] = json.loads(response.read())
                return answer
        except urllib.error.HTTPError as exc:
            start = exc.read()[:200]
            said = f"schema registry {self.url}{path} answered {exc.code}: {start!r}"
            if exc.code == 404 and _error_code(start) == SCHEMA_NOT_FOUND:
                raise RegistryError(said) from None
            raise RegistryUnavailable(said) from None
        except (urllib.error.URLError, OSError, ValueError) as exc:  # ValueError: an answer that is not JSON
            raise RegistryUnavailable(f"cannot reach the schema registry {self.url}: {exc}") from None

    def _field(self, answer: dict[str, Any], name: str, what: str) -> Any:
        try:
            return answer[name]
        except (KeyError, TypeError):
            raise RegistryUnavailable(f"schema registry {self.url} answered {what} without {name!r}") from None

    def id_for(self, schema: SchemaVersion) -> int:
        if schema.fingerprint not in self._ids:
            answer = self._call(f"/subjects/{schema.full_name}/versions", {"schema": json.dumps(schema.raw)})
            schema_id = int(self._field(answer, "id", f"the registration of {schema.full_name}"))
            self._ids[schema.fingerprint] = schema_id
            self._schemas[schema_id] = schema
        return self._ids[schema.fingerprint]

    def schema_for(self, schema_id: int) -> SchemaVersion:
        if schema_id not in self._schemas:
            text = self._field(self._call(f"/schemas/ids/{schema_id}"), "schema", f"schema id {schema_id}")
            try:
                self._schemas[schema_id] = self._version(schema_id, json.loads(text))
            except Exception as exc:  # json and fastavro raise many types for a schema they cannot read
                raise RegistryError(f"schema id {schema_id} is not an Avro record schema: {exc}") from None
        return self._schemas[schema_id]

    def _version(self, schema_id: int, raw: dict[str, Any]) -> SchemaVersion:
        canonical = to_parsing_canonical_form(raw)
        digest = bytes.fromhex(fingerprint(canonical, "CRC-64-AVRO"))
        return self.catalog.by_fingerprint(digest) or SchemaVersion(
            name=raw["name"].rsplit(".", 1)[-1],
            version=0,  # written by a newer release: read through the newest version we keep
            path=Path(f"registry:{schema_id}"),
            raw=raw,
            parsed=parse_schema(raw, named_schemas={}),
            canonical=canonical,
            fingerprint=digest,
        )

