"""`produce`, `tail` and `eoy`: putting messages on topics and reading them back as JSON lines."""

import base64
import json
import sys
from datetime import date
from pathlib import Path

import typer
from rich.console import Console

from consumer.cli.app import state
from consumer.cli.progress import progress_bar
from consumer.errors import UsageError
from consumer.kafka.connect import prepare_broker
from consumer.kafka.options import producer_options
from consumer.kafka.reader import TopicReader
from consumer.redaction import redact
from consumer.runtime.codecs import codec_for
from producers.eoy import term_closed
from producers.jsonl import read_messages, validate_file
from producers.publisher import Publisher, RetryPolicy
from schemas.codec import to_json
from schemas.errors import DecodeError, InvalidMessage
from schemas.records import OutboxRecord

MAX_PROBLEMS_SHOWN = 20


def make_publisher(settings, topics: list[str]) -> Publisher:
    return Publisher(
        producer_options(settings),
        prepare=lambda: prepare_broker(settings, topics),
        retry=RetryPolicy(settings.publish_retry_initial_s, settings.publish_retry_max_s, give_up_after_s=60),
    )


def produce(
    ctx: typer.Context,
    topic: str = typer.Argument(..., help="enrollment-changed or term-closed (or any topic of the contract)."),
    file: Path = typer.Option(..., "--file", "-f", exists=True, dir_okay=False, help="JSON lines, one message a line."),
) -> None:
    """Validate every line of FILE, then publish them as Avro; any invalid line publishes nothing (exit 2)."""
    settings = state(ctx).settings
    record_name = settings.topic_record(topic)
    if record_name is None:
        raise UsageError(f"topic {topic!r} is not one of the contract's topics")
    with progress_bar("validating", file) as advance:
        count, problems = validate_file(file, record_name, on_line=advance)
    if problems:
        err = Console(stderr=True, highlight=False, soft_wrap=True)
        for problem in problems[:MAX_PROBLEMS_SHOWN]:
            err.print(f"{file}: {redact(str(problem))}", markup=False)
        if len(problems) > MAX_PROBLEMS_SHOWN:
            err.print(f"… and {len(problems) - MAX_PROBLEMS_SHOWN} more problems", markup=False)
        lines = len({p.line for p in problems})
        raise UsageError(f"nothing published: {lines} of {count} lines are invalid")
    prepare_broker(settings, [topic])
    codec = codec_for(settings)
    publisher = make_publisher(settings, [topic])
    sent = 0
    try:
        with progress_bar("publishing", file, total=count) as advance:
            chunk: list[OutboxRecord] = []
            for message in read_messages(file, record_name):
                chunk.append(OutboxRecord(topic, message.key.encode(), codec.encode(message)))
                if len(chunk) >= 5_000:
                    publisher.publish(chunk, on_acknowledged=advance)
                    sent += len(chunk)
                    chunk = []
            publisher.publish(chunk, on_acknowledged=advance)
            sent += len(chunk)
    finally:
        publisher.close()
    typer.echo(f"published {sent} messages to {topic}", err=True)


def tail(
    ctx: typer.Context,
    topic: str = typer.Argument(..., help="Any topic; dead-letter topics print their reason."),
    from_beginning: bool = typer.Option(False, "--from-beginning", help="Start at the first message."),
    until_idle: float | None = typer.Option(
        None,
        "--until-idle",
        min=0,
        help="Exit once at the end of every partition with nothing new for this many seconds.",
    ),
) -> None:
    """Decode TOPIC and print one JSON object a line (undecodable records are reported on stderr)."""
    settings = state(ctx).settings
    prepare_broker(settings, [topic])
    codec = codec_for(settings)
    dead_letters = topic.endswith(settings.dead_letter_suffix)
    with TopicReader(settings, topic, from_beginning=from_beginning) as reader:
        for record in reader.records(until_idle):
            if dead_letters:
                print(json.dumps(dead_letter_view(record)), flush=True)
                continue
            try:
                print(to_json(codec.decode(record.value)), flush=True)
            except (DecodeError, InvalidMessage) as exc:
                print(
                    f"pasi-concurrent tail: {topic} partition {record.partition} offset {record.offset}: "
                    f"cannot decode: {redact(str(exc))}",
                    file=sys.stderr,
                    flush=True,
                )


def dead_letter_view(record) -> dict:
    headers = {name: value.decode("utf-8", "replace") for name, value in record.headers or []}
    return {
        "partition": record.partition,
        "offset": record.offset,
        "key": record.key.decode("utf-8", "replace") if record.key is not None else None,
        "reason": {"error_class": headers.get("error.class"), "error_message": headers.get("error.message")},
        "source": {
            "topic": headers.get("source.topic"),
            "partition": int(headers["source.partition"]) if "source.partition" in headers else None,
            "offset": int(headers["source.offset"]) if "source.offset" in headers else None,
        },
        "failed_at": headers.get("failed_at"),
        "value_base64": base64.b64encode(record.value or b"").decode(),
    }


def eoy(
    ctx: typer.Context,
    year: int = typer.Option(..., "--year", min=0, max=999, help="School year id (35 = 2025-26)."),
    closed_on: str = typer.Option(..., "--closed-on", help="Exit date given to the closed enrolments (YYYY-MM-DD)."),
    school: list[str] = typer.Option([], "--school", help="A school in scope (repeat); none means every school."),
    run_id: str | None = typer.Option(
        None, "--run-id", help="Id of this End-of-Year run; re-delivery of a run changes nothing."
    ),
    exit_code: str | None = typer.Option(None, "--exit-code", help="Exit code instead of the default (EOY_EXIT_CODE)."),
) -> None:
    """Publish the End-of-Year broadcast (TermClosed) that closes the year's concurrent enrolments."""
    for code in school:
        if not (len(code) == 4 and code.isdigit()):
            raise UsageError(f"--school: {code!r} is not a 4-digit school code")
    try:
        closed = date.fromisoformat(closed_on)
    except ValueError:
        raise UsageError(f"--closed-on: {closed_on!r} is not a date (YYYY-MM-DD)") from None
    try:
        message = term_closed(year, closed, list(school), run_id=run_id, exit_code=exit_code)
    except Exception as exc:  # pydantic names the field
        problems = getattr(exc, "errors", lambda: [])()
        detail = "; ".join(f"{'.'.join(map(str, p['loc']))}: {p['msg']}" for p in problems) or str(exc)
        raise UsageError(detail.replace("school_codes", "--school")) from None
    settings = state(ctx).settings
    topic = settings.topic_term_closed
    prepare_broker(settings, [topic])
    publisher = make_publisher(settings, [topic])
    try:
        publisher.publish([OutboxRecord(topic, message.key.encode(), codec_for(settings).encode(message))])
    finally:
        publisher.close()
    typer.echo(to_json(message))
