"""The design card's shape: one handler on ``http.lifecycle.request`` and one
on ``http.lifecycle.response``, nothing else per request, and what follows
from where Sanic dispatches them."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from sanic import Request, Sanic, response
from sanic.exceptions import NotFound

import sanic_cookiesession
from sanic_cookiesession.engine import get_engine

from .conftest import COOKIE, SECRET, Client, install, read_token, token, unique_name


def _handlers(app: Sanic, event: str) -> list[Any]:
    return [signal.handler for signal in app.signal_router.routes if signal.name == event]


def _ours(app: Sanic) -> list[str]:
    """The events our engine handles (the startup listener included)."""
    engine = get_engine(app)
    found = []
    for signal in app.signal_router.routes:
        handler = signal.handler
        target = getattr(handler, "keywords", {}).get("listener", handler)  # a listener
        if getattr(target, "__self__", None) is engine:
            found.append(signal.name)
    return sorted(found)


def test_installs_two_lifecycle_handlers_and_nothing_else(front: str) -> None:
    # Two handlers on HTTP requests; the websocket ones are dispatched by
    # Sanic for websocket routes only.
    app = Sanic(unique_name())
    app.config.SECRET_KEY = SECRET
    request_class = app.request_class
    install(app, front)
    assert _ours(app) == [
        "http.lifecycle.request",
        "http.lifecycle.response",
        "server.init.before",
        "websocket.handler.before",
    ]
    # No replaced request class, no middleware (sanic-ext may add its own).
    assert app.request_class is request_class
    for middleware in [*app.request_middleware, *app.response_middleware]:
        func = getattr(middleware, "func", middleware)
        assert not func.__module__.startswith("sanic_cookiesession")


def test_works_in_production_mode_with_touchup(mode: str, front: str) -> None:
    # The test clients start the app without debug: Sanic's TouchUp removes
    # the dispatch of signals with no handler at startup. Ours survive it.
    app = Sanic(unique_name())
    app.config.SECRET_KEY = SECRET
    install(app, front)

    @app.get("/")
    async def index(request: Request) -> Any:
        request.ctx.session["n"] = request.ctx.session.get("n", 0) + 1
        return response.text(str(request.ctx.session["n"]))

    client = Client(app, mode)
    assert app.debug is False
    assert client.get("/").text == "1"
    assert client.get("/").text == "2"


def test_middleware_and_later_signal_handlers_see_the_session(
    front: str, client_for: Any
) -> None:
    app = Sanic(unique_name())
    app.config.SECRET_KEY = SECRET
    install(app, front)
    seen: dict[str, Any] = {}

    @app.signal("http.lifecycle.request")
    async def later_signal(request: Request) -> None:
        seen["signal"] = request.ctx.session.get("user")

    @app.on_request
    async def middleware(request: Request) -> None:
        seen["middleware"] = request.ctx.session.get("user")

    @app.get("/")
    async def index(request: Request) -> Any:
        return response.text("ok")

    client_for(app).get("/", cookies={COOKIE: token({"user": "ann"})})
    assert seen == {"signal": "ann", "middleware": "ann"}


def test_a_change_in_response_middleware_is_saved(make_app: Any, client_for: Any) -> None:
    app: Sanic = make_app()

    @app.get("/")
    async def index(request: Request) -> Any:
        return response.text("ok")

    @app.on_response
    async def stamp(request: Request, resp: Any) -> None:
        request.ctx.session["stamped"] = True

    result = client_for(app).get("/")
    assert read_token(result.cookie().value) == {"stamped": True}


def test_a_replacement_response_from_middleware_gets_the_cookie(
    make_app: Any, client_for: Any
) -> None:
    app: Sanic = make_app()

    @app.get("/")
    async def index(request: Request) -> Any:
        request.ctx.session["n"] = 1
        return response.text("original")

    @app.on_response
    async def replace(request: Request, resp: Any) -> Any:
        return response.text("replaced")

    result = client_for(app).get("/")
    assert result.text == "replaced"
    assert read_token(result.cookie().value) == {"n": 1}


def _error_app(make_app: Any, tmp_path: Path) -> Sanic:
    app: Sanic = make_app()
    page = tmp_path / "page.txt"
    page.write_text("from a file")

    @app.get("/boom")
    async def boom(request: Request) -> Any:
        request.ctx.session["before"] = "boom"
        raise RuntimeError("boom")

    @app.get("/respond-then-boom")
    async def respond_then_boom(request: Request) -> Any:
        request.ctx.session["before"] = "respond"
        await request.respond(content_type="text/plain")
        raise RuntimeError("boom")

    @app.get("/missing")
    async def missing(request: Request) -> Any:
        request.ctx.session["before"] = "missing"
        raise NotFound("no such thing")

    @app.get("/handled")
    async def handled(request: Request) -> Any:
        request.ctx.session["before"] = "handled"
        raise ValueError("handled")

    @app.get("/respond-then-handled")
    async def respond_then_handled(request: Request) -> Any:
        request.ctx.session["before"] = "respond-handled"
        await request.respond(content_type="text/plain")
        raise ValueError("handled")

    @app.exception(ValueError)
    async def on_value_error(request: Request, exc: Exception) -> Any:
        request.ctx.session["handler"] = "ran"
        return response.text("handled", status=409)

    @app.get("/redirect")
    async def redirect(request: Request) -> Any:
        request.ctx.session["before"] = "redirect"
        return response.redirect("/elsewhere")

    @app.get("/file")
    async def a_file(request: Request) -> Any:
        request.ctx.session["before"] = "file"
        return await response.file(page)

    @app.post("/only-post")
    async def only_post(request: Request) -> Any:  # GET is a 405
        return response.text("posted")

    @app.on_response
    async def mark_unrouted(request: Request, resp: Any) -> None:
        if resp.status in (404, 405) and request.path != "/missing":
            request.ctx.session["unrouted"] = resp.status

    return app


@pytest.mark.parametrize(
    ("path", "status", "saved"),
    [
        ("/boom", 500, {"before": "boom"}),
        ("/respond-then-boom", 500, {"before": "respond"}),
        ("/missing", 404, {"before": "missing"}),
        ("/handled", 409, {"before": "handled", "handler": "ran"}),
        ("/respond-then-handled", 409, {"before": "respond-handled", "handler": "ran"}),
        ("/redirect", 302, {"before": "redirect"}),
        ("/file", 200, {"before": "file"}),
        ("/nowhere", 404, {"unrouted": 404}),
        ("/only-post", 405, {"unrouted": 405}),
    ],
)
def test_changes_are_saved_on_every_kind_of_response(
    make_app: Any,
    client_for: Any,
    tmp_path: Path,
    path: str,
    status: int,
    saved: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = _error_app(make_app, tmp_path)
    with caplog.at_level(logging.WARNING, logger="sanic_cookiesession"):
        result = client_for(app).get(path, allow_redirects=False)
    assert result.status == status
    assert read_token(result.cookie().value) == saved
    assert result.headers["vary"] == "Cookie"
    assert [r.getMessage() for r in caplog.records if r.name == "sanic_cookiesession"] == []


def test_a_custom_request_class_is_used_as_the_app_made_it(
    front: str, client_for: Any
) -> None:
    class AppRequest(Request):
        pass

    app = Sanic(unique_name(), request_class=AppRequest)
    app.config.SECRET_KEY = SECRET
    install(app, front)
    seen: list[Any] = []

    @app.get("/")
    async def index(request: Request) -> Any:
        seen.append(type(request))
        request.ctx.session["n"] = 1
        return response.text("ok")

    result = client_for(app).get("/")
    assert app.request_class is AppRequest
    assert seen == [AppRequest]
    assert read_token(result.cookie().value) == {"n": 1}


def test_setup_works_without_starting_through_extend(client_for: Any) -> None:
    # The 0.3.x front door registers the same two handlers.
    app = Sanic(unique_name())
    app.config.SECRET_KEY = SECRET
    sanic_cookiesession.setup(app)
    assert len(_handlers(app, "http.lifecycle.request")) == 1
    assert len(_handlers(app, "http.lifecycle.response")) == 1

    @app.get("/")
    async def index(request: Request) -> Any:
        request.ctx.session["n"] = 1
        return response.text("ok")

    assert read_token(client_for(app).get("/").cookie().value) == {"n": 1}
