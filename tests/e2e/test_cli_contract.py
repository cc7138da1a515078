"""produce and tail through the real broker: what goes in comes out, invalid files publish nothing."""

import json
from datetime import date, datetime

import pytest

from schemas.codec import to_json
from tests.support.events import asn, event, exited
from tests.support.running import IDLE, publish, run_cli


def _scenario():
    return [
        event(
            "SchoolTermsConfigured",
            "1001",
            {
                "school_year_id": 35,
                "is_summer_school": False,
                "terms": [
                    {
                        "term_id": 3501,
                        "abbreviation": "S1",
                        "first_day": date(2025, 9, 2),
                        "last_day": date(2026, 1, 30),
                    }
                ],
            },
        ),
        event("PrimaryEnrolmentStarted", "1001", {"entry_date": date(2025, 9, 2), "grade": "10"}, asn=asn(1)),
        event(
            "StoredGradePosted",
            "2001",
            {
                "course_code": "MAT",
                "section_id": None,
                "term_id": 3501,
                "mark": "87",
                "credits": 5,
                "course_type": "REG",
            },
            asn=asn(1),
        ),
        exited("1001", "PRIMARY", date(2026, 3, 2), reason="TRANSFER_OUT", continuing_at="2001", asn=asn(1)),
    ]


def _as_instants(item: dict) -> dict:
    item = dict(item)
    item["occurred_at"] = datetime.fromisoformat(item["occurred_at"].replace("Z", "+00:00"))
    return item


@pytest.mark.slow
def test_produced_events_come_back_from_tail_field_for_field(make_settings, tmp_path):
    settings = make_settings()
    events = _scenario()
    path = tmp_path / "events.jsonl"
    path.write_text("".join(to_json(e) + "\n" for e in events))

    produced = run_cli(settings, "produce", settings.topic_enrollment_changed, "--file", str(path))
    assert produced.returncode == 0, produced.stderr
    tailed = run_cli(settings, "tail", settings.topic_enrollment_changed, "--from-beginning", "--until-idle", IDLE)
    assert tailed.returncode == 0, tailed.stderr

    out = sorted((json.loads(line) for line in tailed.stdout.splitlines()), key=lambda e: e["event_id"])
    sent = sorted((json.loads(to_json(e)) for e in events), key=lambda e: e["event_id"])
    assert [_as_instants(e) for e in out] == [_as_instants(e) for e in sent]


@pytest.mark.slow
def test_a_file_with_one_invalid_line_is_refused_naming_line_and_field_and_publishes_nothing(make_settings, tmp_path):
    settings = make_settings()
    lines = [to_json(e) for e in _scenario()]
    broken = json.loads(lines[2])
    broken["payload"]["term_id"] = "3501"
    lines[2] = json.dumps(broken)
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines) + "\n")

    produced = run_cli(settings, "produce", settings.topic_enrollment_changed, "--file", str(path))

    assert produced.returncode == 2
    assert "line 3: payload.term_id: Input should be a valid integer" in produced.stderr
    assert "nothing published: 1 of 4 lines are invalid" in produced.stderr
    tailed = run_cli(settings, "tail", settings.topic_enrollment_changed, "--from-beginning", "--until-idle", IDLE)
    assert tailed.returncode == 0 and tailed.stdout == ""


def test_tail_reports_bytes_that_are_not_our_avro_and_carries_on(make_settings):
    settings = make_settings(partitions_enrollment_changed=1)
    valid = exited("1001", "PRIMARY", date(2026, 3, 2), asn=asn(2))
    publish(settings, settings.topic_enrollment_changed, [], raw=[(b"x", b"plain text, not Avro")])
    publish(settings, settings.topic_enrollment_changed, [valid])

    tailed = run_cli(settings, "tail", settings.topic_enrollment_changed, "--from-beginning", "--until-idle", IDLE)

    assert tailed.returncode == 0
    assert [json.loads(line)["event_id"] for line in tailed.stdout.splitlines()] == [valid.event_id]
    assert "partition 0 offset 0: cannot decode: not Avro single-object encoding" in tailed.stderr
