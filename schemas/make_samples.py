"""Write the Avro samples of the newest schema version of each record from its JSON samples.

Maintainer tool::

    python -m schemas.make_samples            # write missing .hex files, check the others
    python -m schemas.make_samples --force    # also rewrite a .hex that differs (unreleased version only!)

Next to every schema version `schemas/avro/<Record>/v<N>.avsc` live its samples:
`v<N>.samples.jsonl` (one message a line, in the contract's JSON form) and `v<N>.samples.hex`
(line i is the Avro single-object encoding of JSON line i, written with v<N>, as lowercase hex).
The tests decode every hex line of every version with the current codec and compare it with the
JSON line, which is how a new schema version proves it still reads everything ever written.

Sample files of released versions are frozen: they are never edited and never regenerated,
because they are the record of the bytes that version put on the wire. This tool only ever
writes samples for the newest version of each record (the writer schema of the current codec),
and is meant for a version that is being added and has not been released yet: write its
`.jsonl`, run the tool, commit both files with the new `.avsc`, and do not run it for that
version again once released. An existing `.hex` that would change is left alone (exit status 1)
unless `--force` is given.
"""

import argparse
import sys
from pathlib import Path
from typing import TextIO

from schemas.catalog import SchemaCatalog, SchemaVersion, default_catalog
from schemas.codec import AvroCodec, MessageCodec, parse_json_line


def sample_paths(version: SchemaVersion) -> tuple[Path, Path]:
    """The `.jsonl` and `.hex` sample files of one schema version."""
    stem = version.path.with_suffix("")  # .../v3
    return stem.with_suffix(".samples.jsonl"), stem.with_suffix(".samples.hex")


def encode_samples(version: SchemaVersion, codec: MessageCodec) -> str:
    """The `.hex` text for the version's `.jsonl`: one lowercase hex line per non-blank JSON line."""
    jsonl, _ = sample_paths(version)
    lines = []
    for number, line in enumerate(jsonl.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            raise ValueError(f"{jsonl}:{number}: blank line (line i of .hex must encode line i of .jsonl)")
        message = parse_json_line(version.name, line)
        lines.append(codec.encode(message).hex())
    return "".join(f"{hex_line}\n" for hex_line in lines)


def make_samples(catalog: SchemaCatalog | None = None, *, force: bool = False, out: TextIO = sys.stdout) -> int:
    """Write or check the `.hex` samples of each record's newest version; 0 when all are in place."""
    catalog = catalog or default_catalog()
    codec = MessageCodec(AvroCodec(catalog))
    status = 0
    for name in catalog.names:
        version = catalog.current(name)
        jsonl, hex_path = sample_paths(version)
        if not jsonl.exists():
            print(f"{name} v{version.version}: no {jsonl.name}; write one message a line first", file=out)
            status = 1
            continue
        text = encode_samples(version, codec)
        if hex_path.exists() and hex_path.read_text(encoding="utf-8") == text:
            print(f"{name} v{version.version}: {hex_path.name} up to date", file=out)
        elif hex_path.exists() and not force:
            print(
                f"{name} v{version.version}: {hex_path.name} differs from {jsonl.name}; released samples are "
                "frozen (use --force only for a version not yet released)",
                file=out,
            )
            status = 1
        else:
            hex_path.write_text(text, encoding="utf-8")
            print(f"{name} v{version.version}: wrote {hex_path.name} ({text.count(chr(10))} messages)", file=out)
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m schemas.make_samples", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--force", action="store_true", help="rewrite a .hex that differs (only for a version not yet released)"
    )
    args = parser.parse_args(argv)
    return make_samples(force=args.force)


if __name__ == "__main__":
    sys.exit(main())
