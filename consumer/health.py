"""The HTTP endpoint for operators: /metrics (Prometheus), /healthz (alive), /readyz (broker and database)."""

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from consumer.errors import PortInUse


class HealthServer:
    def __init__(self, host: str, port: int, readiness: Callable[[], dict[str, str | None]]):
        """`readiness()` maps each dependency to None when fine, or to what is wrong."""
        self.readiness = readiness
        handler = self._handler()
        try:
            self.server = ThreadingHTTPServer((host, port), handler)
        except OSError as exc:
            raise PortInUse(
                f"cannot serve metrics on {host}:{port} ({exc.strerror}); "
                "set METRICS_PORT to a free port, or 0 to turn it off"
            ) from None
        self.server.daemon_threads = True
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

    def _handler(self):
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the standard library's name
                if self.path == "/metrics":
                    self._send(200, generate_latest(), CONTENT_TYPE_LATEST)
                elif self.path == "/healthz":
                    self._send(200, b"ok\n")
                elif self.path == "/readyz":
                    problems = {name: why for name, why in outer.readiness().items() if why}
                    if problems:
                        body = "".join(f"{name}: {why}\n" for name, why in sorted(problems.items()))
                        self._send(503, body.encode())
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
