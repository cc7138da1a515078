"""A TCP forwarder in front of a server, which a test closes (connections reset, new ones refused) and reopens."""

import contextlib
import socket
import struct
import threading
from urllib.parse import urlsplit

from tests.support.kafka import free_port


class Forwarder:
    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._pairs: set[tuple[socket.socket, socket.socket]] = set()
        self._abandoned: set[socket.socket] = set()  # server sides left open by `cut`
        self._lock = threading.Lock()
        self.open()

    def url_for(self, url: str) -> str:
        """`url` (a database URL to the target) through this forwarder."""
        parsed = urlsplit(url)
        user = f"{parsed.username}@" if parsed.username else ""
        return parsed._replace(netloc=f"{user}127.0.0.1:{self.port}").geturl()

    def open(self) -> None:
        """Listen again on the same port."""
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def close(self) -> None:
        """Stop listening (new connections are refused) and reset every open connection."""
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
            listener.close()
        with self._lock:
            pairs, self._pairs = self._pairs, set()
            abandoned, self._abandoned = self._abandoned, set()
        for sock in abandoned:
            sock.close()
        for pair in pairs:
            for sock in pair:
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST
                    sock.shutdown(socket.SHUT_RDWR)  # a close alone would wait for the thread reading it
                sock.close()

    def cut(self) -> None:
        """Reset every connection on the client's side only, as a broken network does: the server's side
        stays open, and the server keeps those sessions (and their locks) as if their clients were there."""
        with self._lock:
            pairs, self._pairs = self._pairs, set()
            self._abandoned |= {upstream for _, upstream in pairs}
        for client, _ in pairs:
            with contextlib.suppress(OSError):
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                client.shutdown(socket.SHUT_RDWR)
            client.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            pair = (client, upstream)
            with self._lock:
                self._pairs.add(pair)
            threading.Thread(target=self._pipe, args=(client, upstream, pair), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, pair), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket, pair) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with self._lock:
                self._pairs.discard(pair)
                kept = self._abandoned
            for sock in pair:
                if sock in kept:
                    continue
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
