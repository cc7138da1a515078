"""`run`: the consumer service, until stopped (SIGTERM, SIGINT) or idle; `relay`: the outbox relay alone."""

import signal
import threading

import structlog
import typer

from consumer.cli.app import state
from consumer.kafka.connect import prepare_broker
from consumer.runtime.relay_child import serve
from consumer.runtime.relay_setup import all_topics
from consumer.runtime.wiring import build

log = structlog.get_logger(__name__)


def run(
    ctx: typer.Context,
    until_idle: float | None = typer.Option(
        None,
        "--until-idle",
        min=0,
        help="Exit 0 once every partition is read to its end and nothing new came for this many seconds.",
    ),
) -> None:
    """Run the consumer: apply the rules to SIS events and publish Core Alerts and exit-date syncs."""
    settings = state(ctx).settings
    stop = threading.Event()
    runtime = None

    def request_stop(signum, _frame) -> None:
        if stop.is_set() and runtime is not None:
            name = signal.Signals(signum).name
            log.warning("stopping now: the unsent outbox is kept for the next start", signal=name)
            runtime.relay.stop()
            return
        log.info("stopping: finishing the batch, draining the outbox", signal=signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    runtime = build(settings, stop)
    log.info(
        "consumer started",
        broker=settings.bootstrap_servers,
        embedded=settings.embedded,
        database=runtime.database.engine.url.render_as_string(hide_password=True),
        group=settings.consumer_group,
    )
    raise typer.Exit(runtime.run(until_idle))


def relay(ctx: typer.Context) -> None:
    """Run the outbox relay alone: publish what the consumers commit to the outbox (`run` starts its own
    unless RELAY_MODE=external; a second relay on the same store waits while the first publishes)."""
    settings = state(ctx).settings
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda signum, _frame: stop.set())
    prepare_broker(settings, all_topics(settings))
    serve(settings, stop=stop)
