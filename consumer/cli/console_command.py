"""`console`: the operators' web console over the state store."""

import typer

from consumer.cli.app import state
from consumer.console.server import serve


def console(
    ctx: typer.Context,
    host: str | None = typer.Option(None, "--host", help="Address to listen on (default CONSOLE_HOST)."),
    port: int | None = typer.Option(None, "--port", min=1, max=65535, help="Port (default CONSOLE_PORT)."),
) -> None:
    """Serve the read-only console: Core Alerts, exit-date syncs, dead letters and health, in a browser."""
    settings = state(ctx).settings
    serve(settings, host or settings.console_host, port or settings.console_port, announce=typer.echo)
