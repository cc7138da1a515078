"""Reading the console's query strings: every value checked, every problem named, nothing passed on unchecked."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import get_args

from consumer.console.paging import PageRequest, Position
from consumer.domain.alerts import ALL as ALERT_KINDS
from consumer.store.alert_queries import AlertFilter
from schemas.types import AlertCategory, AlertStatus, AlertType, SyncAction

STATUSES = get_args(AlertStatus)
CATEGORIES = get_args(AlertCategory)
TYPES = get_args(AlertType)
CODES = tuple(sorted({kind.code for kind in ALERT_KINDS}))
ACTIONS = get_args(SyncAction)
ORDERS = ("newest", "oldest")
LONGEST = 100  # no valid value is longer; anything longer is refused before it is looked at


class BadQuery(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


class Query:
    """One request's query string. Problems are collected, so a page can name all of them at once."""

    def __init__(self, params: Mapping[str, str]):
        self.params = params
        self.problems: list[str] = []
        self.kept: dict[str, str] = {}  # accepted filter values, for the links of other pages of this list

    def text(self, name: str, label: str) -> str | None:
        value = (self.params.get(name) or "").strip()
        if len(value) > LONGEST:
            self.problems.append(f"{label}: the value is too long ({len(value)} characters).")
            return None
        return value or None

    def _keep(self, name: str, value):
        if value is not None:
            self.kept[name] = str(value)
        return value

    def choice(self, name: str, label: str, allowed: tuple[str, ...]) -> str | None:
        value = self.text(name, label)
        if value is None:
            return None
        if value.upper() not in allowed:
            self.problems.append(f"{label}: {value!r} is not one of {', '.join(allowed)}.")
            return None
        return self._keep(name, value.upper())

    def digits(self, name: str, label: str, count: int, what: str) -> str | None:
        value = self.text(name, label)
        if value is None:
            return None
        if len(value) != count or not value.isdigit() or not value.isascii():
            self.problems.append(f"{label}: {value!r} is not {what}.")
            return None
        return self._keep(name, value)

    def number(self, name: str, label: str, low: int, high: int) -> int | None:
        value = self.text(name, label)
        if value is None:
            return None
        if not (value.isdigit() and value.isascii() and len(value) <= 9 and low <= int(value) <= high):
            self.problems.append(f"{label}: {value!r} is not a whole number from {low} to {high}.")
            return None
        return self._keep(name, int(value))

    def day(self, name: str, label: str) -> date | None:
        value = self.text(name, label)
        if value is None:
            return None
        try:
            return self._keep(name, date.fromisoformat(value))
        except ValueError:
            self.problems.append(f"{label}: {value!r} is not a date (YYYY-MM-DD).")
            return None

    def flag(self, name: str) -> bool:
        return (self.params.get(name) or "") in ("1", "true", "yes", "on")

    def page(self) -> PageRequest:
        order = self.choice("order", "Order", tuple(o.upper() for o in ORDERS)) or "NEWEST"
        if order != "NEWEST":
            self.kept["order"] = order.lower()
        else:
            self.kept.pop("order", None)
        raw_page = self.text("page", "Page")
        number = 1
        if raw_page is not None:
            if not (raw_page.isdigit() and raw_page.isascii() and int(raw_page) >= 1):
                self.problems.append(f"Page: {raw_page!r} is not a page number (1, 2, 3 …).")
            elif len(raw_page) > 9:  # no list has a billion pages of 50
                self.problems.append(f"Page: {raw_page} is past the last page of this list.")
            else:
                number = int(raw_page)
        after, before = self._position("after"), self._position("before")
        return PageRequest(number, after, before, newest_first=order == "NEWEST")

    def _position(self, name: str) -> Position | None:
        value = self.text(name, "Position")
        if value is None:
            return None
        try:
            return Position.parse(value)
        except ValueError:
            self.problems.append("Position: the link's place in the list is not one this console made; start again "
                                 "from the first page.")
            return None

    def check(self) -> None:
        if self.problems:
            raise BadQuery(self.problems)


@dataclass(frozen=True)
class SyncFilter:
    school: str | None = None
    action: str | None = None
    asn: str | None = None
    since: date | None = None
    until: date | None = None


def alert_filter(query: Query) -> AlertFilter:
    return AlertFilter(
        status=query.choice("status", "Status", STATUSES),
        code=query.choice("code", "Code", CODES),
        category=query.choice("category", "Category", CATEGORIES),
        alert_type=query.choice("type", "Type", TYPES),
        school=query.digits("school", "School", 4, "a 4-digit school code"),
        asn=query.digits("asn", "ASN", 9, "a 9-digit ASN"),
        school_year=query.number("year", "School year", 0, 999),
        since=query.day("from", "From"),
        until=query.day("to", "To"),
    )


def sync_filter(query: Query) -> SyncFilter:
    return SyncFilter(
        school=query.digits("school", "School", 4, "a 4-digit school code"),
        action=query.choice("action", "Action", ACTIONS),
        asn=query.digits("asn", "ASN", 9, "a 9-digit ASN"),
        since=query.day("from", "From"),
        until=query.day("to", "To"),
    )
