"""Asking the service's operator endpoints, as a probe or a scrape would."""

import urllib.error
import urllib.request


def get(port: int, path: str) -> tuple[int, str]:
    """(status, body) of GET http://127.0.0.1:`port``path`."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
