"""The console's pages over a real state store (SQLite and PostgreSQL) that the real service filled."""

import csv
import io
from datetime import date

import pytest
from structlog.testing import capture_logs

from consumer.store import tables as t
from tests.support.console import alert_ids, row_ids


def _newest_first(rows, time_name: str, key_name: str, shown: str | None = None) -> list[str]:
    """The ids (`shown`, else the key) of `rows` in the console's order: time, then key, newest first."""
    ordered = sorted(rows, key=lambda row: (getattr(row, time_name), getattr(row, key_name)), reverse=True)
    return [getattr(row, shown or key_name) for row in ordered]


# Core Alerts


def test_core_alerts_lists_every_alert_newest_first_with_asns_masked(console):
    alerts = console.rows(t.alerts)
    page = console.client.get("/alerts")
    assert page.status_code == 200
    assert alert_ids(page.text) == _newest_first(alerts, "occurred_at", "alert_id")
    assert f"<strong>{len(alerts)}</strong> alerts match" in page.text
    student = next(row.asn for row in alerts if row.asn)
    assert student not in page.text and f"******{student[-3:]}" in page.text


def test_core_alerts_oldest_first_is_the_reverse(console):
    newest = alert_ids(console.client.get("/alerts").text)
    assert alert_ids(console.client.get("/alerts?order=oldest").text) == newest[::-1]


@pytest.mark.parametrize(
    ("query", "matches"),
    [
        ("status=RAISED", lambda row, _: row.status == "RAISED"),
        ("status=resolved", lambda row, _: row.status == "RESOLVED"),
        ("code=TERM_ID_MISMATCH", lambda row, _: row.code == "TERM_ID_MISMATCH"),
        ("category=ENROLMENT", lambda row, _: row.category == "ENROLMENT"),
        ("type=WARNING", lambda row, _: row.alert_type == "WARNING"),
        ("school=2002", lambda row, _: row.school_code == "2002"),
        ("year=35", lambda row, _: row.school_year_id == 35),
        ("year=34", lambda row, _: row.school_year_id == 34),
        ("from=2026-03-01&to=2026-03-31", lambda row, zone: date(2026, 3, 1)
         <= row.occurred_at.astimezone(zone).date() <= date(2026, 3, 31)),
        ("status=RAISED&code=REENROLMENT_MISSING&school=2001",
         lambda row, _: (row.status, row.code, row.school_code) == ("RAISED", "REENROLMENT_MISSING", "2001")),
    ],
)
def test_each_alert_filter_lists_exactly_the_matching_alerts(console, query, matches):
    zone = console.settings.zone
    expected = [row for row in console.rows(t.alerts) if matches(row, zone)]
    page = console.client.get(f"/alerts?{query}")
    assert page.status_code == 200
    assert alert_ids(page.text) == _newest_first(expected, "occurred_at", "alert_id")


def test_an_asn_filter_lists_that_students_alerts(console):
    student = next(row.asn for row in console.rows(t.alerts) if row.asn)
    expected = [row for row in console.rows(t.alerts) if row.asn == student]
    page = console.client.get(f"/alerts?asn={student}")
    assert alert_ids(page.text) == _newest_first(expected, "occurred_at", "alert_id")


def test_an_alert_shows_its_lifecycle_with_the_events_that_raised_and_resolved_it(console):
    resolved = next(row for row in console.rows(t.alerts) if row.status == "RESOLVED")
    transitions = console.rows(t.alert_events, t.alert_events.c.alert_id == resolved.alert_id,
                               order=[t.alert_events.c.occurred_at])
    assert [step.status for step in transitions] == ["RAISED", "RESOLVED"]
    page = console.client.get(f"/alerts/{resolved.alert_id}")
    assert page.status_code == 200
    raised_at, resolved_at = (page.text.index(f"<code>{step.source_event_id}</code>") for step in transitions)
    assert raised_at < resolved_at
    assert transitions[-1].source_event_id == resolved.source_event_id


def test_revealing_asns_shows_them_and_is_logged(console):
    student = next(row.asn for row in console.rows(t.alerts) if row.asn)
    with capture_logs() as logs:
        page = console.client.get("/alerts?reveal=1")
    assert student in page.text
    reveals = [entry for entry in logs if entry["event"] == "console: ASNs revealed"]
    assert len(reveals) == 1 and reveals[0]["page"] == "/alerts" and reveals[0]["rows"] == len(alert_ids(page.text))


def test_the_alerts_csv_has_every_alert_of_the_filter_with_asns_masked(console):
    expected = [row for row in console.rows(t.alerts) if row.status == "RAISED"]
    download = console.client.get("/alerts.csv?status=RAISED")
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    assert "attachment" in download.headers["content-disposition"]
    lines = list(csv.DictReader(io.StringIO(download.text)))
    assert [line["alert_id"] for line in lines] == _newest_first(expected, "occurred_at", "alert_id")
    assert all(line["asn"] == "" or line["asn"].startswith("******") for line in lines)


# Exit-date syncs


def test_syncs_lists_what_was_sent_and_when_the_broker_acknowledged_it(console):
    syncs = console.rows(t.syncs)
    acknowledged = [row for row in syncs if row.sent_at is not None]
    assert 0 < len(acknowledged) < len(syncs)  # the relay acknowledged half of them
    page = console.client.get("/syncs")
    assert page.status_code == 200
    assert row_ids(page.text, "sync") == _newest_first(syncs, "occurred_at", "id", "sync_id")
    assert page.text.count(">pending<") == len(syncs) - len(acknowledged)


@pytest.mark.parametrize(
    ("query", "matches"),
    [
        ("school=2001", lambda row, _: row.school_code == "2001"),
        ("action=EXIT", lambda row, _: row.action == "EXIT"),
        ("action=created_in_error", lambda row, _: row.action == "CREATED_IN_ERROR"),
        ("from=2026-06-01", lambda row, zone: row.occurred_at.astimezone(zone).date() >= date(2026, 6, 1)),
        ("to=2026-05-31&school=2002", lambda row, zone: row.occurred_at.astimezone(zone).date() <= date(2026, 5, 31)
         and row.school_code == "2002"),
    ],
)
def test_each_sync_filter_lists_exactly_the_matching_syncs(console, query, matches):
    zone = console.settings.zone
    expected = [row for row in console.rows(t.syncs) if matches(row, zone)]
    page = console.client.get(f"/syncs?{query}")
    assert page.status_code == 200
    assert row_ids(page.text, "sync") == _newest_first(expected, "occurred_at", "id", "sync_id")


def test_the_syncs_csv_says_when_each_was_acknowledged(console):
    lines = list(csv.DictReader(io.StringIO(console.client.get("/syncs.csv?order=oldest").text)))
    by_id = {row.sync_id: row for row in console.rows(t.syncs)}
    assert len(lines) == len(by_id)
    for line in lines:
        sent_at = by_id[line["sync_id"]].sent_at
        assert line["sent_at"] == ("" if sent_at is None else sent_at.isoformat())


# Dead letters and health


def test_dead_letters_are_listed_per_input_topic_with_their_reason(console):
    page = console.client.get("/dead-letters")
    assert page.status_code == 200
    letters = console.rows(t.dead_letters)
    assert row_ids(page.text, "dead-letter") == [letter.message_id for letter in letters]
    assert "DecodeError" in page.text and "not a single-object encoded Avro record" in page.text
    assert "pasi-concurrent dlq replay enrollment-changed" in page.text
    other = console.client.get(f"/dead-letters?topic={console.settings.topic_term_closed}")
    assert other.status_code == 200 and row_ids(other.text, "dead-letter") == []


def test_health_shows_lag_per_partition_outbox_backlog_and_end_of_year_progress(console):
    page = console.client.get("/health")
    assert page.status_code == 200
    text = page.text
    assert "host-a:4242" in text and ">3</td>" in text  # the recorded partition and its lag
    backlog = console.parts.backlog()
    assert backlog > 0 and f'<span class="value">{backlog:,}</span>' in text
    run = console.rows(t.eoy_runs)[0]
    assert run.run_id in text and run.status == "DONE" and 'value="100"' in text


def test_the_home_page_is_core_alerts(console):
    assert console.client.get("/", follow_redirects=False).headers["location"] == "/alerts"


def test_times_are_shown_in_the_business_time_zone(console):
    newest = max(console.rows(t.alerts), key=lambda row: row.occurred_at)
    shown = newest.occurred_at.astimezone(console.settings.zone).strftime("%Y-%m-%d %H:%M")
    assert shown in console.client.get("/alerts").text
