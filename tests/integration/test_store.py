"""The state store: migrations build exactly the tables the code uses, on SQLite and PostgreSQL."""

from datetime import UTC, date, datetime

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select, text

from consumer.store import tables
from consumer.store.database import Database
from consumer.store.migrate import current_revision, head_revision, upgrade
from consumer.store.tables import metadata


def test_migrations_create_exactly_the_tables_the_code_defines(db_url):
    database = Database(db_url)
    try:
        upgrade(database)
        upgrade(database)  # a second start finds the schema current and changes nothing
        assert current_revision(database) == head_revision()
        with database.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), metadata)
        assert differences == []
    finally:
        database.dispose()


def _insert(database: Database, table: str, **row) -> None:
    columns = ", ".join(row)
    values = ", ".join(f":{name}" for name in row)
    with database.engine.begin() as connection:
        connection.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({values})"), row)


def _rows(database: Database, table: str) -> list[dict]:
    with database.engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(text(f"SELECT * FROM {table}"))]


def test_upgrading_a_store_of_the_first_schema_keeps_its_state(db_url):
    database = Database(db_url)
    try:
        upgrade(database, "0001")
        _insert(database, "alerts", alert_id="a-1", rule="R8", code="CONCURRENT_WITHOUT_PRIMARY",
                category="ENROLMENT", alert_type="REJECTION", status="RAISED", asn="123456789", school_code="2222",
                subject="", message="m", details="{}", occurrence=2, source_event_id="e-1",
                occurred_at=datetime(2026, 3, 2, tzinfo=UTC))

        _insert(database, "course_enrolments", asn="123456789", school_code="2222", course_code="MAT1791",
                section_id="C1", term_id=3500, entry_date=date(2025, 9, 2), course_type="REG", source_event_id="e-2")
        _insert(database, "sections", school_code="2222", course_code="MAT1791", section_id="C1", term_id=3501,
                source_event_id="e-4")
        _insert(database, "school_terms", school_code="2222", school_year_id=35, term_ids="[3501]",
                is_summer_school=False, source_event_id="e-5")

        upgrade(database)

        [alert] = _rows(database, "alerts")
        assert (alert["alert_key"], alert["alert_id"], alert["occurrence"]) == ("a-1", "a-1", 2)
        _insert(database, "course_enrolments", asn="123456789", school_code="2222", course_code="MAT1791",
                section_id="C1", term_id=3500, entry_date=date(2026, 3, 2), course_type="REG", source_event_id="e-3")
        assert sorted(row["source_event_id"] for row in _rows(database, "course_enrolments")) == ["e-2", "e-3"]
        assert [row["school_year_id"] for row in _rows(database, "sections")] == [35]
        with database.engine.connect() as connection:
            assert connection.execute(select(tables.school_terms.c.misplaced_term_ids)).scalars().all() == [[]]
    finally:
        database.dispose()
