"""Fixtures of the integration tests: the console over a store the real service filled."""

import pytest

from tests.support.console import sample_console


@pytest.fixture
def console(db_url, tmp_path):
    """The console over the demo's sample year, on SQLite and on PostgreSQL."""
    view = sample_console(db_url, tmp_path)
    yield view
    view.client.close()
    view.parts.close()
