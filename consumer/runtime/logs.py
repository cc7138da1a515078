"""Structured logs: readable on a terminal, JSON otherwise, with ASNs masked unless turned off."""

import logging
import sys

import structlog

from consumer.redaction import mask_asn, mask_url_passwords
from schemas.errors import MAX_ERROR_TEXT, shorten

__all__ = ["configure_logging", "mask_asn"]
#: A traceback may be longer than one field's text, but not without bound either.
MAX_TRACEBACK = 10 * MAX_ERROR_TEXT


def _bound_processor(_logger, _name, event_dict):
    """No URL's password, and no field longer than a bounded reason (a hostile input can be megabytes)."""
    for key, value in event_dict.items():
        if isinstance(value, str):
            limit = MAX_TRACEBACK if key == "exception" else MAX_ERROR_TEXT
            event_dict[key] = shorten(mask_url_passwords(value), limit)
    return event_dict


def _mask_processor(_logger, _name, event_dict):
    for key, value in event_dict.items():
        if isinstance(value, str):
            event_dict[key] = mask_asn(value)
    return event_dict


def configure_logging(level: str = "INFO", fmt: str = "auto", mask: bool = True, stream=None) -> None:
    stream = stream or sys.stderr
    as_json = fmt == "json" or (fmt == "auto" and not stream.isatty())
    processors = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,
        _bound_processor,
    ]
    if mask:
        processors.append(_mask_processor)
    processors.append(
        structlog.processors.JSONRenderer() if as_json else structlog.dev.ConsoleRenderer(colors=stream.isatty())
    )
    structlog.configure(
        processors=processors,
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, level)),
        logger_factory=structlog.PrintLoggerFactory(stream),
        cache_logger_on_first_use=False,
    )
    # kafka-python logs through the standard library; keep its noise out unless debugging
    logging.basicConfig(level=logging.WARNING if level != "DEBUG" else logging.INFO, stream=stream)
    # the service reports connection failures itself, in one line
    logging.getLogger("kafka").setLevel(logging.CRITICAL if level != "DEBUG" else logging.INFO)
