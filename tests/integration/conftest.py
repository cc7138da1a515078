"""Fixtures of the integration tests: the console over a store the real service filled.

The console only reads, so the store is filled once per test module and database (a module's tests share it)."""

import pytest

from tests.conftest import postgres_schemas
from tests.support.console import sample_console


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def module_db_url(request, tmp_path_factory):
    """A state store shared by a module's tests, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('store')}/state.db"
        return
    with postgres_schemas() as make:
        yield make()


def module_console(db_url, tmp_path_factory, **options):
    view = sample_console(db_url, tmp_path_factory.mktemp("console"), **options)
    yield view
    view.client.close()
    view.parts.close()


@pytest.fixture(scope="module")
def console(module_db_url, tmp_path_factory):
    """The console over the demo's sample year, on SQLite and on PostgreSQL."""
    yield from module_console(module_db_url, tmp_path_factory)
