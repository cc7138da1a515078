"""A real browser for the console's tests: Debian's headless Chromium, its DOM and its screenshots."""

import shutil
import struct
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
WINDOW = (1440, 1000)
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
)


def _chromium(*args: str, timeout_s: float = 90) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        return subprocess.run(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", f"--window-size={WINDOW[0]},{WINDOW[1]}", *args],
            capture_output=True, text=True, timeout=timeout_s, check=False,
        )


def dom(url: str) -> str:
    """The page as Chromium built it (after parsing, styles and any script)."""
    result = _chromium("--dump-dom", url)
    assert result.returncode == 0 and "<html" in result.stdout, result.stderr[-2000:]
    return result.stdout


def screenshot(url: str, path: Path) -> tuple[int, int]:
    """Save the page as a PNG; returns its (width, height)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    result = _chromium(f"--screenshot={path}", url)
    assert result.returncode == 0 and path.exists(), result.stderr[-2000:]
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", header[16:24])


class _Form(HTMLParser):
    """The fields of the first form on a page as the browser would submit them (GET), in document order."""

    def __init__(self):
        super().__init__()
        self.action: str | None = None
        self.fields: list[list] = []  # [name, value]
        self._select: list | None = None
        self._first_option: str | None = None
        self._done = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self._done:
            return
        if tag == "form" and self.action is None:
            self.action = attrs.get("action", "")
        elif self.action is None:
            return
        elif tag == "input" and attrs.get("name"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields.append([attrs["name"], attrs.get("value", "")])
        elif tag == "select":
            self._select, self._first_option = [attrs["name"], None], None
            self.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            self._first_option = value if self._first_option is None else self._first_option
            if "selected" in attrs:
                self._select[1] = value

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            if self._select[1] is None:
                self._select[1] = self._first_option or ""
            self._select = None
        elif tag == "form" and self.action is not None:
            self._done = True


class _OptionValues(HTMLParser):
    def __init__(self, name: str):
        super().__init__()
        self.name, self.inside, self.values = name, False, []

    @classmethod
    def of(cls, html: str, name: str) -> list[str]:
        parser = cls(name)
        parser.feed(html)
        return parser.values

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select":
            self.inside = attrs.get("name") == self.name
        elif tag == "option" and self.inside:
            self.values.append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self.inside = False


def submit_url(base: str, html: str, **choices: str) -> str:
    """The URL the page's filter form goes to when a person sets `choices` and presses its button;
    each choice must be one the form offers (a select's option, or a text field's free value)."""
    form = _Form()
    form.feed(html)
    assert form.action is not None, "the page has no form"
    names = {name for name, _ in form.fields}
    for name, value in choices.items():
        assert name in names, f"the form has no field {name!r}"
        offered = _OptionValues.of(html, name)
        assert not offered or value in offered, f"{value!r} is not an option of {name!r}: {offered}"
        for field in form.fields:
            if field[0] == name:
                field[1] = value
    return f"{base}{form.action}?{urlencode([(name, value) for name, value in form.fields])}"
