"""Websockets: the handshake carries the session, which a websocket handler
can read (native server and ASGI, namespaces, injection); a change made
there cannot be saved, and a WARNING names the route, once per route,
however the websocket ends (the handler returns, or the client leaves while
it waits) and also when the app's own ``websocket.handler.after`` handler
made the change."""

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

    @app.websocket("/chat")
    async def chat(request, ws):
        request.ctx.session["room"] = "lobby"
        while True:  # until the client leaves: Sanic then cancels the handler
            message = await ws.recv()
            await ws.send(f"echo {message}")

    @app.websocket("/after")
    async def after(request, ws):
        await ws.send(request.ctx.session.get("user") or "nobody")

    @app.signal("websocket.handler.after")
    async def app_after(request, websocket):
        if request.route.name.endswith(".after"):
            request.ctx.session["seen"] = True

    @app.signal(sanic_cookiesession.REJECTED_SIGNAL)
    async def rejected(request, reason, cookie_name):
        print(f"rejected {cookie_name} {reason} on {request.path}", flush=True)

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


def talk(server: Any, path: str, cookie: str, say: str | None = None) -> str:
    """Open a websocket, optionally send ``say``, take one reply, leave."""

    async def go() -> str:
        url = server.url.replace("http://", "ws://") + path
        async with websockets.connect(
            url, additional_headers={"Cookie": cookie}, open_timeout=10
        ) as ws:
            if say is not None:
                await ws.send(say)
            reply = await asyncio.wait_for(ws.recv(), 10)
            return str(reply)

    return asyncio.run(go())


def logged(server: Any, text: str, count: int) -> list[str]:
    """The server's log lines holding ``text``, once ``count`` are there (or
    after 10 s): the server writes them when the websocket's task ends."""
    deadline = time.monotonic() + 10
    while True:
        lines = [line for line in server.log().splitlines() if text in line]
        if len(lines) >= count or time.monotonic() > deadline:
            return lines
        time.sleep(0.1)


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


def test_a_change_is_warned_when_the_client_leaves_a_waiting_handler(server: Any) -> None:
    # The usual shape: the handler loops until the client goes away, and
    # Sanic dispatches no websocket.handler.after or .exception signal then.
    cookie = f"{COOKIE}={token({'user': 'ann'})}"
    assert talk(server, "/chat", cookie, say="hi") == "echo hi"
    warnings = logged(server, "changed the session", 1)
    assert len(warnings) == 1, server.log()
    assert "WsApp.chat" in warnings[0]


def test_a_change_in_the_apps_own_after_handler_is_warned(server: Any) -> None:
    # The app's websocket.handler.after handler, registered after setup(),
    # runs after the package's would have: the change is still seen.
    cookie = f"{COOKIE}={token({'user': 'ann'})}"
    assert talk(server, "/after", cookie) == "ann"
    warnings = logged(server, "changed the session", 1)
    assert len(warnings) == 1, server.log()
    assert "WsApp.after" in warnings[0]


def test_a_refused_cookie_on_a_websocket_is_reported_once(server: Any) -> None:
    assert talk(server, "/read", f"{COOKIE}=forged.token.here") == repr([])
    assert talk(server, "/chat", f"{COOKIE}=forged.again", say="x") == "echo x"
    reports = logged(server, "rejected ", 2)
    time.sleep(0.5)  # a second report for one request would be there by now
    reports = logged(server, "rejected ", 2)
    assert [line.split(" on ")[-1] for line in reports] == ["/read", "/chat"], server.log()
    assert all(f"rejected {COOKIE} " in line for line in reports)
    # The cookie's value is never in the log.
    assert "forged" not in server.log()
