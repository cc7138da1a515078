"""Fixtures of the service tier: the real service in this process, over SQLite, with no broker."""

import shutil

import pytest

from tests.support.in_process import InProcessOperator, offline_settings
from tests.support.service_parts import assemble


@pytest.fixture(scope="session")
def migrated_store(tmp_path_factory):
    """A SQLite state store migrated once, copied for each operator (migrating takes longer than a story)."""
    folder = tmp_path_factory.mktemp("migrated")
    assemble(offline_settings(folder), create_topics=False).close()
    return folder / "state.db"


@pytest.fixture
def make_service_operator(tmp_path, migrated_store):
    """Operators whose service takes at most `max_poll_records` records a batch, each with its own store."""
    made = 0

    def make(max_poll_records: int) -> InProcessOperator:
        nonlocal made
        made += 1
        folder = tmp_path / f"operator-{made}"
        folder.mkdir()
        shutil.copyfile(migrated_store, folder / "state.db")
        return InProcessOperator(offline_settings(folder, max_poll_records=max_poll_records), folder)

    return make
