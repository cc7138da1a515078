"""Fixtures of the end-to-end tests: an operator running the CLI, and a second state database."""

import pytest

from tests.support.operators import Operator


@pytest.fixture
def operator(make_settings, tmp_path):
    """An operator with this test's own topics, group and state database.

    One record a batch, as when events trickle in: every event is its own transaction, so each rule must find in
    the store what earlier events left there (one big batch would keep it all in memory and hide a gap).
    """
    return Operator(make_settings(max_poll_records=1), tmp_path)


@pytest.fixture
def fresh_database_url(request, db_url, tmp_path):
    """A second, empty state database of the same kind as `db_url` (SQLite file or PostgreSQL schema)."""
    if db_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'fresh-state.db'}"
    return request.getfixturevalue("make_postgres_url")()
