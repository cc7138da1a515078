"""Who may see the console, and what a browser may do with its pages."""

import base64
import binascii
import hmac

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# pages show students' data: no scripts at all, nothing framed, nothing cached, no address passed on
SECURITY_HEADERS = [
    (b"content-security-policy",
     b"default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
]


def presented_token(headers: Headers) -> tuple[str | None, str | None]:
    """(user, token) from `Authorization: Bearer <token>` or basic auth whose password is the token."""
    scheme, _, value = (headers.get("authorization") or "").partition(" ")
    if scheme.lower() == "bearer":
        return None, value.strip()
    if scheme.lower() == "basic":
        try:
            user, _, password = base64.b64decode(value.strip(), validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None, None
        return user, password
    return None, None


class ConsoleGuard:
    """Asks for the token when one is set; adds the security headers to every response."""

    def __init__(self, app: ASGIApp, token: str | None):
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + SECURITY_HEADERS
            await send(message)

        if self.token is not None:
            user, token = presented_token(Headers(scope=scope))
            if token is None or not hmac.compare_digest(token.encode(), self.token.encode()):
                refusal = PlainTextResponse(
                    "This console asks for its token (CONSOLE_TOKEN): as a bearer token, or as the password.\n",
                    status_code=401,
                    headers={"WWW-Authenticate": 'Basic realm="pasi-concurrent console", charset="UTF-8"'},
                )
                await refusal(scope, receive, send_with_headers)
                return
            scope.setdefault("state", {})["user"] = user
        await self.app(scope, receive, send_with_headers)
