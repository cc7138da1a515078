"""Typed errors for bytes and documents that are not valid messages."""

import re

from pydantic import ValidationError

#: The longest reason kept for a refused message (dead-letter header, log field, command-line line).
MAX_ERROR_TEXT = 2_000
#: Problems named one by one; the rest are counted.
MAX_PROBLEMS = 10
#: Values named one by one in a problem (repeated codes, ...); the rest are counted.
MAX_VALUES_NAMED = 10


def shorten(text: str, limit: int = MAX_ERROR_TEXT) -> str:
    """`text`, or its start and how much was cut, in at most `limit` characters."""
    if len(text) <= limit:
        return text
    keep = limit - len(f" ... ({len(text)} more characters)")  # the note is never longer than this
    return f"{text[:keep]} ... ({len(text) - keep} more characters)"


def listing(values: list[str], shown: int = MAX_VALUES_NAMED) -> str:
    """`a, b, c` or, past `shown` values, the first ones and how many more."""
    named = ", ".join(values[:shown])
    return named if len(values) <= shown else f"{named} and {len(values) - shown} more"


class DecodeError(ValueError):
    """Bytes that cannot be decoded as one of our Avro messages; the text says what was wrong."""


class InvalidMessage(ValueError):
    """A message that decoded (or parsed) but breaks the contract's rules."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(shorten("; ".join(problems)))


def field_path(loc: tuple[int | str, ...]) -> str:
    """`('payload', 'terms', 0, 'last_day')` -> `payload.terms[0].last_day`."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(message)"


_NAMED = re.compile(r"^([A-Za-z_][\w.\[\]]*): (.*)$", re.S)


def describe(error: ValidationError, union_tags: frozenset[str] = frozenset()) -> list[str]:
    """One `field: problem` line per error (the first MAX_PROBLEMS, then how many more), without
    the discriminated union's tag in the path.

    Validators that check several fields name the one at fault as `field: problem`; that name
    is appended to the error's location.
    """
    lines = []
    items = error.errors(include_url=False, include_input=False)
    for item in items[:MAX_PROBLEMS]:
        loc = tuple(item["loc"])
        if loc and loc[0] in union_tags:
            loc = loc[1:]
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "union_tag_invalid":
            tag = item.get("ctx", {}).get("tag")
            message = f"event_type: {tag!r} is not a known event type"
        elif item["type"] == "union_tag_not_found":
            message = "event_type: field required"
        named = _NAMED.match(message)
        if named:
            inner, message = named.groups()
            path = field_path(loc)
            lines.append(f"{inner if path == '(message)' else path + '.' + inner}: {message}")
        else:
            lines.append(f"{field_path(loc)}: {message}")
    if len(items) > MAX_PROBLEMS:
        lines.append(f"and {len(items) - MAX_PROBLEMS} more problems")
    return lines
