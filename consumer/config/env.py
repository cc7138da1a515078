"""Settings as environment variables: handing the settings given to this process to a child process."""

from datetime import date, timedelta

from pydantic import SecretStr

from consumer.config.settings import Settings


def settings_environment(settings: Settings) -> dict[str, str]:
    """The environment variables that give another process (`pasi-concurrent ...`) these settings:
    the ones set explicitly, in the form the settings read them back."""
    env = {}
    for name in settings.model_fields_set:
        value = getattr(settings, name)
        if value is None:
            continue
        if isinstance(value, timedelta):
            value = int(value.total_seconds())
        elif isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, SecretStr):
            value = value.get_secret_value()
        elif isinstance(value, bool):
            value = "true" if value else "false"
        env[name.upper()] = str(value)
    return env


def environment_without_settings(environ: dict[str, str]) -> dict[str, str]:
    """`environ` without any variable the settings read (so that a child process gets only those given)."""
    names = {name.upper() for name in Settings.model_fields}
    return {k: v for k, v in environ.items() if k.upper() not in names}
