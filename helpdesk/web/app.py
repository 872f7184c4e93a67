"""The web application: the public Formulir (/lapor), the reporter's status page
(/tiket/<number>?k=<token>), the satisfaction survey (/survei/<number>?k=<token>), the link
by e-mail (/lacak) and the staff desk (/petugas).

`create_app(site, secret)` builds it; `helpdesk web` serves it with uvicorn. Pages are
rendered on the server from ``helpdesk/web/templates`` and work without JavaScript.
Security is the libraries': Starlette's signed session cookie (itsdangerous), starlette-wtf's
CSRF tokens on every route (`helpdesk.web.guard`), argon2 password hashes
(`helpdesk.passwords`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp
from starlette_wtf import CSRFProtectMiddleware

from helpdesk.web.guard import CSRF_FIELD, BodyTooLarge, capped, protect, token
from helpdesk.web.texts import texts
from helpdesk.wiring import Site

TEMPLATES = Path(__file__).with_name("templates")
SESSION_COOKIE = "helpdesk_session"
# A whole request: the largest attachment, plus room for the form's text fields.
FORM_ROOM = 256 * 1024

log = logging.getLogger("helpdesk.web")


@dataclass
class Web:
    """What every page handler needs: the site, the templates, the office's language."""

    site: Site
    env: Environment

    @property
    def language(self) -> str:
        return self.site.config.office.language

    @property
    def t(self) -> dict[str, str]:
        return dict(texts(self.language))

    @property
    def max_attachment(self) -> int:
        return int(self.site.config.intake.max_attachment_mb * 1024 * 1024)

    def page(self, request: Request | None, name: str, status: int = 200, **values: Any) -> bytes:
        csrf = ""
        staff = None
        if request is not None and "session" in request.scope:
            csrf = token(request)
            staff = request.scope.get("helpdesk.staff")
        template = self.env.get_template(name)
        return template.render(
            t=self.t, lang=self.language, csrf=csrf, csrf_field=CSRF_FIELD, staff=staff,
            office=self.site.config.office, **values,
        ).encode("utf-8")  # fmt: skip

    def render(self, request: Request, name: str, status: int = 200, **values: Any) -> Response:
        return HTMLResponse(
            self.page(request, name, **values),
            status_code=status,
            headers={"cache-control": "no-store"},
        )

    def error(self, request: Request | None, status: int, title: str, text: str,
              **values: Any) -> Response:  # fmt: skip
        body = self.error_page(status, title, text, values, request=request)
        return HTMLResponse(body, status_code=status, headers={"cache-control": "no-store"})

    def error_page(
        self, status: int, title: str, text: str, values: dict[str, Any],
        request: Request | None = None,
    ) -> bytes:  # fmt: skip
        t = self.t
        return self.page(request, "error.html.j2", title=t[title], message=t[text].format(**values),
                         status=status)  # fmt: skip


def environment() -> Environment:
    """The pages' environment, one for the application (`create_app`): templates compiled on
    first use and kept, never looked at again on disk (they are the program's own files)."""
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        auto_reload=False,
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def create_app(here: Site, secret: str) -> ASGIApp:
    """The whole application for ``here``, its cookies signed with ``secret``."""
    from helpdesk.web import public, staff, survey

    web = Web(here, environment())
    secure = here.config.web.public_url.lower().startswith("https://")

    async def not_found(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 404
        if status == 403:  # starlette-wtf's refusal: no token, or not this session's
            return web.error(request, 403, "forbidden_title", "csrf")
        if status == 405:
            return web.error(request, 405, "error_title", "method")
        if status == 400:
            return web.error(request, 400, "error_title", "bad_request")
        return web.error(request, 404, "not_found_title", "not_found")

    async def too_large(request: Request, exc: Exception) -> Response:
        return web.error(request, 413, "too_large_title", "too_large",
                         mb=max(1, web.max_attachment // (1024 * 1024)))  # fmt: skip

    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("error serving %s %s", request.method, request.url.path)
        return web.error(request, 500, "error_title", "server_error")

    async def home(request: Request) -> Response:
        return RedirectResponse("/lapor", status_code=303)

    routes = protect(
        [Route("/", home), *public.routes(web), *survey.routes(web), *staff.routes(web)]
    )
    lasts = here.config.web.session_minutes * 60
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(
                SessionMiddleware,
                secret_key=secret,
                session_cookie=SESSION_COOKIE,
                max_age=lasts,
                same_site="lax",
                https_only=secure,
            ),
            # A form's token lasts as long as the session: a reporter may take a while.
            Middleware(CSRFProtectMiddleware, csrf_secret=secret, csrf_time_limit=lasts),
        ],
        exception_handlers={
            HTTPException: not_found,
            BodyTooLarge: too_large,
            500: server_error,
        },
    )
    return capped(
        app,
        max_body=web.max_attachment + FORM_ROOM,
        page=lambda status, title, text, values: web.error_page(status, title, text, values),
    )
