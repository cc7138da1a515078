"""Printing tables: readable on a terminal and when piped."""

from rich.console import Console


def wide_console() -> Console:
    """Off a terminal Rich would wrap tables at 80 columns; logs and pipes get 200."""
    console = Console()
    return console if console.is_terminal else Console(width=200)
