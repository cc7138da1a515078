"""The writer writes only the rows a batch changed: a row put back as it was loaded is not written again, and what
is stored afterwards is exactly what writing every row would have stored (SQLite and PostgreSQL)."""

import dataclasses
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event, select

from consumer.domain import decisions as d
from consumer.domain.model import ACTIVE, CONCURRENT, PRIMARY, Alert, Enrolment
from consumer.domain.reads import LoadRequest
from consumer.domain.state import Cause, State
from consumer.store import loader, tables, writer
from consumer.store.database import Database
from consumer.store.migrate import upgrade

STUDENT = "123456789"
AT = datetime(2025, 10, 1, 12, tzinfo=UTC)


def _primary(**changes) -> Enrolment:
    return dataclasses.replace(Enrolment(STUDENT, "1111", PRIMARY, date(2025, 9, 2), "10", source_event_id="e-1"),
                               **changes)


def _concurrent(**changes) -> Enrolment:
    enrolment = Enrolment(STUDENT, "2222", CONCURRENT, date(2025, 9, 9), "10", home_school_code="1111",
                          source_event_id="e-2")
    return dataclasses.replace(enrolment, **changes)


def _alert(**changes) -> Alert:
    alert = Alert("key-1", "id-1", "R8", "CONCURRENT_WITHOUT_PRIMARY", "ENROLMENT", "REJECTION", "RAISED", "2222",
                  "subject", "message", asn=STUDENT, details={"a": "1", "b": "2"}, source_event_id="e-3",
                  occurred_at=AT)
    return dataclasses.replace(alert, **changes)


@pytest.fixture
def database(db_url):
    database = Database(db_url)
    upgrade(database)
    state = State()
    state.apply([d.SaveEnrolment(_primary()), d.SaveEnrolment(_concurrent())])
    state.alerts[_alert().key] = _alert()  # raising goes through the rules; the row is what matters here
    state.changes["alerts"][_alert().key] = _alert()
    with database.engine.begin() as connection:
        writer.save_state(connection, state)
    yield database
    database.dispose()


def _stored(database: Database) -> dict[str, list[tuple]]:
    with database.engine.connect() as connection:
        return {
            name: [tuple(row) for row in connection.execute(select(table).order_by(*table.primary_key.columns))]
            for name, table in (("enrolments", tables.enrolments), ("alerts", tables.alerts))
        }


def _save_counting(database: Database, state: State) -> list[str]:
    """Save `state`, returning the primary keys of the enrolment and alert rows sent to the database."""
    sent: list[str] = []

    def seen(connection, cursor, statement, parameters, context, executemany) -> None:
        if not statement.lstrip().upper().startswith("INSERT INTO"):
            return
        for row in parameters if executemany else [parameters]:
            table = statement.split("(")[0].split()[-1].strip('"')
            values = list(row.values()) if isinstance(row, dict) else list(row)  # in the columns' order
            if table == "enrolments":
                sent.append("/".join(str(v) for v in values[:3]))
            elif table == "alerts":
                sent.append(str(values[0]))

    event.listen(database.engine, "before_cursor_execute", seen)
    try:
        with database.engine.begin() as connection:
            writer.save_state(connection, state)
    finally:
        event.remove(database.engine, "before_cursor_execute", seen)
    return sorted(sent)


def _load(database: Database) -> State:
    with database.engine.connect() as connection:
        return loader.load_state(connection, LoadRequest(asns={STUDENT}, schools={"1111", "2222"}))


def test_rows_put_back_unchanged_are_not_written_and_the_store_is_as_if_they_were(database):
    before = _stored(database)
    state = _load(database)
    state.cause = Cause("e-4", AT)
    primary, concurrent = state.enrolment(STUDENT, "1111", PRIMARY), state.enrolment(STUDENT, "2222", CONCURRENT)
    assert (primary, concurrent) == (_primary(), _concurrent())
    state.apply([
        d.SaveEnrolment(primary),  # put back exactly as loaded
        d.SaveEnrolment(dataclasses.replace(concurrent, exit_date=date(2025, 12, 1))),
        d.SaveEnrolment(concurrent),  # ...and changed back within the batch
        d.SaveEnrolment(_concurrent(home_school_code=None, source_event_id="e-5")),  # a real change at last
        d.ResolveAlert("key-1", "gone"),
    ])

    sent = _save_counting(database, state)

    assert sent == [f"{STUDENT}/2222/{CONCURRENT}", "key-1"]
    after = _load(database)
    assert after.enrolment(STUDENT, "1111", PRIMARY) == _primary()
    assert after.enrolment(STUDENT, "2222", CONCURRENT) == _concurrent(home_school_code=None, source_event_id="e-5")
    assert after.alert("key-1").status == "RESOLVED" and after.alert("key-1").details == {"a": "1", "b": "2",
                                                                                            "resolution": "gone"}
    assert _stored(database)["enrolments"][0] == before["enrolments"][0]


def test_a_row_equal_but_not_identical_to_the_loaded_one_is_written(database):
    state = _load(database)
    loaded = state.alert("key-1")
    reordered = dataclasses.replace(loaded, details={"b": "2", "a": "1"})  # equal dict, another order in the store
    state.apply([d.SaveEnrolment(state.enrolment(STUDENT, "1111", PRIMARY))])
    state._put(reordered)

    assert _save_counting(database, state) == ["key-1"]
    assert _load(database).alert("key-1") == loaded


def test_a_row_deleted_is_deleted_and_one_put_back_after_a_purge_is_not_rewritten(database):
    state = _load(database)
    concurrent = state.enrolment(STUDENT, "2222", CONCURRENT)
    state.apply([d.PurgeEnrolment(concurrent.key), d.SaveEnrolment(concurrent)])  # purged, then as it was
    state.apply([d.PurgeEnrolment(_primary().key)])

    assert _save_counting(database, state) == []
    after = _load(database)
    assert after.enrolment(STUDENT, "1111", PRIMARY) is None
    assert after.enrolment(STUDENT, "2222", CONCURRENT) == concurrent
    assert concurrent.status == ACTIVE
