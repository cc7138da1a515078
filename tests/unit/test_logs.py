"""Logs are structured, carry event ids, and show only the last three digits of an ASN unless told otherwise."""

import io
import json

import structlog

from consumer.runtime.logs import configure_logging, mask_asn
from schemas.errors import MAX_ERROR_TEXT


def _log_line(mask: bool, **fields) -> dict:
    stream = io.StringIO()
    configure_logging("INFO", "json", mask=mask, stream=stream)
    try:
        structlog.get_logger("test").info("student exited", **fields)
    finally:
        configure_logging()
    return json.loads(stream.getvalue().splitlines()[-1])


def test_asns_in_log_fields_and_text_are_masked_to_their_last_three_digits():
    line = _log_line(True, asn="123456789", event_id="e-1", note="ASN 987654321 left school 1234")
    assert line["asn"] == "******789"
    assert line["note"] == "ASN ******321 left school 1234"
    assert line["event_id"] == "e-1"


def test_masking_can_be_turned_off():
    assert _log_line(False, asn="123456789")["asn"] == "123456789"


def test_longer_digit_runs_are_not_mistaken_for_asns():
    text = "offset 12345678901 and 2026-03-02T16:05:00.123456Z"
    assert mask_asn(text) == text


def test_a_url_password_in_a_log_field_is_hidden_even_with_masking_turned_off():
    line = _log_line(False, error="cannot reach postgresql://pasi:db-secret@db.example:5432/pasi: refused")
    assert line["error"] == "cannot reach postgresql://pasi:***@db.example:5432/pasi: refused"


def test_a_megabyte_log_field_is_cut_to_a_bounded_length():
    line = _log_line(True, error="x" * 1_000_000)
    assert len(line["error"]) <= MAX_ERROR_TEXT
    assert line["error"].endswith("more characters)")
