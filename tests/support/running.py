"""Running the service and its commands for real: in this process, or as `pasi-concurrent` subprocesses."""

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from consumer.config.env import environment_without_settings, settings_environment
from consumer.config.settings import Settings
from consumer.kafka.connect import prepare_broker
from consumer.kafka.options import producer_options
from consumer.kafka.reader import TopicReader
from consumer.runtime.wiring import all_topics, build
from producers.publisher import Publisher, RetryPolicy
from schemas.codec import MessageCodec
from schemas.records import OutboxRecord

CODEC = MessageCodec()


settings_env = settings_environment

# How long `run --until-idle` and `tail --until-idle` wait once quiet, when everything they are to read was
# published before they started: idle also needs every partition read to its end (the highwater its fetches
# report) and, for `run`, the outbox empty, so the wait adds nothing but time.
IDLE = "0.2"
IDLE_S = float(IDLE)


def cli_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "consumer", *args]


def run_cli(
    settings: Settings, *args: str, timeout_s: float = 180, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """Run one `pasi-concurrent` command to completion; stdout and stderr captured as text."""
    env = clean_environment() | settings_env(settings) | (env or {})
    return subprocess.run(
        cli_command(*args), env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout_s, check=False
    )


def start_cli(settings: Settings, *args: str, log_path: Path) -> subprocess.Popen:
    """Start a `pasi-concurrent` command in the background, its output going to `log_path`."""
    env = clean_environment() | settings_env(settings)
    log = open(log_path, "ab")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(cli_command(*args), env=env, stdout=log, stderr=subprocess.STDOUT)


def clean_environment() -> dict[str, str]:
    """The caller's environment without any of the service's settings (tests set their own)."""
    return environment_without_settings(dict(os.environ))


def kill(process: subprocess.Popen, sig: int = signal.SIGKILL, timeout_s: float = 30) -> int:
    if process.poll() is None:
        process.send_signal(sig)
    return process.wait(timeout=timeout_s)


def run_service(settings: Settings, until_idle_s: float = IDLE_S) -> int:
    """The consumer in this process, until idle."""
    return build(settings).run(until_idle_s)


class ServiceThread:
    """The consumer in a background thread of this process, stopped like SIGTERM would."""

    def __init__(self, settings: Settings):
        self.stop_event = threading.Event()
        self.runtime = build(settings, self.stop_event)
        self.thread = threading.Thread(target=self.runtime.run, name="service", daemon=True)

    def __enter__(self) -> "ServiceThread":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop_event.set()
        self.thread.join(timeout=60)


def publish(settings: Settings, topic: str, messages: list, raw: list[tuple[bytes | None, bytes]] = ()) -> None:
    """Publish contract messages (encoded as Avro) and raw (key, value) records to `topic`."""
    prepare_broker(settings, all_topics(settings) + [topic])
    publisher = Publisher(producer_options(settings), retry=RetryPolicy(give_up_after_s=30))
    records = [OutboxRecord(topic, m.key.encode(), CODEC.encode(m)) for m in messages]
    records += [OutboxRecord(topic, key, value) for key, value in raw]
    try:
        publisher.publish(records)
    finally:
        publisher.close()


def read_topic(settings: Settings, topic: str, idle_s: float = IDLE_S, decode: bool = True) -> list:
    """Everything on `topic` from the beginning: decoded messages, or raw consumer records."""
    prepare_broker(settings, [topic])
    with TopicReader(settings, topic, from_beginning=True) as reader:
        records = list(reader.records(until_idle_s=idle_s))
    return [CODEC.decode(r.value) for r in records] if decode else records
