"""The HTTP endpoint for operators: /metrics (Prometheus), /healthz (alive), /readyz (broker, database, outbox)."""

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from consumer.errors import PortInUse


class _BoundedServer(ThreadingHTTPServer):
    """At most `slots` connections are served at once; more are closed at once, unread."""

    daemon_threads = True

    def __init__(self, address, handler, slots: int):
        self.slots = threading.BoundedSemaphore(slots)
        super().__init__(address, handler)

    def process_request(self, request, client_address):
        if not self.slots.acquire(blocking=False):
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except Exception:
            self.slots.release()
            raise

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()


class HealthServer:
    def __init__(
        self,
        host: str,
        port: int,
        readiness: Callable[[], dict[str, str | None]],
        max_connections: int = 8,
        idle_timeout_s: float = 5.0,
    ):
        """`readiness()` maps each dependency to None when fine, or to what is wrong (for the log only:
        /readyz names what is not ready and no more, since the reasons may hold hosts, users or SQL)."""
        self.readiness = readiness
        handler = self._handler(idle_timeout_s)
        try:
            self.server = _BoundedServer((host, port), handler, max_connections)
        except OSError as exc:
            raise PortInUse(
                f"cannot serve metrics on {host}:{port} ({exc.strerror}); "
                "set METRICS_PORT to a free port, or 0 to turn it off"
            ) from None
        self.thread = threading.Thread(target=self.server.serve_forever, name="health", daemon=True)

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def start(self) -> "HealthServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self, idle_timeout_s: float):
        outer = self

        class Handler(BaseHTTPRequestHandler):
            timeout = idle_timeout_s  # a connection that sends nothing gives its slot back

            def do_GET(self):  # noqa: N802 - the standard library's name
                if self.path == "/metrics":
                    self._send(200, generate_latest(), CONTENT_TYPE_LATEST)
                elif self.path == "/healthz":
                    self._send(200, b"ok\n")
                elif self.path == "/readyz":
                    failing = sorted(name for name, why in outer.readiness().items() if why)
                    if failing:
                        self._send(503, f"not ready: {', '.join(failing)}\n".encode())
                    else:
                        self._send(200, b"ready\n")
                else:
                    self._send(404, b"not found\n")

            def _send(self, status: int, body: bytes, content_type: str = "text/plain; charset=utf-8"):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass  # scrapes every few seconds would flood the log

        return Handler
