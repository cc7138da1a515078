"""`broker`: the embedded broker in the foreground."""

import typer

from consumer.cli.app import state
from consumer.kafka.embedded import EmbeddedBroker


def broker(ctx: typer.Context) -> None:
    """Run the embedded broker (Tansu, memory only) in the foreground until Ctrl-C."""
    settings = state(ctx).settings
    embedded = EmbeddedBroker.from_settings(settings)
    typer.echo(f"embedded broker on {embedded.address} (memory only: stopping it loses every topic)", err=True)
    raise typer.Exit(embedded.run_foreground())
