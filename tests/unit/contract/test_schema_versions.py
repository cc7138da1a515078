"""Every schema version ever released stays readable: each keeps a frozen pair of sample files
(`v<N>.samples.jsonl` and the Avro bytes written with v<N>, `v<N>.samples.hex`), and the current
codec must decode every sample of every version to the message its JSON line describes.
"""

import io
import json
import re
import shutil
from pathlib import Path

import pytest

from schemas.catalog import AVRO_DIR, SchemaCatalog, SchemaVersion, default_catalog, load_version
from schemas.codec import AvroCodec, MessageCodec, parse_json_line
from schemas.events import EVENT_TYPES
from schemas.make_samples import encode_samples, make_samples, sample_paths

CATALOG = default_catalog()
CODEC = MessageCodec()
VERSION_FILE = re.compile(r"^v(\d+)\.avsc$")


def kept_versions() -> list[Path]:
    """Every `.avsc` under schemas/avro, found without the catalog's help."""
    return sorted(p for p in AVRO_DIR.glob("*/*.avsc") if VERSION_FILE.match(p.name))


def version_id(path: Path) -> str:
    return f"{path.parent.name}-{path.stem}"


def samples_of(path: Path) -> list[tuple[str, str]]:
    """(JSON line, hex line) pairs of one schema version's samples."""
    version = load_version(path)
    jsonl, hex_path = sample_paths(version)
    json_lines = jsonl.read_text(encoding="utf-8").splitlines()
    hex_lines = hex_path.read_text(encoding="ascii").splitlines()
    assert len(json_lines) == len(hex_lines), f"{hex_path.name} must have one line per line of {jsonl.name}"
    return list(zip(json_lines, hex_lines, strict=True))


def crc_64_avro(data: bytes) -> int:
    """The Rabin fingerprint of the Avro specification ("Schema Fingerprints"), written out independently."""
    empty = 0xC15D213AA4D7A795
    table = []
    for i in range(256):
        fp = i
        for _ in range(8):
            fp = (fp >> 1) ^ (empty & -(fp & 1))
        table.append(fp)
    fp = empty
    for byte in data:
        fp = (fp >> 8) ^ table[(byte ^ fp) & 0xFF]
    return fp


def test_schema_versions_are_kept_for_every_record():
    assert {p.parent.name for p in kept_versions()} == {
        "EnrollmentChanged",
        "TermClosed",
        "CoreAlert",
        "PasiExitDateSync",
    }


@pytest.mark.parametrize("path", kept_versions(), ids=version_id)
def test_every_kept_schema_version_has_a_pair_of_sample_files(path):
    jsonl, hex_path = sample_paths(load_version(path))

    assert jsonl.is_file(), f"missing {jsonl.relative_to(AVRO_DIR)}"
    assert hex_path.is_file(), f"missing {hex_path.relative_to(AVRO_DIR)} (python -m schemas.make_samples)"
    assert samples_of(path), "a version's samples hold at least one message"


@pytest.mark.parametrize("path", kept_versions(), ids=version_id)
def test_every_sample_of_every_version_decodes_with_the_current_codec_to_its_json_line(path):
    version = load_version(path)
    for number, (json_line, hex_line) in enumerate(samples_of(path), start=1):
        assert re.fullmatch(r"(?:[0-9a-f]{2})+", hex_line), f"line {number}: not lowercase hex"
        data = bytes.fromhex(hex_line)
        assert data[2:10] == version.fingerprint, f"line {number}: not written with {version.name} v{version.version}"

        assert CODEC.decode(data) == parse_json_line(version.name, json_line), f"line {number}"


@pytest.mark.parametrize("path", [p for p in kept_versions() if p.parent.name == "EnrollmentChanged"], ids=version_id)
def test_the_samples_of_an_enrollment_changed_version_cover_each_of_its_event_types(path):
    raw = json.loads(path.read_text())
    (event_type_field,) = (f for f in raw["fields"] if f["name"] == "event_type")
    covered = {json.loads(json_line)["event_type"] for json_line, _ in samples_of(path)}

    assert set(event_type_field["type"]["symbols"]) <= covered


def test_the_current_enrollment_changed_samples_cover_every_event_type_of_the_models():
    current = CATALOG.current("EnrollmentChanged")
    covered = {json.loads(json_line)["event_type"] for json_line, _ in samples_of(current.path)}

    assert set(EVENT_TYPES) <= covered


def test_the_newest_samples_re_encode_byte_for_byte():
    for name in CATALOG.names:
        version = CATALOG.current(name)
        _, hex_path = sample_paths(version)

        assert encode_samples(version, CODEC) == hex_path.read_text(encoding="ascii"), f"{name} v{version.version}"


def test_the_fingerprints_of_all_versions_are_distinct():
    fingerprints = [load_version(p).fingerprint for p in kept_versions()]

    assert len(set(fingerprints)) == len(fingerprints)


@pytest.mark.parametrize("path", kept_versions(), ids=version_id)
def test_a_fingerprint_is_the_little_endian_crc_64_avro_of_the_parsing_canonical_form(path):
    version = load_version(path)

    assert version.fingerprint == crc_64_avro(version.canonical.encode("utf-8")).to_bytes(8, "little")
    assert CATALOG.by_fingerprint(version.fingerprint).path == path


def test_the_crc_64_avro_of_this_test_matches_the_avro_specification():
    assert crc_64_avro(b'"null"') == 7195948357588979594  # share/test/data/schema-tests.txt in Apache Avro


def test_the_catalogs_current_version_of_each_record_is_its_highest_version():
    highest: dict[str, int] = {}
    for path in kept_versions():
        number = int(VERSION_FILE.match(path.name).group(1))
        highest[path.parent.name] = max(number, highest.get(path.parent.name, 0))

    assert {name: CATALOG.current(name).version for name in CATALOG.names} == highest


def _add_version(root: Path, record: str, number: int, extra_field: dict) -> None:
    raw = json.loads((AVRO_DIR / record / "v1.avsc").read_text())
    raw["fields"].append(extra_field)
    (root / record / f"v{number}.avsc").write_text(json.dumps(raw))


def _comment_field(n: int) -> dict:
    return {"name": f"comment{n}", "type": ["null", "string"], "default": None}


def test_the_current_version_is_the_highest_number_not_the_last_in_text_order(tmp_path):
    shutil.copytree(AVRO_DIR / "TermClosed", tmp_path / "TermClosed")
    for number in (2, 9, 10):
        _add_version(tmp_path, "TermClosed", number, _comment_field(number))

    catalog = SchemaCatalog(tmp_path)

    assert catalog.current("TermClosed").version == 10
    assert len({v.fingerprint for v in catalog.versions}) == 4


def test_a_message_written_with_an_older_version_decodes_with_the_newest_as_reader(tmp_path):
    shutil.copytree(AVRO_DIR / "TermClosed", tmp_path / "TermClosed")
    _add_version(tmp_path, "TermClosed", 2, _comment_field(2))
    catalog = SchemaCatalog(tmp_path)
    v1: SchemaVersion = next(v for v in catalog.versions if v.version == 1)
    (_, hex_line), *_ = samples_of(v1.path)

    name, datum = AvroCodec(catalog).decode(bytes.fromhex(hex_line))

    assert name == "TermClosed"
    assert datum["comment2"] is None
    assert datum["run_id"] == "eoy-2025-26"


def test_the_sample_tool_leaves_released_samples_alone_unless_forced(tmp_path):
    shutil.copytree(AVRO_DIR / "TermClosed", tmp_path / "TermClosed")
    hex_path = tmp_path / "TermClosed" / "v1.samples.hex"
    hex_path.write_text("00\n")
    catalog = SchemaCatalog(tmp_path)
    report = io.StringIO()

    assert make_samples(catalog, out=report) == 1
    assert hex_path.read_text() == "00\n"
    assert "frozen" in report.getvalue()

    assert make_samples(catalog, force=True, out=io.StringIO()) == 0
    assert hex_path.read_text() == (AVRO_DIR / "TermClosed" / "v1.samples.hex").read_text()
