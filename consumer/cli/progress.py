"""Progress bars for long file operations, shown only on a terminal."""

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

LARGE_FILE_BYTES = 256 * 1024


@contextlib.contextmanager
def progress_bar(label: str, file: Path | None = None, total: int | None = None) -> Iterator[Callable[[int], None]]:
    """Yield `advance(n)`; draws a bar on stderr when it is a terminal and the work is large."""
    large = (file is not None and file.stat().st_size >= LARGE_FILE_BYTES) or (total or 0) >= 10_000
    if not (sys.stderr.isatty() and large):
        yield lambda n: None
        return
    with Progress(
        TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=True
    ) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.update(task, advance=n) if total else bar.update(task, completed=n)
        bar.update(task, completed=total or 0)
