"""Readiness from what the service observed: each dependency or duty failing past its threshold, nothing sooner."""

import pytest

from consumer.runtime.readiness import Observations, Thresholds, evaluate

NOW = 1_000.0
THRESHOLDS = Thresholds(failure_s=30, outbox_stall_s=60, unassigned_s=60)


def observed(**changes) -> Observations:
    values = dict(polled=True, last_poll=NOW, broker_heard=NOW - 1, unassigned_since=None, outbox_stalled_since=None,
                  database_failing_since=None, database_error=None, publishing_failing_since=None,
                  publishing_error=None)
    return Observations(**values | changes)


def test_a_service_with_nothing_failing_is_ready():
    assert evaluate(observed(), THRESHOLDS, NOW) == {}


def test_a_consumer_that_has_not_polled_yet_is_not_ready():
    assert set(evaluate(observed(polled=False), THRESHOLDS, NOW)) == {"consumer"}


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"database_failing_since": NOW - 31, "database_error": "refused"}, "database"),
        ({"broker_heard": NOW - 31}, "broker"),
        ({"publishing_failing_since": NOW - 31, "publishing_error": "KafkaTimeoutError"}, "broker"),
        ({"outbox_stalled_since": NOW - 61}, "outbox"),
        ({"unassigned_since": NOW - 61}, "partitions"),
    ],
)
def test_a_failure_longer_than_its_threshold_is_not_ready(changes, problem):
    assert set(evaluate(observed(**changes), THRESHOLDS, NOW)) == {problem}


@pytest.mark.parametrize(
    "changes",
    [
        {"database_failing_since": NOW - 29, "database_error": "refused"},
        {"broker_heard": NOW - 29},
        {"publishing_failing_since": NOW - 29, "publishing_error": "KafkaTimeoutError"},
        {"outbox_stalled_since": NOW - 59},
        {"unassigned_since": NOW - 59},
    ],
)
def test_a_failure_shorter_than_its_threshold_is_still_ready(changes):
    assert evaluate(observed(**changes), THRESHOLDS, NOW) == {}


def test_a_loop_held_up_elsewhere_does_not_blame_the_broker_for_its_silence():
    assert evaluate(observed(broker_heard=NOW - 40, last_poll=NOW - 39), THRESHOLDS, NOW) == {}


def test_the_reasons_say_what_failed_and_for_how_long():
    problems = evaluate(observed(database_failing_since=NOW - 45, database_error="connection refused"), THRESHOLDS,
                        NOW)
    assert problems["database"] == "failing for 45 s: connection refused"
