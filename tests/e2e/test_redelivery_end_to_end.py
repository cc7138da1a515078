"""Re-deliveries end to end: an id reused with other content is a dead letter; after the processed ids are forgotten,
delivering the same events again emits nothing, because their effects are already in the state."""

from datetime import UTC, date, datetime

import pytest

HOME, OTHER_HOME, AWAY, FAR_HOME = "1001", "1002", "2001", "9999"
ANN, BEN, CAL, DAN, EVE = "100000001", "100000002", "100000003", "100000004", "100000005"
SEPTEMBER = date(2025, 9, 2)
DAY = date(2026, 3, 2)
DUE = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)  # midnight after March 2 in Edmonton (UTC-7)


def _story(scenario):
    """Exits, a rejection, a transfer whose expectations go unmet, a cancellation: each emits something."""
    scenario.enrolled_concurrently(HOME, AWAY, SEPTEMBER, asn=ANN)
    scenario.course_enrolled(AWAY, "MAT1791", "C1", 3500, SEPTEMBER, asn=ANN)
    scenario.concurrent_started(AWAY, HOME, SEPTEMBER, asn=BEN)  # no primary: R8
    scenario.enrolled_concurrently(OTHER_HOME, AWAY, SEPTEMBER, asn=CAL)
    scenario.enrolled_concurrently(HOME, AWAY, SEPTEMBER, asn=DAN)
    scenario.at(datetime(2026, 3, 2, 16, 0, tzinfo=UTC))
    left = scenario.exited(AWAY, "CONCURRENT", DAY, asn=ANN)
    scenario.course_exited(AWAY, "MAT1791", "C1", DAY, asn=ANN)
    scenario.exited(OTHER_HOME, "PRIMARY", DAY, reason="TRANSFER_OUT", continuing_at=AWAY, asn=CAL)
    scenario.cancelled(AWAY, "CONCURRENT", asn=DAN)
    scenario.at(DUE).primary_started(FAR_HOME, DUE.date(), asn=EVE)  # event time passes CAL's grace deadline
    return left


def _published(outputs) -> tuple:
    return sorted(outputs.alert_rows().items()), sorted(outputs.sync_rows().items())


@pytest.mark.slow
def test_an_id_reused_with_other_content_is_a_dead_letter_and_forgotten_ids_delivered_again_emit_nothing(
    operator, scenario
):
    left = _story(scenario)
    first = operator.handles(scenario)
    assert len(first.alerts) == 3 and len(first.syncs) == 3

    reused = left.model_copy(update={"payload": left.payload.model_copy(update={"exit_date": date(2026, 3, 5)})})
    operator.produce(operator.settings.topic_enrollment_changed, [left, reused])  # the same event, and an impostor
    operator.run()

    [dead] = operator.dead_letters()
    assert (dead["reason"]["error_class"], dead["key"]) == ("DuplicateIdConflict", ANN)
    assert left.event_id in dead["reason"]["error_message"]
    assert _published(operator.outputs()) == _published(first)

    assert operator.forget_processed_events() > 0
    operator.produce(operator.settings.topic_enrollment_changed, scenario.events)
    operator.run()

    assert _published(operator.outputs()) == _published(first)
    assert len(operator.dead_letters()) == 1
