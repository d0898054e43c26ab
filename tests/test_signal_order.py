"""The package's handlers run before every handler the app has on
``http.lifecycle.request`` and after every one it has on
``http.lifecycle.response``, whatever order they were registered in."""

from __future__ import annotations

from typing import Any

import pytest
from sanic import Request, Sanic, response

from .conftest import COOKIE, SECRET, Client, install, read_token, token, unique_name


@pytest.mark.parametrize("registered", ["before", "after"])
def test_the_apps_own_lifecycle_handlers_see_and_change_the_session(
    front: str, client_for: Any, registered: str
) -> None:
    app = Sanic(unique_name())
    app.config.SECRET_KEY = SECRET
    app.ctx.seen = []

    def add_handlers() -> None:
        @app.signal("http.lifecycle.request")
        async def read_early(request: Request) -> None:
            app.ctx.seen.append(dict(request.ctx.session))

        @app.signal("http.lifecycle.response")
        async def change_late(request: Request, response: Any) -> None:
            request.ctx.session["by_signal"] = request.ctx.session.get("by_signal", 0) + 1

    if registered == "before":
        add_handlers()
    install(app, front)
    if registered == "after":
        add_handlers()

    @app.get("/")
    async def index(request: Request) -> Any:
        request.ctx.session["by_handler"] = True
        return response.text("ok")

    client: Client = client_for(app)
    client.jar[COOKIE] = token({"user": "ann"})
    result = client.get("/")
    assert result.status == 200
    assert result.text == "ok"
    assert app.ctx.seen == [{"user": "ann"}]
    assert read_token(result.cookie().value) == {
        "user": "ann",
        "by_handler": True,
        "by_signal": 1,
    }


def test_a_session_read_before_routing_on_a_namespaced_route_is_warned(
    front: str, client_for: Any, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    from sanic import Blueprint

    from sanic_cookiesession import session_namespace

    app = Sanic(unique_name())
    app.config.SECRET_KEY = SECRET

    @app.signal("http.lifecycle.request")
    async def read_early(request: Request) -> None:
        request.ctx.session.get("user")

    install(app, front)
    admin = session_namespace(Blueprint("admin", url_prefix="/admin"), salt="admin-salt")

    @admin.get("/")
    async def admin_index(request: Request) -> Any:
        request.ctx.session["seen"] = True
        return response.text("ok")

    app.blueprint(admin)
    with caplog.at_level(logging.WARNING, logger="sanic_cookiesession"):
        result = client_for(app).get("/admin/")
    assert result.status == 200
    [warning] = [r.getMessage() for r in caplog.records if r.name == "sanic_cookiesession"]
    assert "admin_index" in warning
    assert "before routing" in warning
