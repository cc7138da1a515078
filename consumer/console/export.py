"""CSV downloads of a list's current filter: every matching row, streamed a chunk at a time."""

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse

from consumer.console import forms, queries
from consumer.console.forms import BadQuery, Query
from consumer.console.views import log_reveal
from consumer.redaction import mask_asn
from consumer.store.alert_queries import conditions

ALERT_COLUMNS = ("occurred_at", "status", "code", "category", "alert_type", "asn", "school_code",
                 "home_school_code", "school_year_id", "message", "alert_id", "source_event_id")
SYNC_COLUMNS = ("occurred_at", "action", "asn", "school_code", "enrolment_kind", "exit_date", "exit_code", "reason",
                "sync_id", "source_event_id", "created_at", "sent_at")
MASKED = {"asn", "message"}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run a cell starting so


def _cell(name: str, value, reveal: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    if name in MASKED and not reveal:
        text = mask_asn(text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_lines(rows: Iterable, columns: tuple[str, ...], reveal: bool) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for count, row in enumerate(rows, 1):
        values = row._mapping
        writer.writerow([_cell(name, values[name], reveal) for name in columns])
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _download(request: Request, name: str, parse, where_of, listing, columns) -> Response:
    query = Query(request.query_params)
    wanted = parse(query)
    paging = query.page()  # only its order matters here: the download has every page
    reveal = query.flag("reveal")
    try:
        query.check()
    except BadQuery as exc:
        return PlainTextResponse("".join(f"{problem}\n" for problem in exc.problems), status_code=400)
    if reveal:
        log_reveal(request, request.url.path, -1)  # -1: every matching row
    settings = request.app.state.settings
    rows = queries.export_rows(request.app.state.engine, listing, where_of(wanted, settings.zone), paging.newest_first)
    filename = f"{name}-{datetime.now(UTC).astimezone(settings.zone):%Y-%m-%d-%H%M}.csv"
    return StreamingResponse(
        csv_lines(rows, columns, reveal),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def alerts_csv(request: Request) -> Response:
    return _download(request, "core-alerts", forms.alert_filter, conditions, queries.ALERTS, ALERT_COLUMNS)


def syncs_csv(request: Request) -> Response:
    return _download(request, "exit-date-syncs", forms.sync_filter, queries.sync_conditions, queries.SYNCS,
                     SYNC_COLUMNS)
