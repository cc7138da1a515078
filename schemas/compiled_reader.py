"""Avro binary readers compiled once per writer schema: one generated Python function per schema.

`compile_reader(parsed)` turns a fastavro-parsed schema into `read(data, pos) -> (datum, end)`, which
gives exactly what `fastavro.schemaless_reader(..., return_record_name=True)` gives for well-formed
bytes (the same dicts, tuples for record branches of unions, dates and UTC datetimes), without a
stream and without walking the schema for every message. It only accepts bytes written the ordinary
way: anything unusual (a truncated or overlong value, a negative length, count or index, bad UTF-8, a
date out of range) raises `Unusual`, and the caller lets fastavro read those bytes, so that whatever
fastavro says about them (a datum or an error) stays the answer. Schemas with types it does not
compile (bytes, fixed, float, double, other logical types) give None: fastavro reads them.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DAYS_SHIFT = date(1970, 1, 1).toordinal()
#: The longest varint taken: nine bytes hold 63 bits, so no value can overflow fastavro's 64-bit reader.
MAX_VARINT_BYTES = 9
_PRIMITIVE = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}
_LOGICAL = {("long", "timestamp-micros"), ("int", "date")}


class Unusual(Exception):
    """Bytes the compiled reader leaves to fastavro."""


class Unsupported(Exception):
    """A schema construct the compiler does not generate code for."""


def _varint(data: bytes, pos: int, first: int) -> tuple[int, int]:
    """The rest of a multi-byte zig-zag varint whose first byte was `first` (`pos` is after it)."""
    n = first & 0x7F
    shift = 7
    for at in range(pos, pos + MAX_VARINT_BYTES - 1):
        b = data[at]
        n |= (b & 0x7F) << shift
        if b < 0x80:
            return (n >> 1) ^ -(n & 1), at + 1
        shift += 7
    raise Unusual("varint longer than nine bytes")


def _date(days: int) -> date:
    try:
        return date.fromordinal(days + DAYS_SHIFT)
    except (ValueError, OverflowError):
        raise Unusual("date out of range") from None


def _instant(micros: int) -> datetime:
    try:
        return EPOCH + timedelta(microseconds=micros)
    except OverflowError:
        raise Unusual("timestamp out of range") from None


class _Generator:
    def __init__(self, named: dict[str, Any]):
        self.named = named
        self.lines: list[str] = []
        self.constants: dict[str, Any] = {}
        self.counter = 0
        self.expanding: set[str] = set()  # named types being generated: a recursive schema is not compiled

    def name(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def constant(self, value: Any) -> str:
        key = self.name("k")
        self.constants[key] = value
        return key

    def emit(self, indent: int, line: str) -> None:
        self.lines.append("    " * indent + line)

    def long(self, indent: int, target: str) -> None:
        """Code reading one zig-zag varint into `target`."""
        self.emit(indent, "b = data[pos]")
        self.emit(indent, "pos += 1")
        self.emit(indent, "if b & 0x80:")
        self.emit(indent + 1, f"{target}, pos = _varint(data, pos, b)")
        self.emit(indent, "else:")
        self.emit(indent + 1, f"{target} = (b >> 1) ^ -(b & 1)")

    def value(self, schema: Any, indent: int, target: str) -> None:
        """Code reading one value of `schema` into the local `target`."""
        if isinstance(schema, list):
            return self.union(schema, indent, target)
        if isinstance(schema, str):
            if schema in _PRIMITIVE:
                return self.primitive(schema, indent, target)
            if schema not in self.named or schema in self.expanding:
                raise Unsupported(f"unknown or recursive named type {schema}")
            self.expanding.add(schema)
            self.value(self.named[schema], indent, target)
            return self.expanding.discard(schema)
        kind = schema["type"]
        logical = schema.get("logicalType")
        if logical is not None:
            if (kind, logical) not in _LOGICAL:
                raise Unsupported(f"logical type {logical} on {kind}")
            self.primitive(kind, indent, target)
            convert = "_date" if logical == "date" else "_instant"
            return self.emit(indent, f"{target} = {convert}({target})")
        if kind in _PRIMITIVE:
            return self.primitive(kind, indent, target)
        if kind == "record":
            return self.record(schema, indent, target)
        if kind == "enum":
            symbols = self.constant(tuple(schema["symbols"]))
            index = self.name("i")
            self.long(indent, index)
            self.emit(indent, f"if not 0 <= {index} < {len(schema['symbols'])}:")
            self.emit(indent + 1, "raise Unusual('enum index out of range')")
            return self.emit(indent, f"{target} = {symbols}[{index}]")
        if kind in ("array", "map"):
            return self.blocks(schema, indent, target)
        raise Unsupported(f"type {kind}")

    def primitive(self, kind: str, indent: int, target: str) -> None:
        if kind == "null":
            self.emit(indent, f"{target} = None")
        elif kind == "boolean":
            self.emit(indent, f"{target} = data[pos] != 0")
            self.emit(indent, "pos += 1")
        elif kind in ("int", "long"):
            self.long(indent, target)
        elif kind == "string":
            size = self.name("n")
            self.long(indent, size)
            self.emit(indent, f"end = pos + {size}")
            self.emit(indent, f"if {size} < 0 or end > len(data):")
            self.emit(indent + 1, "raise Unusual('string length out of range')")
            self.emit(indent, f"{target} = data[pos:end].decode()")
            self.emit(indent, "pos = end")
        else:
            raise Unsupported(f"type {kind}")

    def record(self, schema: dict[str, Any], indent: int, target: str) -> None:
        fields = []
        for field in schema["fields"]:
            local = self.name("f")
            self.value(field["type"], indent, local)
            fields.append(f"{field['name']!r}: {local}")
        self.emit(indent, f"{target} = {{{', '.join(fields)}}}")

    def union(self, branches: list[Any], indent: int, target: str) -> None:
        index = self.name("u")
        self.long(indent, index)
        for number, branch in enumerate(branches):
            self.emit(indent, f"{'if' if number == 0 else 'elif'} {index} == {number}:")
            self.value(branch, indent + 1, target)
            name = self.branch_name(branch)
            if name is not None:
                self.emit(indent + 1, f"{target} = ({name!r}, {target})")
        self.emit(indent, "else:")
        self.emit(indent + 1, "raise Unusual('union index out of range')")

    def branch_name(self, branch: Any) -> str | None:
        """The name fastavro pairs a union's value with (`return_record_name`): records and named references."""
        if isinstance(branch, dict):
            return str(branch["name"]) if branch["type"] == "record" else None
        if isinstance(branch, str) and branch not in _PRIMITIVE:
            return str(self.named[branch]["name"])
        return None

    def blocks(self, schema: dict[str, Any], indent: int, target: str) -> None:
        count, item = self.name("c"), self.name("v")
        is_map = schema["type"] == "map"
        self.emit(indent, f"{target} = {{}}" if is_map else f"{target} = []")
        self.long(indent, count)
        self.emit(indent, f"while {count}:")
        self.emit(indent + 1, f"if {count} < 0:")
        self.emit(indent + 2, "raise Unusual('negative block count')")
        self.emit(indent + 1, f"for _ in range({count}):")
        if is_map:
            key = self.name("m")
            self.primitive("string", indent + 2, key)
            self.value(schema["values"], indent + 2, item)
            self.emit(indent + 2, f"{target}[{key}] = {item}")
        else:
            self.value(schema["items"], indent + 2, item)
            self.emit(indent + 2, f"{target}.append({item})")
        self.long(indent + 1, count)


def compile_reader(parsed: dict[str, Any]) -> Callable[[bytes, int], tuple[Any, int]] | None:
    """`read(data, pos) -> (datum, end)` for a fastavro-parsed record schema, or None if not compilable."""
    generator = _Generator(parsed.get("__named_schemas", {}))
    try:
        generator.value(parsed, 1, "datum")
    except Unsupported:
        return None
    source = "def read(data, pos):\n" + "\n".join(generator.lines) + "\n    return datum, pos\n"
    namespace = {"_varint": _varint, "_date": _date, "_instant": _instant, "Unusual": Unusual}
    namespace |= generator.constants
    exec(compile(source, f"<avro reader {parsed.get('name')}>", "exec"), namespace)  # noqa: S102
    return cast(Callable[[bytes, int], tuple[Any, int]], namespace["read"])
