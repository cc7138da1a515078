"""The `pasi-concurrent` command line."""

import sys
import traceback

import typer

from consumer.cli import (  # noqa: F401  (they register commands)
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
from consumer.cli.app import STATE, app
from consumer.errors import OperatorError
from consumer.redaction import redact


def _fail(message: str, code: int) -> None:
    if STATE.debug:
        traceback.print_exc()
    typer.echo(f"pasi-concurrent: error: {redact(message)}", err=True)
    sys.exit(code)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the command; errors become one line on stderr and a non-zero exit."""
    try:
        result = app(args=argv, prog_name="pasi-concurrent", standalone_mode=False)
    except typer.TyperException as exc:  # usage errors: bad option, bad value, missing argument
        context = getattr(exc, "ctx", None)
        if type(exc).__name__ == "NoArgsIsHelpError" and context is not None:
            typer.echo(context.get_help())
            sys.exit(0)
        _fail(exc.format_message(), 2)
    except typer.Abort:
        _fail("interrupted", 130)
    except OperatorError as exc:
        _fail(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:
        _fail(f"{type(exc).__name__}: {redact(str(exc))} (run with --debug for the traceback)", 1)
    sys.exit(result if isinstance(result, int) else 0)
