"""Typed errors for bytes and documents that are not valid messages."""

import re

from pydantic import ValidationError


class DecodeError(ValueError):
    """Bytes that cannot be decoded as one of our Avro messages; the text says what was wrong."""


class InvalidMessage(ValueError):
    """A message that decoded (or parsed) but breaks the contract's rules."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def field_path(loc: tuple) -> str:
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
    """One `field: problem` line per error, without the discriminated union's tag in the path.

    Validators that check several fields name the one at fault as `field: problem`; that name
    is appended to the error's location.
    """
    lines = []
    for item in error.errors(include_url=False):
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
    return lines
