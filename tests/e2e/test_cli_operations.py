"""What operators do: the demo on the embedded defaults, the Core Alerts view, dead-letter replay."""

import json
from datetime import UTC, date, datetime

import pytest

from consumer.kafka.connect import prepare_broker
from consumer.kafka.embedded import EmbeddedBroker
from consumer.kafka.options import producer_options
from producers.publisher import Publisher, RetryPolicy
from schemas.records import OutboxRecord
from tests.support.events import asn, exited
from tests.support.kafka import free_port
from tests.support.running import CODEC, IDLE, publish, read_topic, run_cli


@pytest.mark.slow
def test_the_demo_runs_on_the_embedded_defaults_and_its_mismatch_is_listed_by_alerts(make_settings, tmp_path):
    embedded = make_settings(kafka_bootstrap_servers=None, embedded_broker_port=free_port(), var_dir=tmp_path / "var")
    settings = embedded.model_copy(update={"kafka_bootstrap_servers": None})
    try:
        first = run_cli(settings, "demo")
        assert first.returncode == 0, first.stderr
        assert "Core Alerts from the sample (12)" in first.stdout
        assert "PASI exit-date syncs from the sample (33)" in first.stdout
        assert "TERM_ID_MISMATCH" in first.stdout and "END_OF_YEAR" in first.stdout
        assert "pasi-concurrent alerts --code TERM_ID_MISMATCH" in first.stdout
        assert f"run `pasi-concurrent console` and open http://127.0.0.1:{settings.console_port}/" in first.stdout

        listed = run_cli(settings, "alerts", "--code", "TERM_ID_MISMATCH", "--json")
        assert listed.returncode == 0, listed.stderr
        mismatches = [json.loads(line) for line in listed.stdout.splitlines()]
        assert len(mismatches) == 3
        assert {m["code"] for m in mismatches} == {"TERM_ID_MISMATCH"}
        assert {m["school_code"] for m in mismatches} == {"2002"}

        again = run_cli(settings, "demo")
        assert again.returncode == 0, again.stderr
        assert "Core Alerts from the sample (12)" in again.stdout
        assert "PASI exit-date syncs from the sample (33)" in again.stdout
    finally:
        EmbeddedBroker(settings.embedded_broker_host, settings.embedded_broker_port, settings.var_dir).stop()


def _dead_letter(settings, message) -> tuple[bytes, bytes, list]:
    headers = [
        ("error.class", b"InvalidMessage"),
        ("error.message", b"payload.exit_date: rejected by a validation rule since fixed"),
        ("source.topic", settings.topic_enrollment_changed.encode()),
        ("source.partition", b"0"),
        ("source.offset", b"0"),
        ("failed_at", datetime(2026, 3, 2, 17, 0, tzinfo=UTC).isoformat().encode()),
    ]
    return message.key.encode(), CODEC.encode(message), headers


@pytest.mark.slow
def test_a_dead_letter_replayed_twice_has_one_effect(make_settings):
    settings = make_settings()
    dlq = settings.dead_letter_topic(settings.topic_enrollment_changed)
    fixed = exited("1234", "PRIMARY", date(2026, 3, 2), asn=asn(5))
    key, value, headers = _dead_letter(settings, fixed)
    publish(settings, settings.topic_enrollment_changed, [], raw=[(b"junk", b"not avro at all")])
    assert run_cli(settings, "run", "--until-idle", IDLE).returncode == 0
    from kafka import KafkaProducer

    producer = KafkaProducer(bootstrap_servers=settings.bootstrap_servers)
    producer.send(dlq, key=key, value=value, headers=headers).get(timeout=30)
    producer.close()

    listed = run_cli(settings, "dlq", "list", settings.topic_enrollment_changed)
    assert listed.returncode == 0, listed.stderr
    assert "2 dead letters" in listed.stdout
    assert "DecodeError: not Avro single-object encoding" in listed.stdout

    nothing = run_cli(settings, "dlq", "replay", dlq, "--since", "2999-01-01T00:00:00+00:00")
    assert "replayed 0 of 2 dead letters" in nothing.stdout and "2 outside --offset/--since" in nothing.stdout
    for _ in range(2):
        replayed = run_cli(settings, "dlq", "replay", dlq, "--offset", "1")
        assert replayed.returncode == 0, replayed.stderr
        assert f"replayed 1 of 2 dead letters from {dlq} to {settings.topic_enrollment_changed}" in replayed.stdout
        assert run_cli(settings, "run", "--until-idle", IDLE).returncode == 0

    syncs = read_topic(settings, settings.topic_pasi_exit_date_sync)
    assert [s.source_event_id for s in syncs] == [fixed.event_id]


def _put_dead_letters(settings, topic: str, letters: list[tuple[bytes, bytes, list]]) -> None:
    prepare_broker(settings, [topic])
    publisher = Publisher(producer_options(settings), retry=RetryPolicy(give_up_after_s=30))
    try:
        publisher.publish([OutboxRecord(topic, key, value, headers) for key, value, headers in letters])
    finally:
        publisher.close()


def _naming_source(headers: list, topic: str) -> list:
    return [(name, topic.encode() if name == "source.topic" else value) for name, value in headers]


def test_a_dead_letter_whose_header_names_another_topic_is_refused_and_not_published(make_settings):
    settings = make_settings()
    dlq = settings.dead_letter_topic(settings.topic_enrollment_changed)
    honest = _dead_letter(settings, exited("1234", "PRIMARY", date(2026, 3, 2), asn=asn(6)))
    key, value, headers = _dead_letter(settings, exited("1234", "PRIMARY", date(2026, 3, 2), asn=asn(7)))
    forged = (key, value, _naming_source(headers, settings.topic_pasi_exit_date_sync))
    _put_dead_letters(settings, dlq, [honest, forged])

    result = run_cli(settings, "dlq", "replay", dlq)

    assert result.returncode == 1
    assert f"replayed 1 of 2 dead letters from {dlq} to {settings.topic_enrollment_changed}" in result.stdout
    error = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(error) == 1 and "refused 1 dead letter" in error[0]
    assert "'pasi-exit-date-sync-" in error[0]  # named, not published to
    assert read_topic(settings, settings.topic_pasi_exit_date_sync, decode=False) == []
    replayed = read_topic(settings, settings.topic_enrollment_changed, decode=False)
    assert [r.key for r in replayed] == [honest[0]]


@pytest.mark.slow
def test_a_dead_letter_topic_of_no_input_topic_is_replayed_only_to_an_input_topic_named_with_to(make_settings):
    settings = make_settings()
    renamed = f"{settings.topic_enrollment_changed}-before-rename"
    old_dlq = settings.dead_letter_topic(renamed)
    key, value, headers = _dead_letter(settings, exited("1234", "PRIMARY", date(2026, 3, 2), asn=asn(8)))
    _put_dead_letters(settings, old_dlq, [(key, value, _naming_source(headers, renamed))])

    guessed = run_cli(settings, "dlq", "replay", old_dlq)
    assert guessed.returncode == 2
    assert "--to" in guessed.stderr and len(guessed.stderr.strip().splitlines()) == 1
    to_an_output = run_cli(settings, "dlq", "replay", old_dlq, "--to", settings.topic_pasi_exit_date_sync)
    assert to_an_output.returncode == 2
    assert "--to" in to_an_output.stderr and "is not an input topic" in to_an_output.stderr
    assert read_topic(settings, settings.topic_enrollment_changed, decode=False) == []

    named = run_cli(settings, "dlq", "replay", old_dlq, "--to", settings.topic_enrollment_changed)
    assert named.returncode == 0, named.stderr
    assert f"replayed 1 of 1 dead letters from {old_dlq} to {settings.topic_enrollment_changed}" in named.stdout
    assert [r.key for r in read_topic(settings, settings.topic_enrollment_changed, decode=False)] == [key]
    assert read_topic(settings, settings.topic_pasi_exit_date_sync, decode=False) == []
