"""Paging through more than a page of Core Alerts and syncs: Next and Previous continue along the list without
skipping or repeating a row, and a page number lands where Next does."""

import csv
import io
import re

import pytest

from consumer.console.paging import PAGE_SIZE
from consumer.store import tables as t
from tests.integration.conftest import module_console
from tests.support.console import alert_ids, pager_links, row_ids

PAGE_OF = re.compile(r"Page ([\d,]+) of ([\d,]+)")


@pytest.fixture(scope="module")
def big_console(module_db_url, tmp_path_factory):
    yield from module_console(module_db_url, tmp_path_factory, students=700)


def _walk(client, start: str, label: str, ids) -> tuple[list[list[str]], list[str]]:
    """Follow `label` links from `start`: the ids on each page, and each page's 'Page N of M'."""
    pages, numbers, path = [], [], start
    while path is not None:
        html = client.get(path).text
        pages.append(ids(html))
        numbers.append(PAGE_OF.search(html).group(0))
        path = pager_links(html).get(label)
    return pages, numbers


def test_next_walks_every_alert_once_in_order_and_previous_walks_back(big_console):
    alerts = big_console.rows(t.alerts)
    assert len(alerts) > 2 * PAGE_SIZE
    expected = [a.alert_id for a in sorted(alerts, key=lambda a: (a.occurred_at, a.alert_id), reverse=True)]
    forward, numbers = _walk(big_console.client, "/alerts", "Next ›", alert_ids)
    pages = -(-len(alerts) // PAGE_SIZE)
    assert [alert_id for page in forward for alert_id in page] == expected
    assert numbers == [f"Page {n} of {pages}" for n in range(1, pages + 1)]

    last = pager_links(big_console.client.get("/alerts").text)["Last »"]
    backward, _ = _walk(big_console.client, last, "‹ Previous", alert_ids)
    assert backward == forward[::-1]


def test_a_page_number_shows_what_next_reaches(big_console):
    forward, _ = _walk(big_console.client, "/alerts?status=RESOLVED&order=oldest", "Next ›", alert_ids)
    for number, page in enumerate(forward, 1):
        assert alert_ids(big_console.client.get(f"/alerts?status=RESOLVED&order=oldest&page={number}").text) == page


def test_syncs_page_the_same_way_oldest_first(big_console):
    syncs = big_console.rows(t.syncs)
    assert len(syncs) > 2 * PAGE_SIZE
    expected = [s.sync_id for s in sorted(syncs, key=lambda s: (s.occurred_at, s.id))]
    forward, _ = _walk(big_console.client, "/syncs?order=oldest", "Next ›", lambda html: row_ids(html, "sync"))
    assert [sync_id for page in forward for sync_id in page] == expected
    last = pager_links(big_console.client.get("/syncs?order=oldest").text)["Last »"]
    backward, _ = _walk(big_console.client, last, "‹ Previous", lambda html: row_ids(html, "sync"))
    assert backward == forward[::-1]


def test_the_csv_has_every_page(big_console):
    lines = csv.DictReader(io.StringIO(big_console.client.get("/alerts.csv").text))
    forward, _ = _walk(big_console.client, "/alerts", "Next ›", alert_ids)
    assert [line["alert_id"] for line in lines] == [alert_id for page in forward for alert_id in page]
