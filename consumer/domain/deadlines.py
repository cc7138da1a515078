"""The deadlines a state holds, by id: asking which are due is asked twice an event, and is cheap when none is."""

from datetime import datetime
from typing import Any

from consumer.domain.model import Deadline


class Deadlines(dict[str, Deadline]):
    """A dict of deadlines by id that knows its earliest due time (worked out again after any change)."""

    _earliest: datetime | None = None  # None: not known since the last change

    def due(self, watermark: datetime) -> list[Deadline]:
        """The deadlines due by `watermark`, earliest first (ties by id)."""
        if not self:
            return []
        if self._earliest is None:
            self._earliest = min(x.due_at for x in self.values())
        if self._earliest > watermark:
            return []
        return sorted((x for x in self.values() if x.due_at <= watermark), key=lambda x: (x.due_at, x.deadline_id))

    def __setitem__(self, key: str, value: Deadline) -> None:
        self._earliest = None
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self._earliest = None
        super().__delitem__(key)

    def pop(self, key: str, *default: Any) -> Any:
        self._earliest = None
        return super().pop(key, *default)

    def popitem(self) -> tuple[str, Deadline]:
        self._earliest = None
        return super().popitem()

    def clear(self) -> None:
        self._earliest = None
        super().clear()

    def setdefault(self, key: str, default: Any = None) -> Any:
        self._earliest = None
        return super().setdefault(key, default)

    def update(self, *items: Any, **more: Deadline) -> None:
        self._earliest = None
        super().update(*items, **more)

    def __ior__(self, other: Any) -> "Deadlines":  # type: ignore[override,misc]
        self._earliest = None
        return super().__ior__(other)

