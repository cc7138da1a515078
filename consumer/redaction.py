"""Keeping secrets and ASNs out of what people read: logs, dead-letter reasons, command-line errors."""

import re

from schemas.errors import MAX_ERROR_TEXT, shorten

_ASN_IN_TEXT = re.compile(r"(?<!\d)\d{6}(\d{3})(?!\d)")
# scheme://user:password@ (the user may be empty); the password runs to the first @
_URL_PASSWORD = re.compile(r"\b([A-Za-z][A-Za-z0-9+.\-]*://[^\s:/@]*:)[^\s@]*@")
# SQLAlchemy appends the statement, its parameters (values from events: ASNs) and a link to its errors
_STATEMENT_MARKERS = ("\n[SQL: ", "\n[parameters: ", "\n[SQL parameters hidden", "\n(Background on this error at:")


def mask_asn(value: str) -> str:
    """`123456789` -> `******789`; any 9-digit run inside text is masked the same way."""
    return _ASN_IN_TEXT.sub(lambda m: "******" + m.group(1), value)


def mask_url_passwords(value: str) -> str:
    """`postgresql://pasi:secret@db/pasi` -> `postgresql://pasi:***@db/pasi`, wherever a URL appears in text."""
    return _URL_PASSWORD.sub(r"\1***@", value) if "://" in value else value


def without_statement(text: str) -> str:
    """A database error's message without the SQL statement, its parameters and the documentation link."""
    for marker in _STATEMENT_MARKERS:
        text = text.partition(marker)[0]
    return text


def redact(text: str, limit: int = MAX_ERROR_TEXT) -> str:
    """Error text fit to show: one line, no SQL parameters, no URL passwords, ASNs masked, at most `limit` long."""
    cleaned = mask_asn(mask_url_passwords(without_statement(text)))
    return shorten(" ".join(line.strip() for line in cleaned.splitlines() if line.strip()), limit)


def describe_error(exc: BaseException, limit: int = MAX_ERROR_TEXT) -> str:
    """An exception as error text: its class and message (a database driver's own error, not SQLAlchemy's text
    with the statement and parameters), redacted."""
    original = getattr(exc, "orig", None)
    shown = original if isinstance(original, BaseException) else exc
    return redact(f"{type(shown).__name__}: {shown}", limit)
