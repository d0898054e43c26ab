"""The app the reliability tests drive, in-process and as a real server.

``create_app()`` is imported by the tests (in-process, through ASGI or the
sanic-testing clients) and by ``serve.py`` (what ``python -m sanic`` runs).
Every route answers with JSON written by the standard library, so what the
client reads is exactly what the session held (Sanic's own ``json`` may use
ujson, which cannot write integers beyond 64 bits).
"""

from __future__ import annotations

import json
import os
from typing import Any

from sanic import Request, Sanic
from sanic.response import HTTPResponse, raw

import sanic_cookiesession


def reply(data: Any, status: int = 200) -> HTTPResponse:
    """A JSON response made with ``json.dumps`` (exact for floats and big ints)."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return raw(
        body,
        status=status,
        content_type="application/json",
        headers={"X-Worker": str(os.getpid())},
    )


def install(app: Sanic[Any, Any], front: str, options: dict[str, Any]) -> None:
    if front == "extend":
        from sanic_cookiesession import CookieSession

        # sanic-ext uses an instance as it is (its annotation says classes).
        app.extend(
            extensions=[CookieSession(**options)],  # type: ignore[list-item]
            config={"oas": False},
        )
    else:
        sanic_cookiesession.setup(app, **options)


def create_app(
    name: str,
    *,
    front: str = "setup",
    options: dict[str, Any] | None = None,
    **config: Any,
) -> Sanic[Any, Any]:
    """An app with sessions and the routes below; ``config`` as keyword args,
    ``options`` for the front door (``serializer_type=...``).

    Settings not given here come from the environment (``SANIC_`` variables),
    which is how the real servers get their secret and fallback keys.
    """
    app = Sanic(name)
    for key, value in config.items():
        app.config[key] = value
    install(app, front, options or {})

    @app.get("/")
    async def untouched(request: Request) -> HTTPResponse:
        return reply("ok")

    @app.get("/read")
    async def read(request: Request) -> HTTPResponse:
        return reply(dict(request.ctx.session))

    @app.post("/store")
    async def store(request: Request) -> HTTPResponse:
        data = json.loads(request.body)
        session = request.ctx.session
        session.clear()
        session.update(data)
        return reply(dict(session))

    @app.get("/claim/<client_id:str>")
    async def claim(request: Request, client_id: str) -> HTTPResponse:
        session = request.ctx.session
        session.clear()
        session.update(id=client_id, n=0)
        return reply(dict(session))

    @app.get("/inc")
    async def inc(request: Request) -> HTTPResponse:
        session = request.ctx.session
        session["n"] = session.get("n", 0) + 1
        return reply(dict(session))

    @app.get("/write")
    async def write(request: Request) -> HTTPResponse:
        session = request.ctx.session
        session["w"] = session.get("w", 0) + 1
        return reply(dict(session))

    @app.get("/clear")
    async def clear(request: Request) -> HTTPResponse:
        request.ctx.session.clear()
        return reply({})

    return app
