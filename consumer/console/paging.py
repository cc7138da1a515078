"""Pages of rows in time order. Next and previous continue from a row's (time, id) position along an
index (keyset), so the thousandth page costs what the first does; a page number alone is an offset."""

import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select, tuple_
from sqlalchemy.engine import Connection

PAGE_SIZE = 50


@dataclass(frozen=True)
class Position:
    """Where a row sits in time order: its time, then its id to break ties."""

    at: datetime
    key: str | int

    def token(self) -> str:
        return f"{self.at.isoformat()}~{self.key}"

    @classmethod
    def parse(cls, token: str) -> "Position":
        at, separator, key = token.rpartition("~")
        if not separator or not key or len(key) > 64 or not key.replace("-", "").isalnum():
            raise ValueError(token)
        moment = datetime.fromisoformat(at)
        if moment.tzinfo is None:
            raise ValueError(token)
        return cls(moment, key)


@dataclass(frozen=True)
class PageRequest:
    number: int = 1
    after: Position | None = None  # the last row of the page before
    before: Position | None = None  # the first row of the page after
    newest_first: bool = True


@dataclass(frozen=True)
class Page:
    rows: list
    total: int
    number: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def first_shown(self) -> int:
        return (self.number - 1) * self.size + 1 if self.rows else 0

    @property
    def last_shown(self) -> int:
        return self.first_shown + len(self.rows) - 1 if self.rows else 0


class BadPosition(ValueError):
    def __init__(self):
        super().__init__("Position: the link's place in the list is not one this console made; start again from "
                         "the first page.")


class PageOutOfRange(ValueError):
    def __init__(self, number: int, pages: int):
        super().__init__(f"page {number} does not exist: there {'is' if pages == 1 else 'are'} {pages} "
                         f"page{'' if pages == 1 else 's'} for this filter")


def fetch_page(connection: Connection, table, time_column, key_column, where: list, request: PageRequest,
               size: int = PAGE_SIZE) -> Page:
    """The page `request` asks for among the rows matching `where` (a list of conditions)."""
    total = connection.execute(select(func.count()).select_from(table).where(*where)).scalar_one()
    pages = max(1, math.ceil(total / size))
    if request.number > pages:
        raise PageOutOfRange(request.number, pages)
    if total == 0:
        return Page([], 0, 1, size)
    forward = [time_column.desc(), key_column.desc()] if request.newest_first else [time_column, key_column]
    backward = [time_column, key_column] if request.newest_first else [time_column.desc(), key_column.desc()]
    query = select(table).where(*where)
    if request.after is not None:
        query = query.where(following(time_column, key_column, request.after, request.newest_first))
        rows = connection.execute(query.order_by(*forward).limit(size)).all()
    elif request.before is not None:
        query = query.where(following(time_column, key_column, request.before, not request.newest_first))
        rows = connection.execute(query.order_by(*backward).limit(size)).all()[::-1]
    else:
        rows = connection.execute(query.order_by(*forward).limit(size).offset((request.number - 1) * size)).all()
    return Page(rows, total, request.number, size)


def following(time_column, key_column, position: Position, newest_first: bool):
    """Rows after `position` in the list's order: a range on the (time, id) index."""
    key = position.key
    if key_column.type.python_type is int:
        if not (isinstance(key, int) or (key.isdigit() and key.isascii())):
            raise BadPosition()
        key = int(key)
    # typed parameters: SQLite compares times as text, so the column's own conversion must apply
    mark = tuple_(bindparam(None, position.at, type_=time_column.type), bindparam(None, key, type_=key_column.type))
    here = tuple_(time_column, key_column)
    return here < mark if newest_first else here > mark


def positions(page: Page, time_name: str, key_name: str) -> tuple[Position | None, Position | None]:
    """(the first row's position, the last row's position) for the previous and next links."""
    if not page.rows:
        return None, None
    first, last = page.rows[0]._mapping, page.rows[-1]._mapping
    return Position(first[time_name], first[key_name]), Position(last[time_name], last[key_name])
