"""What stands in front of every page: a cap on what a request may upload, counted while
it streams in, and CSRF protection on every route.

CSRF is starlette-wtf's (Flask-WTF's scheme): a random token kept in the signed session
cookie, and a time-signed copy of it in a hidden field of every form; a POST whose field
does not match its session is refused with 403 before the page's handler runs.
`protect` puts that check on every route, so no form can be left without it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from starlette.requests import Request
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette_wtf import csrf_protect, csrf_token

CSRF_FIELD = "csrf_token"  # starlette-wtf's field (and session key) name

# (status, title key, text key, text values) -> a whole HTML page
ErrorPage = Callable[[int, str, str, dict[str, Any]], bytes]


class BodyTooLarge(Exception):
    """A request's body grew past the cap while it streamed in."""


def protect(routes: Sequence[Route]) -> list[Route]:
    """The routes, each endpoint behind the CSRF check for its unsafe methods."""
    return [
        Route(r.path, csrf_protect(r.endpoint), methods=list(r.methods or ()), name=r.name)
        for r in routes
    ]


def token(request: Request) -> str:
    """The CSRF token for the forms of the page answering ``request``."""
    return str(csrf_token(request))


async def send_page(send: Send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/html; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def capped(app: ASGIApp, *, max_body: int, page: ErrorPage) -> ASGIApp:
    """``app``, refusing with 413 a body larger than ``max_body``: at once when its length
    says so, else as soon as that much has streamed in (`BodyTooLarge` in the handler)."""
    megabytes = max(1, max_body // (1024 * 1024))

    async def guard(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        declared = next((v for k, v in scope.get("headers") or [] if k == b"content-length"), None)
        if declared is not None:
            try:
                too_big = int(declared) > max_body
            except ValueError:
                await send_page(send, 400, page(400, "error_title", "bad_request", {}))
                return
            if too_big:
                body = page(413, "too_large_title", "too_large", {"mb": megabytes})
                await send_page(send, 413, body)
                return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > max_body:
                    raise BodyTooLarge()
            return message

        async def tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await app(scope, counted, tracking)
        except BodyTooLarge:
            if not started:
                body = page(413, "too_large_title", "too_large", {"mb": megabytes})
                await send_page(send, 413, body)

    return guard
