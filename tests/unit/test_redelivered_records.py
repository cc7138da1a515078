"""Re-deliveries and id conflicts: the same event id with the same content is dropped, with other content it is a
dead letter (DuplicateIdConflict); what counts as the same content is what the event says, not how it was encoded."""

from datetime import date, timedelta, timezone

from consumer.runtime.records import DUPLICATE_ID_CONFLICT, InputRecord, sort_out
from schemas.codec import MessageCodec
from tests.support.events import exited

CODEC = MessageCodec()
TOPIC = "enrollment-changed"


def _record(message, offset: int) -> InputRecord:
    return InputRecord(TOPIC, 0, offset, message.key.encode(), CODEC.encode(message), message)


def _left(**change):
    return exited("2222", "PRIMARY", date(2026, 3, 2), event_id="e-1", **change, asn="123456789")


def _nothing_dead_lettered_before(ids):
    return {}


def test_a_re_delivery_with_the_same_content_is_dropped():
    first = _record(_left(), 0)

    result = sort_out([_record(first.message, 7)], {"e-1": first.fingerprint}, _nothing_dead_lettered_before)

    assert (result.fresh, result.duplicates) == ([], {TOPIC: 1})


def test_the_same_id_with_other_content_becomes_a_duplicate_id_conflict_dead_letter():
    first = _record(_left(), 0)
    impostor = _record(_left(reason="COMPLETED"), 7)

    [dead] = sort_out([impostor], {"e-1": first.fingerprint}, _nothing_dead_lettered_before).fresh

    assert (dead.dead, dead.error_class, dead.value, dead.offset) == (True, DUPLICATE_ID_CONFLICT, impostor.value, 7)
    assert "'e-1'" in dead.error_message
    assert dead.dedupe_id == f"dead-letter:{TOPIC}:0:7"


def test_two_events_with_one_id_in_a_batch_keep_the_first_and_dead_letter_the_other():
    first, impostor = _record(_left(), 0), _record(_left(exit_code="1234"), 1)

    fresh = sort_out([first, impostor], {}, _nothing_dead_lettered_before).fresh

    assert [(r.offset, r.error_class) for r in fresh] == [(0, None), (1, DUPLICATE_ID_CONFLICT)]


def test_an_id_processed_before_fingerprints_were_kept_is_taken_for_a_re_delivery():
    result = sort_out([_record(_left(reason="COMPLETED"), 7)], {"e-1": None}, _nothing_dead_lettered_before)

    assert (result.fresh, result.duplicates) == ([], {TOPIC: 1})


def test_a_conflict_already_dead_lettered_is_not_dead_lettered_again():
    first, impostor = _record(_left(), 0), _record(_left(reason="COMPLETED"), 7)

    result = sort_out([impostor], {"e-1": first.fingerprint}, lambda ids: dict.fromkeys(ids))

    assert (result.fresh, result.duplicates) == ([], {TOPIC: 1})


def test_the_fingerprint_is_what_the_event_says_whatever_the_offset_of_its_instant():
    utc = _left()
    edmonton = utc.model_copy(update={"occurred_at": utc.occurred_at.astimezone(timezone(timedelta(hours=-7)))})
    other = _left(exit_code="9")

    assert _record(utc, 0).fingerprint == _record(edmonton, 1).fingerprint != _record(other, 2).fingerprint
