"""The console's web application (Starlette): routes, templates and how failures are shown."""

from pathlib import Path

import structlog
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from consumer.config.settings import Settings
from consumer.console import export, views
from consumer.console.guard import ConsoleGuard
from consumer.console.rendering import make_templates, render

STATIC = Path(__file__).parent / "static"
log = structlog.get_logger(__name__)


def create_app(settings: Settings, engine: Engine) -> Starlette:
    """The console over `engine` (see reader.read_only_engine)."""
    token = settings.console_token.get_secret_value() if settings.console_token else None
    app = Starlette(
        routes=[
            Route("/", views.home),
            Route("/alerts", views.alerts),
            Route("/alerts.csv", export.alerts_csv),
            Route("/alerts/{alert_id}", views.alert),
            Route("/syncs", views.syncs),
            Route("/syncs.csv", export.syncs_csv),
            Route("/dead-letters", views.dead_letters),
            Route("/health", views.health),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
        middleware=[Middleware(ConsoleGuard, token=token)],
        exception_handlers={HTTPException: _http_error, Exception: _server_error},
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.templates = make_templates(settings)
    app.state.where = engine.url.render_as_string(hide_password=True)
    return app


async def _http_error(request: Request, exc: HTTPException) -> HTMLResponse:
    message = "There is no such page." if exc.status_code == 404 else (exc.detail or "The request was refused.")
    return render(request, "problem.html", {"title": "Not found" if exc.status_code == 404 else "Refused",
                                            "problems": [message]}, exc.status_code)


async def _server_error(request: Request, exc: Exception) -> HTMLResponse:
    # the page names the failure in one line; the traceback goes to the log only
    log.error("console request failed", path=request.url.path, error=f"{type(exc).__name__}", exc_info=exc)
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    return render(request, "problem.html", {
        "title": "The state store could not be read",
        "problems": [f"{type(exc).__name__}: {reason}" if reason else type(exc).__name__,
                     "Check that the database is reachable (STATE_DB_URL), then reload the page."],
    }, 500)
