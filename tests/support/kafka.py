"""Reaching a real broker from tests: an external cluster, a container, or the embedded broker."""

import os
import signal
import socket
from dataclasses import dataclass
from pathlib import Path

from consumer.kafka.embedded import EmbeddedBroker


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def docker_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=2).ping()
        return True
    except Exception:
        return False


@dataclass
class Broker:
    bootstrap: str
    kind: str  # "external", "container" or "embedded"
    embedded: EmbeddedBroker | None = None

    @property
    def controllable(self) -> bool:
        """Whether tests can pause, resume and restart it (only a local embedded process)."""
        return self.embedded is not None

    def _pid(self) -> int:
        return int(self.embedded.pid_path.read_text())

    def pause(self) -> None:
        os.kill(self._pid(), signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self._pid(), signal.SIGCONT)

    def restart(self) -> None:
        """Stop and start again on the same port: it comes back empty."""
        self.embedded.stop()
        self.embedded.ensure_running()

    def stop(self) -> None:
        if self.embedded is not None:
            self.embedded.stop()


def start_embedded(var_dir: Path, port: int | None = None) -> Broker:
    embedded = EmbeddedBroker("127.0.0.1", port or free_port(), var_dir)
    embedded.ensure_running()
    return Broker(embedded.address, "embedded", embedded)


def start_container():
    try:
        from testcontainers.community.kafka import KafkaContainer
    except ImportError:  # testcontainers before the community split
        from testcontainers.kafka import KafkaContainer

    container = KafkaContainer().start()
    return container, Broker(container.get_bootstrap_server(), "container")
