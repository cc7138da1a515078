"""Deadlines run on event time, so replaying the whole input into a fresh state database gives the very same output.

The demo-scale sample year is published once; the service runs over it, then runs again from the beginning of the
same input topics with a new consumer group, a new state database and new output topics. Every alert and sync must
come out again: same ids, same content to the last field, same order per key.
"""

import json
from collections import Counter, defaultdict
from dataclasses import dataclass

import pytest

from producers.sample import SampleYear
from schemas.codec import to_json
from tests.support.running import CODEC, IDLE, publish, read_topic, run_cli


def _run_until_idle(settings) -> None:
    result = run_cli(settings, "run", "--until-idle", IDLE)
    assert result.returncode == 0, result.stderr[-3000:]


@dataclass(frozen=True)
class Published:
    key: str
    message_id: str  # the header that is the same on every re-send
    text: str  # the message's full JSON form

    @property
    def fields(self) -> dict:
        return json.loads(self.text)


def _published(settings, topic: str) -> list[Published]:
    """Every message on `topic`, in partition order."""
    return [
        Published(record.key.decode(), dict(record.headers)["message_id"].decode(), to_json(CODEC.decode(record.value)))
        for record in read_topic(settings, topic, decode=False)
    ]


def _outputs(settings) -> dict[str, list[Published]]:
    return {
        "alerts": _published(settings, settings.topic_core_alerts),
        "syncs": _published(settings, settings.topic_pasi_exit_date_sync),
    }


def _ids(outputs: dict[str, list[Published]]) -> Counter:
    alerts = Counter((m.fields["alert_id"], m.fields["status"]) for m in outputs["alerts"])
    return alerts + Counter(m.fields["sync_id"] for m in outputs["syncs"])


def _per_key(messages: list[Published]) -> dict[str, list[Published]]:
    by_key = defaultdict(list)
    for message in messages:
        by_key[message.key].append(message)
    return dict(by_key)


@pytest.mark.slow
def test_replaying_the_sample_year_into_a_fresh_database_and_group_gives_identical_outputs(
    make_settings, db_url, fresh_database_url, tmp_path
):
    # a lagging partition is waited for as long as it takes: on a busy machine a fetch can outlast the default
    original = make_settings(state_db_url=db_url, alignment_wait_ms=60_000)
    sample = SampleYear(students=200)
    publish(original, original.topic_enrollment_changed, sample.events())
    publish(original, original.topic_term_closed, [sample.end_of_year()])
    _run_until_idle(original)
    first = _outputs(original)

    replay = make_settings(
        state_db_url=fresh_database_url,
        consumer_group=f"{original.consumer_group}-replay",
        topic_core_alerts=f"{original.topic_core_alerts}-replay",
        topic_pasi_exit_date_sync=f"{original.topic_pasi_exit_date_sync}-replay",
        var_dir=tmp_path / "replay-var",
        max_poll_records=97,  # other batch and End-of-Year chunk boundaries than the first run's
        eoy_chunk_size=13,
        alignment_wait_ms=60_000,
    )
    _run_until_idle(replay)
    again = _outputs(replay)

    codes = Counter(m.fields["code"] for m in first["alerts"])
    assert set(codes) >= {"TERM_ID_MISMATCH", "CHALLENGE_COURSE_INCOMPLETE", "CONCURRENT_WITHOUT_PRIMARY",
                          "CONCURRENT_EXIT_DATE_MISMATCH", "REENROLMENT_MISSING"}, codes
    assert {m.fields["reason"] for m in first["syncs"]} >= {"END_OF_YEAR", "WITHDRAWN", "TRANSFER_OUT", "CANCELLED"}
    assert _ids(again) == _ids(first)
    for kind in ("alerts", "syncs"):
        assert Counter(again[kind]) == Counter(first[kind]), kind
        assert _per_key(again[kind]) == _per_key(first[kind]), kind
        assert max(Counter(first[kind]).values()) == 1, f"a message of {kind} was published twice"
