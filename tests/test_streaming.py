"""Streaming responses: save before the first send(), warn when too late."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sanic import Request, Sanic, response

from sanic_cookiesession import REJECTED_SIGNAL, save_session

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

    @app.get("/saved-twice")
    async def saved_twice(request: Request) -> None:
        request.ctx.session["n"] = 1
        resp = await request.respond(content_type="text/plain")
        add_own_cookies(resp)
        save_session(request, resp)
        request.ctx.session["n"] = 2
        save_session(request, resp)
        await resp.send("ok")
        await resp.eof()

    @app.get("/saved-then-returned")
    async def saved_then_returned(request: Request) -> Any:
        request.ctx.session["n"] = 1
        resp = response.text("ok")
        add_own_cookies(resp)
        save_session(request, resp)
        request.ctx.session["n"] = 2
        return resp

    @app.get("/file-stream")
    async def file_stream(request: Request) -> Any:
        request.ctx.session["downloaded"] = True
        stream = await response.file_stream(__file__)
        if request.args.get("save"):
            save_session(request, stream)
        return stream

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


def add_own_cookies(resp: Any) -> None:
    """Cookies of the app's own, one whose name starts with the session's."""
    resp.add_cookie("theme", "dark", secure=False)
    resp.add_cookie(f"{COOKIE}_pref", "wide", secure=False)


@pytest.mark.parametrize("path", ["/saved-twice", "/saved-then-returned"])
def test_saving_again_leaves_one_set_cookie_with_the_latest_value(
    app: Sanic, client_for: Any, path: str
) -> None:
    result = client_for(app).get(path)
    assert result.text == "ok"
    sessions = [h for h in result.set_cookie_headers if h.startswith(f"{COOKIE}=")]
    assert len(sessions) == 1
    assert read_token(result.cookie().value) == {"n": 2}
    # The app's own cookies are kept.
    assert result.cookie("theme").value == "dark"
    assert result.cookie(f"{COOKIE}_pref").value == "wide"
    assert len(result.set_cookie_headers) == 3


def test_a_file_stream_keeps_a_change_saved_on_the_stream(
    app: Sanic, client_for: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="sanic_cookiesession"):
        saved = client_for(app).get("/file-stream?save=1")
    assert saved.status == 200
    assert read_token(saved.cookie().value) == {"downloaded": True}
    assert caplog.records == []


def test_a_file_stream_change_not_saved_is_warned_with_advice_that_applies(
    app: Sanic, client_for: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="sanic_cookiesession"):
        lost = client_for(app).get("/file-stream")
    assert lost.status == 200
    assert COOKIE not in lost.cookies
    [warning] = [r.getMessage() for r in caplog.records if r.name == "sanic_cookiesession"]
    assert "file_stream()" in warning
    assert "save_session(request, response)" in warning


@pytest.mark.parametrize("path", ["/stream", "/late", "/read-late", "/file-stream?save=1"])
def test_the_rejected_signal_fires_once_when_the_route_streamed(
    app: Sanic, client_for: Any, path: str
) -> None:
    app.ctx.rejected = []

    @app.signal(REJECTED_SIGNAL)
    async def rejected(request: Request, reason: str, cookie_name: str) -> None:
        app.ctx.rejected.append(reason)

    result = client_for(app).get(path, cookie_header=f"{COOKIE}=forged.cookie.value")
    assert result.status == 200
    assert app.ctx.rejected == ["bad_signature"]
