"""`settings`: the effective configuration, or the README's table of every setting."""

import typer
from pydantic import SecretStr

from consumer.cli.app import state
from consumer.config.docs import markdown_table
from consumer.config.settings import Settings
from consumer.redaction import mask_url_passwords


def show_settings(
    ctx: typer.Context,
    markdown: bool = typer.Option(False, "--markdown", help="Print the table of every setting (as in the README)."),
) -> None:
    """Show the settings in effect (from the environment and .env), secrets and URL passwords hidden."""
    if markdown:
        typer.echo(markdown_table())
        return
    settings = state(ctx).settings
    for name in Settings.model_fields:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            value = "********"
        typer.echo(f"{name.upper()}={'' if value is None else mask_url_passwords(str(value))}")
