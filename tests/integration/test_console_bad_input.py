"""Bad input to the console: a clear message naming what is wrong, never a traceback, nothing executed."""

import base64

import pytest

from consumer.console.guard import SECURITY_HEADERS
from consumer.console.paging import PAGE_SIZE
from consumer.store import tables as t
from tests.support.console import alert_ids, open_console, sample_console

SCRIPT = "<script>alert(1)</script>"


def _refused(response, *phrases: str) -> None:
    assert response.status_code == 400, response.text
    assert "This filter cannot be applied" in response.text
    for phrase in phrases:
        assert phrase in response.text
    assert "Traceback" not in response.text and 'File "' not in response.text


@pytest.mark.parametrize(
    ("path", "phrases"),
    [
        ("/alerts?status=OPEN", ["Status: &#39;OPEN&#39; is not one of RAISED, RESOLVED."]),
        ("/alerts?code=NO_SUCH_CODE", ["Code: &#39;NO_SUCH_CODE&#39; is not one of"]),
        ("/alerts?category=GRADES", ["Category: &#39;GRADES&#39; is not one of"]),
        ("/alerts?type=PANIC", ["Type: &#39;PANIC&#39; is not one of"]),
        ("/alerts?school=12", ["School: &#39;12&#39; is not a 4-digit school code."]),
        ("/alerts?asn=12345678x", ["ASN: &#39;12345678x&#39; is not a 9-digit ASN."]),
        ("/alerts?year=-1", ["School year: &#39;-1&#39; is not a whole number from 0 to 999."]),
        ("/alerts?from=2026-02-30", ["From: &#39;2026-02-30&#39; is not a date (YYYY-MM-DD)."]),
        ("/alerts?order=sideways", ["Order: &#39;sideways&#39; is not one of NEWEST, OLDEST."]),
        ("/alerts?school=12&status=OPEN", ["School:", "Status:"]),  # every problem at once
        ("/syncs?action=DELETE", ["Action: &#39;DELETE&#39; is not one of EXIT, CREATED_IN_ERROR."]),
        ("/syncs?to=yesterday", ["To: &#39;yesterday&#39; is not a date"]),
        ("/dead-letters?topic=payroll", ["Topic: &#39;payroll&#39; is not one of"]),
        ("/alerts?after=not-a-position", ["Position: the link&#39;s place in the list is not one this console made"]),
        ("/syncs?before=2026-03-02T09:00:00%2B00:00~not-a-number", ["Position: the link&#39;s place"]),
        ("/alerts?school=" + "9" * 500, ["School: the value is too long (500 characters)."]),
    ],
)
def test_an_unknown_filter_value_is_named_in_a_clear_message(console, path, phrases):
    _refused(console.client.get(path), *phrases)


@pytest.mark.parametrize("page", ["0", "-3", "two", "1e3", "²"])
def test_a_page_that_is_not_a_page_number_is_refused(console, page):
    _refused(console.client.get("/alerts", params={"page": page}), "is not a page number")


def test_a_huge_page_number_says_the_list_is_shorter(console):
    _refused(console.client.get("/alerts?page=99999999999999999999"), "is past the last page of this list")
    pages = -(-len(console.rows(t.alerts)) // PAGE_SIZE)
    _refused(console.client.get("/alerts?page=999"), f"page 999 does not exist: there is {pages} page")
    _refused(console.client.get("/syncs?page=5000"), "page 5000 does not exist")


@pytest.mark.parametrize("field", ["status", "code", "school", "asn", "year", "from", "order", "page", "after"])
def test_script_in_a_query_string_is_shown_as_text_never_run(console, field):
    response = console.client.get("/alerts", params={field: SCRIPT})
    assert response.status_code == 400
    assert SCRIPT not in response.text
    assert "&lt;script&gt;" in response.text or field in ("page", "after")
    assert "script-src" not in response.headers["content-security-policy"]  # default-src 'none' forbids scripts
    assert "default-src 'none'" in response.headers["content-security-policy"]


def test_script_in_a_path_or_an_unknown_page_is_a_plain_not_found(console):
    for path in (f"/alerts/{SCRIPT}", "/alerts/..%2F..%2Fetc%2Fpasswd", "/admin", "/alerts/0000"):
        response = console.client.get(path)
        assert response.status_code == 404
        assert "There is no such page." in response.text and SCRIPT not in response.text


def test_unknown_query_parameters_are_ignored(console):
    response = console.client.get("/alerts?colour=blue")
    assert response.status_code == 200
    assert alert_ids(response.text) == alert_ids(console.client.get("/alerts").text)


def test_a_bad_csv_request_is_a_plain_text_list_of_problems(console):
    response = console.client.get(f"/alerts.csv?status={SCRIPT}")
    assert response.status_code == 400 and response.headers["content-type"].startswith("text/plain")
    assert response.text.startswith("Status: ")


def test_every_response_carries_the_security_headers(console):
    for path in ("/alerts", "/syncs", "/dead-letters", "/health", "/alerts?status=x", "/nowhere"):
        headers = console.client.get(path).headers
        for name, value in SECURITY_HEADERS:
            assert headers[name.decode()] == value.decode()


@pytest.mark.slow
def test_a_state_store_that_cannot_be_read_is_one_clear_line_without_a_traceback(tmp_path):
    from tests.support.console import console_settings

    settings = console_settings(f"sqlite:///{tmp_path / 'missing' / 'nowhere' / 'state.db'}", tmp_path)
    view = open_console(settings, parts=None)
    response = view.client.get("/alerts")
    assert response.status_code == 500
    assert "The state store could not be read" in response.text and "OperationalError" in response.text
    assert "Traceback" not in response.text


class TestToken:
    """With CONSOLE_TOKEN set, every page asks for it: as a bearer token, or as the basic-auth password."""

    @pytest.fixture
    def guarded(self, db_url, tmp_path):
        view = sample_console(db_url, tmp_path, console_token="s3cret-token")
        yield view
        view.client.close()
        view.parts.close()

    def test_without_the_token_nothing_is_shown(self, guarded):
        response = guarded.client.get("/alerts")
        assert response.status_code == 401 and response.headers["www-authenticate"].startswith("Basic")
        assert alert_ids(response.text) == []

    def test_a_wrong_token_is_refused(self, guarded):
        assert guarded.client.get("/alerts", headers={"Authorization": "Bearer guess"}).status_code == 401
        assert guarded.client.get("/alerts", headers={"Authorization": "Basic !!!"}).status_code == 401

    def test_the_token_as_bearer_or_as_basic_password_opens_the_console(self, guarded):
        basic = base64.b64encode(b"staff:s3cret-token").decode()
        for header in ("Bearer s3cret-token", f"Basic {basic}"):
            response = guarded.client.get("/alerts", headers={"Authorization": header})
            assert response.status_code == 200 and alert_ids(response.text)
