"""The `pasi-concurrent` command line: its commands, and turning failures into one-line errors."""

import sys
import traceback

import typer

from consumer.cli import (
    alerts_command,
    asyncapi_command,
    broker_commands,
    console_command,
    db_commands,
    demo_command,
    dlq_commands,
    io_commands,
    run_commands,
    settings_command,
)
from consumer.cli.app import CliState, new_app
from consumer.errors import OperatorError
from consumer.redaction import redact


def build_app() -> typer.Typer:
    """Every command and command group, in the order `--help` lists them."""
    app = new_app()
    app.command()(alerts_command.alerts)
    app.command()(asyncapi_command.asyncapi)
    app.command()(broker_commands.broker)
    app.command()(console_command.console)
    app.command()(demo_command.demo)
    app.command()(io_commands.produce)
    app.command()(io_commands.tail)
    app.command()(io_commands.eoy)
    app.command()(run_commands.run)
    app.command()(run_commands.relay)
    app.command("settings")(settings_command.show_settings)
    app.add_typer(db_commands.db, name="db")
    app.add_typer(dlq_commands.dlq, name="dlq")
    return app


def _fail(state: CliState, message: str, code: int) -> None:
    if state.debug:
        traceback.print_exc()
    typer.echo(f"pasi-concurrent: error: {redact(message)}", err=True)
    sys.exit(code)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the command; errors become one line on stderr and a non-zero exit."""
    state = CliState()
    try:
        result = build_app()(args=argv, prog_name="pasi-concurrent", standalone_mode=False, obj=state)
    except typer.TyperException as exc:  # usage errors: bad option, bad value, missing argument
        context = getattr(exc, "ctx", None)
        if type(exc).__name__ == "NoArgsIsHelpError" and context is not None:
            typer.echo(context.get_help())
            sys.exit(0)
        _fail(state, exc.format_message(), 2)
    except typer.Abort:
        _fail(state, "interrupted", 130)
    except OperatorError as exc:
        _fail(state, str(exc), exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:
        _fail(state, f"{type(exc).__name__}: {redact(str(exc))} (run with --debug for the traceback)", 1)
    sys.exit(result if isinstance(result, int) else 0)
