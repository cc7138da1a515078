"""Domain records to table rows and back: column names are the records' field names."""

import dataclasses
from collections.abc import Iterable
from operator import itemgetter
from typing import Any, TypeVar

from sqlalchemy import Table

from consumer.domain.model import (
    Alert,
    CourseEnrolment,
    Deadline,
    Enrolment,
    SchoolTerms,
    Section,
    StoredGrade,
    Transfer,
)
from consumer.store import tables

R = TypeVar("R")

TABLE_OF = {
    "enrolments": (tables.enrolments, Enrolment),
    "course_enrolments": (tables.course_enrolments, CourseEnrolment),
    "stored_grades": (tables.stored_grades, StoredGrade),
    "school_terms": (tables.school_terms, SchoolTerms),
    "sections": (tables.sections, Section),
    "alerts": (tables.alerts, Alert),
    "transfers": (tables.transfers, Transfer),
    "deadlines": (tables.deadlines, Deadline),
}
_FIELDS = {cls: tuple(f.name for f in dataclasses.fields(cls)) for _, cls in TABLE_OF.values()}


def to_row(record: Any) -> dict[str, Any]:
    row = {name: getattr(record, name) for name in _FIELDS[type(record)]}
    if isinstance(record, SchoolTerms):
        row["term_ids"] = sorted(record.term_ids)
        row["misplaced_term_ids"] = sorted(record.misplaced_term_ids)
    elif isinstance(record, Section):
        row["school_year_id"] = record.school_year_id
    return row


def from_rows(cls: type[R], rows: Iterable[Any]) -> list[R]:
    """Result rows to records of `cls`. The values are taken by position: columns are looked up by
    name once per result rather than once per value, the loader's largest cost when done per value."""
    rows = rows if isinstance(rows, list) else list(rows)
    if not rows:
        return []
    names = _FIELDS[cls]
    columns = rows[0]._fields
    pick = itemgetter(*(columns.index(name) for name in names))
    if cls is SchoolTerms:
        sets = [names.index("term_ids"), names.index("misplaced_term_ids")]
        records = []
        for row in rows:
            values = list(pick(row))
            for at in sets:
                values[at] = frozenset(values[at])
            records.append(cls(*values))
        return records
    return [cls(*pick(row)) for row in rows]


def key_row(table: Table, key: Any) -> dict[str, Any]:
    """The primary-key columns of `table` for a domain key (a value or a tuple)."""
    names = [column.name for column in table.primary_key.columns]
    values = key if isinstance(key, tuple) else (key,)
    return dict(zip(names, values, strict=True))
