"""Recording the consumer's position for the console: paced, and never in the loop's way."""

import pytest
from kafka import TopicPartition
from sqlalchemy import select
from structlog.testing import capture_logs

from consumer.runtime.partition_status import PartitionStatus
from consumer.store import tables as t
from consumer.store.database import Database
from consumer.store.migrate import upgrade

TOPIC = "enrollment-changed"


class Assigned:
    """The three questions PartitionStatus asks a KafkaConsumer, answered from a table of positions."""

    def __init__(self, positions: dict[int, tuple[int, int | None]]):
        self.positions = positions  # partition -> (position, highwater)

    def assignment(self):
        return {TopicPartition(TOPIC, p) for p in self.positions}

    def highwater(self, tp):
        return self.positions[tp.partition][1]

    def position(self, tp):
        return self.positions[tp.partition][0]


class Buffer:
    def size(self, tp=None):
        return 0


@pytest.fixture
def database(tmp_path):
    found = Database(f"sqlite:///{tmp_path / 'state.db'}")
    upgrade(found)
    yield found
    found.dispose()


def _lags(database) -> dict[int, int]:
    with database.engine.connect() as connection:
        return {row.partition: row.lag for row in connection.execute(select(t.consumer_status))}


def test_a_partition_not_fetched_yet_is_left_out_until_it_is(database):
    status = PartitionStatus(database)
    consumer = Assigned({0: (0, None), 1: (5, 9)})
    status.record(consumer, Buffer(), None)
    assert _lags(database) == {1: 4}


def test_positions_are_written_again_only_after_an_interval_or_a_change(database):
    status = PartitionStatus(database, interval_s=60, changed_s=0)
    consumer = Assigned({0: (5, 9)})
    status.record(consumer, Buffer(), None)
    consumer.positions[0] = (5, 12)  # the same lag would not be written again; a new one is
    status.record(consumer, Buffer(), None)
    assert _lags(database) == {0: 7}
    with database.engine.connect() as connection:
        first = connection.execute(select(t.consumer_status.c.updated_at)).scalar_one()
    status.record(consumer, Buffer(), None)
    with database.engine.connect() as connection:
        assert connection.execute(select(t.consumer_status.c.updated_at)).scalar_one() == first


def test_a_database_that_fails_is_logged_and_the_loop_goes_on():
    unreachable = Database("postgresql://postgres@127.0.0.1:1/test", retry_seconds=0)
    with capture_logs() as logs:
        PartitionStatus(unreachable).record(Assigned({0: (1, 2)}), Buffer(), None)  # returns: nothing raised
    unreachable.dispose()
    assert [entry["event"] for entry in logs] == ["could not record the consumer's position for the console"]
