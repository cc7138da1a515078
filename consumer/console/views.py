"""The console's pages: Core Alerts, one alert's life, exit-date syncs, dead letters, health."""

import re

import structlog
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from consumer.console import forms, operations, queries
from consumer.console.forms import BadQuery, Query
from consumer.console.paging import BadPosition, PageOutOfRange
from consumer.console.rendering import render

log = structlog.get_logger(__name__)
ALERT_ID = re.compile(r"[A-Za-z0-9-]{1,64}")


def home(request: Request) -> Response:
    return RedirectResponse("/alerts", status_code=302)


def log_reveal(request: Request, page: str, shown: int) -> None:
    """Every page that shows whole ASNs leaves a line in the log: who, from where, which page, how many rows."""
    client = request.client.host if request.client else None
    log.info("console: ASNs revealed", page=page, client=client, user=request.scope.get("state", {}).get("user"),
             rows=shown, query=str(request.url.query))


def _listing(request: Request, template: str, parse, read, **context) -> Response:
    """A filtered, paged list: parse the query, read one page, render it (or the problems, with status 400)."""
    query = Query(request.query_params)
    wanted = parse(query)
    paging = query.page()
    reveal = query.flag("reveal")
    if reveal:
        query.kept["reveal"] = "1"
    values = {"query": query, "filter": wanted, "paging": paging, "reveal": reveal, "problems": [], **context}
    try:
        query.check()
        with request.app.state.engine.connect() as connection:
            page, (first, last) = read(connection, wanted, paging)
    except (BadQuery, PageOutOfRange, BadPosition) as exc:
        values["problems"] = getattr(exc, "problems", [str(exc)])
        return render(request, template, values | {"page": None}, 400)
    if reveal and page.rows:
        log_reveal(request, request.url.path, len(page.rows))
    return render(request, template, values | {"page": page, "first": first, "last": last})


def alerts(request: Request) -> Response:
    zone = request.app.state.settings.zone
    return _listing(
        request, "alerts.html", forms.alert_filter,
        lambda connection, wanted, paging: queries.alerts_page(connection, wanted, paging, zone),
        choices={"status": forms.STATUSES, "code": forms.CODES, "category": forms.CATEGORIES, "type": forms.TYPES},
    )


def syncs(request: Request) -> Response:
    zone = request.app.state.settings.zone
    return _listing(
        request, "syncs.html", forms.sync_filter,
        lambda connection, wanted, paging: queries.syncs_page(connection, wanted, paging, zone),
        choices={"action": forms.ACTIONS},
    )


def dead_letters(request: Request) -> Response:
    settings = request.app.state.settings
    topics = tuple(settings.input_topics)

    def parse(query: Query) -> str:
        chosen = query.text("topic", "Topic") or topics[0]
        if chosen not in topics:
            query.problems.append(f"Topic: {chosen!r} is not one of {', '.join(topics)}.")
            return topics[0]
        query.kept["topic"] = chosen
        return chosen

    def read(connection, topic: str, paging):
        dlq = settings.dead_letter_topic(topic)
        where = [queries.DEAD_LETTERS.table.c.topic == dlq]
        page, ends = queries.page_of(connection, queries.DEAD_LETTERS, where, paging)
        summary["topics"] = operations.dead_letter_topics(connection, settings)
        summary["reasons"] = operations.dead_letter_reasons(connection, dlq)
        return page, ends

    summary: dict = {"topics": [], "reasons": []}
    return _listing(request, "dead_letters.html", parse, read, summary=summary)


def alert(request: Request) -> Response:
    alert_id = request.path_params["alert_id"]
    if not ALERT_ID.fullmatch(alert_id):
        raise HTTPException(404)
    reveal = Query(request.query_params).flag("reveal")
    with request.app.state.engine.connect() as connection:
        life = queries.alert_life(connection, alert_id)
    if life is None:
        raise HTTPException(404)
    if reveal:
        log_reveal(request, request.url.path, 1)
    return render(request, "alert.html", {"life": life, "reveal": reveal, "kept": {"reveal": "1"} if reveal else {}})


def health(request: Request) -> Response:
    with request.app.state.engine.connect() as connection:
        found = operations.health(connection)
    return render(request, "health.html", {"health": found, "stale_after": operations.STALE_AFTER_S})
