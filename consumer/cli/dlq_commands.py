"""`dlq list` and `dlq replay`: what failed and why, and sending it back after a fix."""

from datetime import UTC, datetime

import typer
from rich.table import Table

from consumer.cli.app import STATE, UserError, app
from consumer.cli.io_commands import make_publisher
from consumer.cli.output import wide_console
from consumer.cli.progress import progress_bar
from consumer.connect import prepare_broker
from consumer.topic_reader import TopicReader
from producers.replay import as_record, dead_letter, reasons, selected

dlq = typer.Typer(help="Dead letters: list them by reason, replay them to their source topic.", no_args_is_help=True)
app.add_typer(dlq, name="dlq")


def _dead_letter_topic(topic: str) -> str:
    settings = STATE.settings
    if topic.endswith(settings.dead_letter_suffix):
        return topic
    if topic not in settings.input_topics:
        raise UserError(f"topic {topic!r} is not an input topic nor a dead-letter topic", code=2)
    return settings.dead_letter_topic(topic)


def _read(topic: str) -> list:
    settings = STATE.settings
    prepare_broker(settings, [topic])
    with TopicReader(settings, topic, from_beginning=True) as reader:
        return [dead_letter(record) for record in reader.records(until_idle_s=0.5)]


@dlq.command("list")
def list_dead_letters(topic: str = typer.Argument(..., help="An input topic or its dead-letter topic.")) -> None:
    """Count the dead letters of TOPIC by source and reason."""
    dlq_topic = _dead_letter_topic(topic)
    counts = reasons(_read(dlq_topic))
    table = Table(title=f"{dlq_topic}: {sum(counts.values())} dead letters", title_justify="left")
    table.add_column("Count", justify="right")
    table.add_column("Source")
    table.add_column("Reason", overflow="fold")
    for (source, reason), count in counts.most_common():
        table.add_row(str(count), source, reason)
    wide_console().print(table)


@dlq.command("replay")
def replay(
    topic: str = typer.Argument(..., help="An input topic or its dead-letter topic."),
    from_offset: int | None = typer.Option(None, "--offset", min=0, help="Only dead letters at this offset or later."),
    since: str | None = typer.Option(None, "--since", help="Only dead letters that failed at or after this ISO time."),
) -> None:
    """Re-publish dead letters to their source topic (after a fix); replaying twice does not duplicate effects."""
    since_at = None
    if since is not None:
        try:
            since_at = datetime.fromisoformat(since)
        except ValueError:
            raise UserError(f"--since: {since!r} is not an ISO date or time", code=2) from None
        since_at = since_at if since_at.tzinfo else since_at.replace(tzinfo=UTC)
    dlq_topic = _dead_letter_topic(topic)
    letters = _read(dlq_topic)
    chosen = selected(letters, from_offset, since_at)
    unknown = [letter for letter in chosen if not letter.source_topic]
    chosen = [letter for letter in chosen if letter.source_topic]
    settings = STATE.settings
    targets = sorted({letter.source_topic for letter in chosen})
    if chosen:
        prepare_broker(settings, targets)
        publisher = make_publisher(settings, targets)
        try:
            with progress_bar("replaying", total=len(chosen)) as advance:
                publisher.publish([as_record(letter, dlq_topic) for letter in chosen], on_acknowledged=advance)
        finally:
            publisher.close()
    skipped = len(letters) - len(chosen) - len(unknown)
    typer.echo(
        f"replayed {len(chosen)} of {len(letters)} dead letters from {dlq_topic} to {', '.join(targets) or 'nothing'}"
        + (f"; {skipped} outside --offset/--since" if skipped else "")
        + (f"; {len(unknown)} without a source.topic header left alone" if unknown else "")
    )
