"""The codec the settings ask for: single-object encoding, or Confluent framing when a registry is set."""

from functools import cache

from consumer.config.settings import Settings
from schemas.catalog import default_catalog
from schemas.codec import AvroCodec, MessageCodec
from schemas.registry import ConfluentFraming, HttpSchemaRegistry


@cache
def _codec(registry_url: str | None, timeout_s: float) -> MessageCodec:
    if not registry_url:
        return MessageCodec()
    catalog = default_catalog()
    return MessageCodec(AvroCodec(catalog, ConfluentFraming(HttpSchemaRegistry(registry_url, catalog, timeout_s))))


def codec_for(settings: Settings) -> MessageCodec:
    return _codec(settings.schema_registry_url, settings.schema_registry_timeout_s)
