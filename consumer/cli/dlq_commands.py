"""`dlq list` and `dlq replay`: what failed and why, and sending it back after a fix."""

from datetime import UTC, datetime

import typer
from rich.table import Table
from rich.text import Text

from consumer.cli.app import state
from consumer.cli.io_commands import make_publisher
from consumer.cli.output import wide_console
from consumer.cli.progress import progress_bar
from consumer.config.settings import Settings
from consumer.errors import OperatorError, UsageError
from consumer.kafka.connect import prepare_broker
from consumer.kafka.reader import TopicReader
from consumer.redaction import redact
from producers.replay import as_record, dead_letter, plan_replay, reasons, selected
from schemas.errors import listing

dlq = typer.Typer(help="Dead letters: list them by reason, replay them to their input topic.", no_args_is_help=True)


def _dead_letter_topic(settings: Settings, topic: str) -> str:
    if topic.endswith(settings.dead_letter_suffix):
        return topic
    if topic not in settings.input_topics:
        raise UsageError(f"topic {topic!r} is not an input topic nor a dead-letter topic")
    return settings.dead_letter_topic(topic)


def _replay_target(settings: Settings, dlq_topic: str, to: str | None) -> str:
    """The input topic to replay to: `--to`, else the one whose name the dead-letter topic extends."""
    inputs = ", ".join(settings.input_topics)
    if to is not None:
        if to not in settings.input_topics:
            raise UsageError(f"--to: {to!r} is not an input topic ({inputs})")
        return to
    source = dlq_topic.removesuffix(settings.dead_letter_suffix)
    if source not in settings.input_topics:
        raise UsageError(
            f"{dlq_topic!r} is not the dead-letter topic of an input topic ({inputs}): "
            "name the input topic to replay to with --to"
        )
    return source


def _read(settings: Settings, topic: str) -> list:
    prepare_broker(settings, [topic])
    with TopicReader(settings, topic, from_beginning=True) as reader:
        return [dead_letter(record) for record in reader.records(until_idle_s=0.5)]


@dlq.command("list")
def list_dead_letters(
    ctx: typer.Context, topic: str = typer.Argument(..., help="An input topic or its dead-letter topic.")
) -> None:
    """Count the dead letters of TOPIC by source and reason."""
    settings = state(ctx).settings
    dlq_topic = _dead_letter_topic(settings, topic)
    counts = reasons(_read(settings, dlq_topic))
    table = Table(title=f"{dlq_topic}: {sum(counts.values())} dead letters", title_justify="left")
    table.add_column("Count", justify="right")
    table.add_column("Source")
    table.add_column("Reason", overflow="fold")
    for (source, reason), count in counts.most_common():
        table.add_row(str(count), Text(redact(source, 200)), Text(redact(reason, 200)))  # header text, not markup
    wide_console().print(table)


@dlq.command("replay")
def replay(
    ctx: typer.Context,
    topic: str = typer.Argument(..., help="An input topic or its dead-letter topic."),
    from_offset: int | None = typer.Option(None, "--offset", min=0, help="Only dead letters at this offset or later."),
    since: str | None = typer.Option(None, "--since", help="Only dead letters that failed at or after this ISO time."),
    to: str | None = typer.Option(
        None, "--to", help="Input topic to replay every dead letter to, whatever its source.topic header says."
    ),
) -> None:
    """Re-publish dead letters to their input topic (after a fix); replaying twice does not duplicate effects.

    The input topic is the one the dead-letter topic belongs to (its name without DEAD_LETTER_SUFFIX), or --to;
    a dead letter whose source.topic header names another topic is refused (exit 1)."""
    since_at = None
    if since is not None:
        try:
            since_at = datetime.fromisoformat(since)
        except ValueError:
            raise UsageError(f"--since: {since!r} is not an ISO date or time") from None
        since_at = since_at if since_at.tzinfo else since_at.replace(tzinfo=UTC)
    settings = state(ctx).settings
    dlq_topic = _dead_letter_topic(settings, topic)
    target = _replay_target(settings, dlq_topic, to)
    letters = _read(settings, dlq_topic)
    chosen = selected(letters, from_offset, since_at)
    plan = plan_replay(chosen, target, explicit=to is not None)
    if plan.send:
        prepare_broker(settings, [target])
        publisher = make_publisher(settings, [target])
        try:
            with progress_bar("replaying", total=len(plan.send)) as advance:
                records = [as_record(letter, dlq_topic, target) for letter in plan.send]
                publisher.publish(records, on_acknowledged=advance)
        finally:
            publisher.close()
    skipped = len(letters) - len(chosen)
    refused = sum(plan.refused.values())
    typer.echo(
        f"replayed {len(plan.send)} of {len(letters)} dead letters from {dlq_topic} to {target}"
        + (f"; {skipped} outside --offset/--since" if skipped else "")
        + (f"; {plan.without_source} without a source.topic header left alone" if plan.without_source else "")
        + (f"; {refused} refused" if refused else "")
    )
    if refused:
        named = listing([repr(name) for name in sorted(plan.refused)])
        raise OperatorError(
            f"refused {refused} dead letter{'s' if refused > 1 else ''} whose source.topic header names "
            f"another topic than {target}: {named}; nothing was sent there (--to TOPIC replays to an input topic)"
        )
