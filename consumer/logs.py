"""Structured logs: readable on a terminal, JSON otherwise, with ASNs masked unless turned off."""

import logging
import re
import sys

import structlog

_ASN_IN_TEXT = re.compile(r"(?<!\d)\d{6}(\d{3})(?!\d)")


def mask_asn(value: str) -> str:
    """`123456789` -> `******789`; any 9-digit run inside text is masked the same way."""
    return _ASN_IN_TEXT.sub(lambda m: "******" + m.group(1), value)


def describe_error(exc: BaseException, limit: int = 1000) -> str:
    """An error for a log line or a header: its class and message, ASNs masked, never a database
    driver's SQL or parameters (they carry personal data), at most `limit` characters."""
    original = getattr(exc, "orig", None)  # SQLAlchemy's DBAPIError: its own text adds [SQL] and [parameters]
    shown = original if isinstance(original, BaseException) else exc
    return mask_asn(f"{type(shown).__name__}: {shown}")[:limit]


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
