"""Files of the contract's JSON form, one message a line: validated as a whole before anything is sent."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from schemas.codec import Message, parse_json_line
from schemas.errors import InvalidMessage


@dataclass(frozen=True)
class LineProblem:
    line: int
    problem: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.problem}"


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                yield number, line


def _parse(record_name: str, line: str) -> Message:
    try:
        return parse_json_line(record_name, line)
    except InvalidMessage as exc:
        raise InvalidMessage(
            [p.replace("(message): Invalid JSON:", "not valid JSON:") for p in exc.problems]
        ) from None


def validate_file(
    path: Path, record_name: str, on_line: Callable[[int], None] = lambda n: None
) -> tuple[int, list[LineProblem]]:
    """Check every line; return how many messages the file holds and each line's problems."""
    count, problems = 0, []
    for number, line in _lines(path):
        count += 1
        try:
            _parse(record_name, line)
        except InvalidMessage as exc:
            problems.extend(LineProblem(number, p) for p in exc.problems)
        on_line(count)
    return count, problems


def read_messages(path: Path, record_name: str) -> Iterator[Message]:
    """The file's messages, in order; call only after `validate_file` found no problem."""
    for _number, line in _lines(path):
        yield _parse(record_name, line)
