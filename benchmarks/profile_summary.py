"""Summarise a py-spy `--format raw` profile (collapsed stacks) as text: where the samples went.

    python -m benchmarks.profile_summary PROFILE.txt [--top 25] [--focus NAME ...]

Prints the share of all samples for the functions with the most inclusive time (counted once per
stack) and the most self time (the leaf frame). Idle samples (waiting in poll/select/sleep or on a
lock) are reported apart and left out of the shares.
"""

import argparse
import re
from collections import Counter
from pathlib import Path

_IDLE_CALLS = {"select", "poll", "wait", "_wait_for_tstate_lock", "sleep", "acquire", "accept"}
_FRAME = re.compile(r"^(?P<name>.+?) \((?P<file>[^:()]+)(?::(?P<line>\d+))?\)$")


def _short(frame: str) -> str:
    match = _FRAME.match(frame.strip())
    if not match:
        return frame.strip()
    path = match.group("file")
    for marker in ("site-packages/", "/work/main/", "lib/python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{match.group('name')} ({path})"


def _idle(frame: str) -> bool:
    name = frame.split(" (", 1)[0]
    return name.rsplit(".", 1)[-1] in _IDLE_CALLS


def load(path: Path) -> list[tuple[list[str], int]]:
    stacks = []
    for line in path.read_text().splitlines():
        if not line.strip():
            continue
        frames, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue  # a sample py-spy could not resolve
        stacks.append(([_short(f) for f in frames.split(";") if f], int(count)))
    return stacks


def summarise(path: Path, top: int = 25, focus: list[str] = ()) -> str:
    stacks = load(path)
    idle = sum(n for frames, n in stacks if _idle(frames[-1]))
    busy = [(frames, n) for frames, n in stacks if not _idle(frames[-1])]
    total = sum(n for _, n in busy) or 1
    inclusive, leaf = Counter(), Counter()
    for frames, n in busy:
        for frame in set(frames):
            inclusive[frame] += n
        leaf[frames[-1]] += n
    lines = [f"{path.name}: {total} busy samples, {idle} idle samples left out"]
    lines.append("inclusive (share of busy samples):")
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in inclusive.most_common(top)]
    lines.append("self:")
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in leaf.most_common(top)]
    for name in focus:
        share = sum(n for f, n in inclusive.items() if name in f)
        lines.append(f"focus {name}: {100 * share / total:.1f}% (summed over matching frames)")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("profile", type=Path)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--focus", nargs="*", default=[])
    args = parser.parse_args()
    print(summarise(args.profile, args.top, args.focus))


if __name__ == "__main__":
    main()
