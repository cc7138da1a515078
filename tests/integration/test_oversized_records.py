"""A record too large or otherwise impossible to publish never holds back the outputs behind it."""

import io
import time
from datetime import date

from sqlalchemy import select

from consumer.runtime import metrics
from consumer.runtime.logs import configure_logging
from consumer.store import tables, writer
from schemas.records import OutboxRecord
from tests.support.events import asn, exited
from tests.support.running import ServiceThread, publish, read_topic
from tests.support.service_parts import assemble, counter_total
from tests.support.waiting import wait_for

NEAR_ONE_MIB = 1024 * 1024 - 200  # publishable as it is, too large once a dead letter's headers are added


def _failed_rows(parts) -> list:
    o = tables.outbox.c
    with parts.database.engine.connect() as connection:
        return connection.execute(select(o.topic, o.error).where(o.failed_at.is_not(None)).order_by(o.id)).all()


def test_a_value_near_one_mib_is_dead_lettered_truncated_and_the_syncs_behind_it_arrive_promptly(
    make_settings, db_url
):
    settings = make_settings(state_db_url=db_url)
    later = [exited("1234", "PRIMARY", date(2026, 3, 2), asn=asn(i)) for i in range(50)]
    publish(settings, settings.topic_enrollment_changed, [], raw=[(b"big", b"\xc3\x01" + b"\x07" * NEAR_ONE_MIB)])
    publish(settings, settings.topic_enrollment_changed, later)

    started = time.monotonic()
    with ServiceThread(settings):
        wait_for(lambda: _published(settings) >= len(later), timeout_s=30, interval_s=0.2,
                 what="the 50 syncs behind the large record")
        took = time.monotonic() - started

    syncs = read_topic(settings, settings.topic_pasi_exit_date_sync)
    assert sorted(s.source_event_id for s in syncs) == sorted(e.event_id for e in later)
    letters = read_topic(settings, settings.dead_letter_topic(settings.topic_enrollment_changed), decode=False)
    assert len(letters) == 1
    headers = {name: value.decode() for name, value in letters[0].headers}
    assert headers["error.truncated"] == str(NEAR_ONE_MIB + 2)
    assert len(letters[0].value) < NEAR_ONE_MIB + 2
    assert letters[0].value == (b"\xc3\x01" + b"\x07" * NEAR_ONE_MIB)[: len(letters[0].value)]
    print(f"figures: oversized dead letter, 50 later syncs in {took:.1f} s")


def _published(settings) -> int:
    return sum(
        sample.value for family in metrics.PUBLISHED.collect() for sample in family.samples
        if sample.name.endswith("_total") and sample.labels.get("topic") == settings.topic_pasi_exit_date_sync
    )


def test_rows_no_retry_can_publish_are_marked_failed_and_the_rows_behind_them_are_published(make_settings, db_url):
    settings = make_settings(state_db_url=db_url)
    parts = assemble(settings)
    events = [exited("1234", "PRIMARY", date(2026, 3, 2), asn=asn(i)) for i in range(50)]
    too_large = OutboxRecord(settings.topic_core_alerts, b"k", b"x" * (2 * 1024 * 1024), [], "too-large")
    bad_topic = OutboxRecord("no spaces allowed", b"k", b"v", [], "bad-topic")
    parts.database.run(lambda connection: writer.write_outbox(connection, [too_large, bad_topic]))
    parts.process(events)
    log = io.StringIO()
    configure_logging("INFO", "json", stream=log)
    failures_before = counter_total(metrics.OUTBOX_FAILED)
    relay = parts.relay()
    relay.start()
    try:
        wait_for(lambda: parts.backlog() == 0, timeout_s=30, what="every publishable row to be sent")
    finally:
        relay.stop()
        relay.join(timeout=30)
        parts.close()
        configure_logging()

    syncs = read_topic(settings, settings.topic_pasi_exit_date_sync)
    assert sorted(s.source_event_id for s in syncs) == sorted(e.event_id for e in events)
    failed = _failed_rows(parts)
    assert [row.topic for row in failed] == [settings.topic_core_alerts, "no spaces allowed"]
    assert failed[0].error.startswith("MessageSizeTooLargeError") and failed[1].error.startswith("InvalidTopicError")
    assert counter_total(metrics.OUTBOX_FAILED) == failures_before + 2
    assert log.getvalue().count("outbox row cannot be published") == 2
