"""Streaming responses: save before the first send(), warn when too late."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sanic import Request, Sanic

from sanic_cookiesession import save_session

from .conftest import COOKIE, Client, read_token, token


@pytest.fixture
def app(make_app: Any) -> Sanic:
    app: Sanic = make_app()

    @app.get("/stream")
    async def stream(request: Request) -> None:
        request.ctx.session["streamed"] = True
        resp = await request.respond(content_type="text/plain")
        save_session(request, resp)
        request.ctx.session["after"] = True  # too late: already saved
        await resp.send("hello ")
        await resp.send("world")
        await resp.eof()

    @app.get("/after-respond")
    async def after_respond(request: Request) -> None:
        resp = await request.respond(content_type="text/plain")
        request.ctx.session["changed_after_respond"] = True
        save_session(request, resp)
        await resp.send("ok")
        await resp.eof()

    @app.get("/late")
    async def late(request: Request) -> None:
        resp = await request.respond(content_type="text/plain")
        await resp.send("hello")
        request.ctx.session["late"] = True
        await resp.eof()

    @app.get("/read-late")
    async def read_late(request: Request) -> None:
        resp = await request.respond(content_type="text/plain")
        await resp.send(str(request.ctx.session.get("n")))
        await resp.eof()

    return app


def test_save_session_before_send_sets_the_cookie(app: Sanic, client_for: Any) -> None:
    result = client_for(app).get("/stream")
    assert result.text == "hello world"
    assert read_token(result.cookie().value) == {"streamed": True}
    assert result.headers["vary"] == "Cookie"


def test_save_session_after_respond_keeps_a_later_change(
    app: Sanic, client_for: Any
) -> None:
    result = client_for(app).get("/after-respond")
    assert result.text == "ok"
    assert len(result.set_cookie_headers) == 1
    assert read_token(result.cookie().value) == {"changed_after_respond": True}


def test_change_after_headers_sent_warns(
    app: Sanic, client_for: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="sanic_cookiesession"):
        result = client_for(app).get("/late")
    assert result.status == 200
    assert result.text == "hello"
    assert COOKIE not in result.cookies
    warnings = [r for r in caplog.records if r.name == "sanic_cookiesession"]
    assert len(warnings) == 1
    assert "save_session(request, response)" in warnings[0].getMessage()


def test_unchanged_session_read_while_streaming_does_not_warn(
    app: Sanic, client_for: Any, caplog: pytest.LogCaptureFixture
) -> None:
    client: Client = client_for(app)
    client.jar[COOKIE] = token({"n": 3})
    with caplog.at_level(logging.WARNING, logger="sanic_cookiesession"):
        result = client.get("/read-late")
    assert result.text == "3"
    assert [r for r in caplog.records if r.name == "sanic_cookiesession"] == []
