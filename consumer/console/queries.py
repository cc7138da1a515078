"""What the console's alert and sync pages read: filtered pages in time order, an alert's life, CSV rows."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select
from sqlalchemy.engine import Connection

from consumer.console.forms import SyncFilter
from consumer.console.paging import Page, PageRequest, Position, fetch_page, following, positions
from consumer.store import tables as t
from consumer.store.alert_queries import AlertFilter, conditions

EXPORT_CHUNK = 1_000


@dataclass(frozen=True)
class Listing:
    """A table's time and id columns, and how to filter it."""

    table: object
    time_name: str
    key_name: str

    @property
    def time_column(self):
        return self.table.c[self.time_name]

    @property
    def key_column(self):
        return self.table.c[self.key_name]


ALERTS = Listing(t.alerts, "occurred_at", "alert_id")
SYNCS = Listing(t.syncs, "occurred_at", "id")
DEAD_LETTERS = Listing(t.dead_letters, "failed_at", "message_id")


def sync_conditions(f: SyncFilter, zone: ZoneInfo) -> list:
    s = t.syncs.c
    found = [column == value for column, value in ((s.school_code, f.school), (s.action, f.action), (s.asn, f.asn))
             if value is not None]
    if f.since is not None:
        found.append(s.occurred_at >= datetime.combine(f.since, time(0), zone))
    if f.until is not None:
        found.append(s.occurred_at < datetime.combine(f.until + timedelta(days=1), time(0), zone))
    return found


def page_of(connection: Connection, listing: Listing, where: list, request: PageRequest) -> tuple[Page, tuple]:
    """The page and the (first, last) row positions its previous and next links continue from."""
    page = fetch_page(connection, listing.table, listing.time_column, listing.key_column, where, request)
    return page, positions(page, listing.time_name, listing.key_name)


def alerts_page(connection: Connection, f: AlertFilter, request: PageRequest, zone: ZoneInfo):
    return page_of(connection, ALERTS, conditions(f, zone), request)


def syncs_page(connection: Connection, f: SyncFilter, request: PageRequest, zone: ZoneInfo):
    return page_of(connection, SYNCS, sync_conditions(f, zone), request)


@dataclass(frozen=True)
class AlertLife:
    alert: object  # the alert's row as it is now
    transitions: list  # alert_events rows, oldest first
    occurrences: list  # earlier and later occurrences' ids of the same problem, if the ids tell them apart


def alert_life(connection: Connection, alert_id: str) -> AlertLife | None:
    alert = connection.execute(select(t.alerts).where(t.alerts.c.alert_id == alert_id)).first()
    if alert is None:
        return None
    e = t.alert_events.c
    transitions = connection.execute(
        select(t.alert_events).where(e.alert_id == alert_id).order_by(e.occurred_at, e.status.desc())
    ).all()
    a = t.alerts.c
    same_problem = select(a.alert_id, a.status, a.occurred_at).where(
        a.rule == alert.rule, a.code == alert.code, a.school_code == alert.school_code, a.subject == alert.subject,
        a.asn.is_(None) if alert.asn is None else a.asn == alert.asn, a.alert_id != alert_id,
    )
    occurrences = connection.execute(same_problem.order_by(a.occurred_at).limit(20)).all()
    return AlertLife(alert, transitions, occurrences)


def export_rows(engine: Engine, listing: Listing, where: list, newest_first: bool = True) -> Iterator:
    """Every matching row in time order, read a chunk at a time along the index (memory stays flat)."""
    time_column, key_column = listing.time_column, listing.key_column
    order = [time_column.desc(), key_column.desc()] if newest_first else [time_column, key_column]
    after = None
    while True:
        query = select(listing.table).where(*where)
        if after is not None:
            query = query.where(following(time_column, key_column, after, newest_first))
        with engine.connect() as connection:
            rows = connection.execute(query.order_by(*order).limit(EXPORT_CHUNK)).all()
        yield from rows
        if len(rows) < EXPORT_CHUNK:
            return
        last = rows[-1]._mapping
        after = Position(last[listing.time_name], last[listing.key_name])
