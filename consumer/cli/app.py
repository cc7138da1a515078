"""The typer application's shared parts: its global options, and the context object every command reads."""

from dataclasses import dataclass, field

import typer
from pydantic import ValidationError

from consumer.config.settings import Settings
from consumer.errors import UsageError
from consumer.runtime.logs import configure_logging


@dataclass
class CliState:
    """The context object (`ctx.obj`): the global options, and the settings, read on first use."""

    debug: bool = False
    _settings: Settings | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings()
            configure_logging(
                self._settings.log_level if not self.debug else "DEBUG",
                self._settings.log_format,
                self._settings.log_mask_asn,
            )
        return self._settings


def state(ctx: typer.Context) -> CliState:
    """The command line's state: the object `main` passes in, or a new one."""
    return ctx.ensure_object(CliState)


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        name = ".".join(str(p) for p in first["loc"]) or "setting"
        message = first["msg"].removeprefix("Value error, ")
        if ": " in message and message.split(": ", 1)[0].isidentifier():
            name, message = message.split(": ", 1)
        shown = f" (got {first['input']!r})" if not isinstance(first.get("input"), dict) else ""
        raise UsageError(f"bad setting {name.upper()}: {message}{shown}") from None


def main_options(
    ctx: typer.Context,
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks and debug logs."),
) -> None:
    state(ctx).debug = debug


def new_app() -> typer.Typer:
    """The application with its global options and no command yet."""
    app = typer.Typer(
        name="pasi-concurrent",
        help=(
            "Keeps concurrent enrolments in step with PASI: consumes SIS events, emits Core Alerts and exit-date"
            " syncs."
        ),
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
    )
    app.callback()(main_options)
    return app
