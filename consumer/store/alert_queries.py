"""The Core Alerts search: filters like PowerSchool's, newest first, using the alerts table's indexes."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.sql.elements import ColumnElement

from consumer.config.settings import Settings
from consumer.store import tables as t
from consumer.store.database import Database


@dataclass(frozen=True)
class AlertFilter:
    status: str | None = None
    code: str | None = None
    category: str | None = None
    alert_type: str | None = None
    school: str | None = None
    asn: str | None = None
    school_year: int | None = None
    since: date | None = None
    until: date | None = None


def conditions(f: AlertFilter, zone: tzinfo) -> list[ColumnElement[bool]]:
    """The filter as conditions on the alerts table; dates are business days in `zone`."""
    a = t.alerts.c
    found: list[ColumnElement[bool]] = []
    for column, value in (
        (a.status, f.status), (a.code, f.code), (a.category, f.category),
        (a.alert_type, f.alert_type), (a.school_code, f.school), (a.asn, f.asn), (a.school_year_id, f.school_year),
    ):
        if value is not None:
            found.append(column == value)
    if f.since is not None:
        found.append(a.occurred_at >= datetime.combine(f.since, time(0), zone))
    if f.until is not None:
        found.append(a.occurred_at < datetime.combine(f.until + timedelta(days=1), time(0), zone))
    return found


def search(database: Database, f: AlertFilter, settings: Settings, limit: int = 100) -> tuple[int, list[Row[Any]]]:
    """(how many alerts match, the newest `limit` of them)."""
    where = conditions(f, settings.zone)
    with database.engine.connect() as connection:
        total = connection.execute(select(func.count()).select_from(t.alerts).where(*where)).scalar_one()
        rows = connection.execute(
            select(t.alerts).where(*where).order_by(t.alerts.c.occurred_at.desc(), t.alerts.c.alert_key).limit(limit)
        ).all()
    return total, list(rows)
