"""Serving the console with uvicorn on its own socket: a bad address or a port in use is one clear line."""

import ipaddress
import signal
import socket
import threading

import uvicorn

from consumer.config.settings import Settings
from consumer.console.app import create_app
from consumer.console.reader import read_only_engine
from consumer.errors import OperatorError, PortInUse
from consumer.store.migrate import open_migrated


class ConsoleRefused(OperatorError):
    exit_code = 2


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name: it may resolve to anything


def check_exposure(settings: Settings, host: str) -> None:
    """Beyond this machine the console shows students' data only to those who have its token."""
    if not is_loopback(host) and settings.console_token is None:
        raise ConsoleRefused(
            f"CONSOLE_TOKEN: required when the console listens on {host}, which is not a loopback address; "
            "set CONSOLE_TOKEN, or CONSOLE_HOST=127.0.0.1 to serve this machine only"
        )


def listen(host: str, port: int) -> socket.socket:
    try:
        family, kind, protocol, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise ConsoleRefused(f"CONSOLE_HOST: cannot listen on {host!r}: {exc.strerror}") from None
    sock = socket.socket(family, kind, protocol)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise PortInUse(
            f"cannot serve the console on {host}:{port} ({exc.strerror}); set CONSOLE_PORT to a free port"
        ) from None
    sock.listen(128)
    return sock


def url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"http://{shown}:{port}/"


def serve(settings: Settings, host: str, port: int, announce=print) -> None:
    """Check the exposure, migrate the store, then serve until interrupted."""
    check_exposure(settings, host)
    open_migrated(settings).dispose()  # the console reads tables the current schema has
    sock = listen(host, port)
    engine = read_only_engine(settings.database_url)
    app = create_app(settings, engine)
    # no access log: query strings can carry ASNs; revealing them is logged by the console itself
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, server_header=False))
    announce(f"Console on {url(host, port)} (read-only; Ctrl-C stops it)")
    # uvicorn stops gracefully on SIGINT and SIGTERM, then raises the signal again: a stop asked for is a success
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _stopped) if in_main else None
    try:
        server.run(sockets=[sock])
    except (KeyboardInterrupt, Stopped):
        pass
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        sock.close()
        engine.dispose()


class Stopped(Exception):
    pass


def _stopped(_signum, _frame) -> None:
    raise Stopped
