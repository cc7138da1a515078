"""`asyncapi`: print or write the AsyncAPI 3.0.0 description of the service's topics."""

from pathlib import Path
from typing import Annotated

import typer

from consumer.cli.app import state
from consumer.kafka.asyncapi import DEFAULT_PATH, default_settings, render_yaml

OutputOption = typer.Option(
    "--output", "-o", dir_okay=False, help=f"Write the YAML to this file (the repository keeps {DEFAULT_PATH})."
)
DefaultsOption = typer.Option(
    "--defaults", help=f"Describe the default settings, ignoring the environment and .env, as {DEFAULT_PATH} does."
)


def asyncapi(
    ctx: typer.Context,
    output: Annotated[Path | None, OutputOption] = None,
    defaults: Annotated[bool, DefaultsOption] = False,
) -> None:
    """Print the AsyncAPI 3.0.0 document of the topics, messages and Avro schemas, as configured."""
    text = render_yaml(default_settings() if defaults else state(ctx).settings)
    if output is None:
        typer.echo(text, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {output}", err=True)
