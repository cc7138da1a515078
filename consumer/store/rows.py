"""Domain records to table rows and back: column names are the records' field names."""

import dataclasses
from typing import Any

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
    return row


def from_row(cls: type, row: Any) -> Any:
    values = {name: row._mapping[name] for name in _FIELDS[cls]}
    if cls is SchoolTerms:
        values["term_ids"] = frozenset(values["term_ids"])
    return cls(**values)


def key_row(table, key: Any) -> dict[str, Any]:
    """The primary-key columns of `table` for a domain key (a value or a tuple)."""
    names = [column.name for column in table.primary_key.columns]
    values = key if isinstance(key, tuple) else (key,)
    return dict(zip(names, values, strict=True))
