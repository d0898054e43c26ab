"""Websockets: the handshake carries the session, which a websocket handler
can read (native server and ASGI, namespaces, injection); a change made
there cannot be saved, and a WARNING names the route, once per route."""

from __future__ import annotations

import asyncio
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from .conftest import COOKIE, SECRET, token
from .servers import running

websockets = pytest.importorskip("websockets")

APP = textwrap.dedent(
    """
    import os
    from sanic import Blueprint, Sanic
    import sanic_cookiesession
    from sanic_cookiesession import get_session, session_namespace

    app = Sanic("WsApp")
    app.config.SESSION_COOKIE_SECRET_KEY = os.environ["SECRET"]
    if os.environ.get("FRONT") == "extend":
        from sanic_cookiesession import CookieSession, Session

        app.extend(extensions=[CookieSession], config={"oas": False})

        @app.websocket("/injected")
        async def injected(request, ws, session: Session):
            await ws.send(repr(sorted(session.items())))
    else:
        sanic_cookiesession.setup(app)

    @app.websocket("/read")
    async def read(request, ws):
        await ws.send(repr(sorted(request.ctx.session.items())))

    @app.websocket("/change")
    async def change(request, ws):
        request.ctx.session["lost"] = True
        await ws.send("changed")

    @app.websocket("/unchanged")
    async def unchanged(request, ws):
        request.ctx.session["user"] = request.ctx.session.get("user")
        await ws.send("same")

    admin = session_namespace(Blueprint("admin", url_prefix="/admin"), salt="admin-salt")

    @admin.websocket("/read")
    async def admin_read(request, ws):
        await ws.send(repr(sorted(get_session(request).items())))

    app.blueprint(admin)

    @app.get("/__ready__")
    async def ready(request):
        from sanic import response
        return response.text("ok")
    """
)


@pytest.fixture(params=["sanic", "uvicorn"])
def server(request: pytest.FixtureRequest, tmp_path: Path, front: str) -> Any:
    (tmp_path / "ws_app.py").write_text(APP)
    env = {"SECRET": SECRET, "FRONT": front}
    if request.param == "sanic":
        context = running("ws_app:app", cwd=tmp_path, env=env)
    else:
        pytest.importorskip("uvicorn")
        cmd = [sys.executable, "-c", "import os, uvicorn; uvicorn.run('ws_app:app', "
               "host='127.0.0.1', port=int(os.environ['PORT']), log_level='warning')"]
        context = running(cmd=cmd, cwd=tmp_path, env=env)
    with context as srv:
        yield srv


def talk(server: Any, path: str, cookie: str) -> str:
    async def go() -> str:
        url = server.url.replace("http://", "ws://") + path
        async with websockets.connect(
            url, additional_headers={"Cookie": cookie}, open_timeout=10
        ) as ws:
            reply = await asyncio.wait_for(ws.recv(), 10)
            return str(reply)

    return asyncio.run(go())


def test_a_websocket_handler_reads_the_session(server: Any, front: str) -> None:
    cookie = f"{COOKIE}={token({'user': 'ann'})}"
    assert talk(server, "/read", cookie) == repr([("user", "ann")])
    admin = f"{COOKIE}_admin={token({'role': 'root'}, salt='admin-salt')}; {cookie}"
    assert talk(server, "/admin/read", admin) == repr([("role", "root")])
    if front == "extend":
        assert talk(server, "/injected", cookie) == repr([("user", "ann")])


def test_a_change_in_a_websocket_handler_is_warned_once_per_route(server: Any) -> None:
    cookie = f"{COOKIE}={token({'user': 'ann'})}"
    assert talk(server, "/change", cookie) == "changed"
    assert talk(server, "/change", cookie) == "changed"
    assert talk(server, "/unchanged", cookie) == "same"
    time.sleep(0.5)  # let the server write its log
    warnings = [line for line in server.log().splitlines() if "changed the session" in line]
    assert len(warnings) == 1, server.log()
    assert "WsApp.change" in warnings[0]
    assert "HTTP route" in warnings[0]
    # The route that wrote back what it read changed nothing: no warning.
    assert not any("unchanged" in line for line in warnings)
