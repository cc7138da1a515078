"""A schema registry of the tests' own: the two calls of the Confluent API the codec makes, over real HTTP.

It can be stopped and started again on the same port, keeping its schemas, as a registry that goes away
for a while and comes back.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LocalRegistry:
    def __init__(self):
        self.schemas: dict[int, str] = {}
        self.port = 0
        self.server: ThreadingHTTPServer | None = None
        self.failing_with: int | None = None  # an HTTP status to answer every call with, as a registry in trouble

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "LocalRegistry":
        """Listen (on the port it had before, if it was started before) and answer in a thread."""
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, name="registry", daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop listening: connections are refused until `start` again."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def _handler(self):
        schemas = self.schemas
        registry = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the standard library's name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if registry.failing_with:
                    return self._answer(registry.failing_with, {"error_code": 50001, "message": "in trouble"})
                ids = {text: schema_id for schema_id, text in schemas.items()}
                schema_id = ids.get(body["schema"]) or len(schemas) + 1
                schemas[schema_id] = body["schema"]
                self._answer(200, {"id": schema_id})

            def do_GET(self):  # noqa: N802
                schema_id = int(self.path.rsplit("/", 1)[-1])
                if registry.failing_with:
                    self._answer(registry.failing_with, {"error_code": 50001, "message": "in trouble"})
                elif schema_id in schemas:
                    self._answer(200, {"schema": schemas[schema_id]})
                else:
                    self._answer(404, {"error_code": 40403, "message": "Schema not found"})

            def _answer(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/vnd.schemaregistry.v1+json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        return Handler
