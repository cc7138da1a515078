"""The codec the settings ask for (see `schemas.codec.message_codec`)."""

from consumer.config.settings import Settings
from schemas.codec import MessageCodec, message_codec


def codec_for(settings: Settings) -> MessageCodec:
    return message_codec(settings.schema_registry_url, settings.schema_registry_timeout_s)
