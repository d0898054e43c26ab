"""Routes added at startup (Sanic Extensions' HEAD and OPTIONS) use the
namespace of what they serve: a namespace cannot be bypassed by method."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sanic import Blueprint, Request, Sanic, response

from sanic_cookiesession import ConfigError, session_namespace

from .conftest import COOKIE, SECRET, Client, install, read_token, token

pytest.importorskip("sanic_ext")

ADMIN = "_session_admin"


def _app(front: str, name: str) -> Sanic:
    app = Sanic(name)
    app.config.SECRET_KEY = SECRET
    # Sanic Extensions adds HEAD and OPTIONS routes for both front doors
    # (setup() too: installing sanic-ext turns on Sanic's auto-extend).
    app.config.HTTP_AUTO_OPTIONS = True
    install(app, front)
    admin = session_namespace(Blueprint("admin", url_prefix="/admin"), salt="admin-session")

    @admin.get("/secret")
    async def secret(request: Request) -> Any:
        if not request.ctx.session.get("admin"):
            return response.text("forbidden", status=403)
        return response.text("the secret")

    @app.get("/shop")
    async def shop(request: Request) -> Any:
        return response.text(str(request.ctx.session.get("admin")))

    @app.on_response
    async def touch(request: Request, resp: Any) -> None:
        # Writes into whichever session the route has.
        if request.path.startswith("/admin") and resp.status < 500:
            request.ctx.session["seen"] = request.method

    app.blueprint(admin)
    return app


def test_head_uses_the_blueprints_namespace(front: str, mode: str) -> None:
    app = _app(front, f"HeadNs{front}{mode}")
    shop_cookie = token({"admin": True})  # the app's cookie, not the admin one
    client = Client(app, mode)
    got = client.get("/admin/secret", cookies={COOKIE: shop_cookie}, use_jar=False)
    head = client.request("head", "/admin/secret", cookies={COOKIE: shop_cookie}, use_jar=False)
    assert got.status == 403
    assert head.status == 403
    # It wrote into the admin namespace's cookie, never the app's.
    assert list(head.cookies) == [ADMIN]
    assert read_token(head.cookie(ADMIN).value, salt="admin-session") == {"seen": "HEAD"}


def test_options_uses_the_blueprints_namespace(front: str, mode: str) -> None:
    app = _app(front, f"OptionsNs{front}{mode}")
    client = Client(app, mode)
    result = client.request("options", "/admin/secret", cookies={COOKIE: token({"a": 1})})
    assert result.status == 204
    assert list(result.cookies) == [ADMIN]
    assert read_token(result.cookie(ADMIN).value, salt="admin-session") == {"seen": "OPTIONS"}


def test_head_of_an_app_route_uses_the_apps_session(front: str, mode: str) -> None:
    app = _app(front, f"HeadApp{front}{mode}")
    result = Client(app, mode).request(
        "head", "/shop", cookies={COOKIE: token({"admin": True})}, use_jar=False
    )
    assert result.status == 200
    assert result.headers["vary"] == "Cookie"


def test_a_path_shared_by_two_namespaces_stops_the_server(front: str) -> None:
    app = Sanic(f"SharedPath{front}")
    app.config.SECRET_KEY = SECRET
    app.config.HTTP_AUTO_OPTIONS = True
    install(app, front)
    admin = session_namespace(Blueprint("admin"), salt="admin-session")

    @admin.post("/same")
    async def admin_post(request: Request) -> Any:
        return response.text("admin")

    @app.get("/same")
    async def app_get(request: Request) -> Any:
        return response.text("app")

    app.blueprint(admin)
    # sanic-ext adds its routes in its own before_server_start listener:
    # start through ASGI, which runs every listener in priority order.
    with pytest.raises(ConfigError) as caught:
        asyncio.run(app.asgi_client.get("/same"))
    message = str(caught.value)
    assert "_options" in message
    assert "'admin'" in message
    assert "'the app'" in message
