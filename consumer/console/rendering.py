"""Turning rows into pages: the templates, their filters, and the links that keep a list's filter."""

from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from consumer.config.settings import Settings
from consumer.redaction import mask_asn

HERE = Path(__file__).parent


def make_templates(settings: Settings) -> Jinja2Templates:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,  # every value is escaped: a query string can never become markup
        undefined=jinja2.StrictUndefined,
    )
    zone = settings.zone
    environment.filters["when"] = lambda at: "" if at is None else at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    environment.filters["thousands"] = lambda n: f"{n:,}"
    environment.filters["ago"] = _ago
    environment.globals["link"] = _link
    environment.globals["show_asn"] = lambda value, reveal: value if reveal or not value else mask_asn(value)
    environment.globals["show_text"] = lambda value, reveal: value if reveal else mask_asn(value)
    environment.globals["zone_name"] = settings.business_timezone
    return Jinja2Templates(env=environment)


def _link(path: str, kept: dict, **changes) -> str:
    """`path` with the kept filter values and `changes` (None drops a value) as its query string."""
    values = {**kept, **changes}
    query = urlencode({name: value for name, value in values.items() if value not in (None, "")})
    return f"{path}?{query}" if query else path


def _ago(at: datetime | None) -> str:
    if at is None:
        return "never"
    seconds = max(0, int((datetime.now(UTC) - at).total_seconds()))
    for unit, size in (("day", 86_400), ("h", 3_600), ("min", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if unit == 'day' and count != 1 else ''} ago"
    return f"{seconds} s ago"


def render(request: Request, template: str, context: dict, status: int = 200) -> HTMLResponse:
    state = request.app.state
    values = {"where": state.where, "now": datetime.now(UTC), "path": request.url.path, **context}
    return state.templates.TemplateResponse(request, template, values, status_code=status)
