"""Waiting for asynchronous results by polling with a deadline, never a bare sleep."""

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_for(probe: Callable[[], T], timeout_s: float = 30.0, interval_s: float = 0.1, what: str = "condition") -> T:
    """Call `probe` until it returns something truthy; fail with `what` after the timeout."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:g} s waiting for {what} (last value: {value!r})")
        time.sleep(interval_s)


def wait_until(probe: Callable[[], object], timeout_s: float, interval_s: float = 0.05) -> bool:
    """Call `probe` until it returns something truthy or `timeout_s` passes; whether it did."""
    deadline = time.monotonic() + timeout_s
    while not probe():
        if time.monotonic() > deadline:
            return False
        time.sleep(interval_s)
    return True
