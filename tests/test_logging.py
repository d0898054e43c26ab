"""The package's log records appear in a default Sanic app's log output,
with level and time like Sanic's own, and never show a cookie or a secret."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sanic import Request, Sanic, response
from sanic.application.constants import Mode

from sanic_cookiesession import logs

from .conftest import SECRET, AppFactory, Client, install, token, unique_name

# Sanic's formats: "<date> <time> <zone> <LEVEL>: <message>" in production,
# "<time> <LEVEL>: <message>" in debug (the first server start of the process
# picks one for every later app).
STAMPED = r"\d\d:\d\d:\d\d\b.*\bLEVEL:\s+.*TEXT"


@pytest.fixture(autouse=True)
def _package_logger_as_found() -> Iterator[None]:
    """Each test sees (and leaves) the package logger's handlers and level."""
    saved = (list(logs.logger.handlers), logs.logger.level, logs._debug_level_set_here,
             set(logs._debug_apps))
    yield
    logs.logger.handlers[:] = saved[0]
    logs.logger.setLevel(saved[1])
    logs._debug_level_set_here = saved[2]
    logs._debug_apps.clear()
    logs._debug_apps.update(saved[3])


@contextmanager
def sanic_error_output() -> Iterator[io.StringIO]:
    """What Sanic's error log handlers write (stderr by default), captured.

    Use it after the app is made: each ``Sanic()`` replaces those handlers.
    """
    buffer = io.StringIO()
    handlers = [
        handler
        for handler in logging.getLogger(logs.SANIC_ERROR_LOGGER).handlers
        if isinstance(handler, logging.StreamHandler)
    ]
    assert handlers, "a default Sanic app logs errors through a stream handler"
    streams = [handler.setStream(buffer) for handler in handlers]
    try:
        yield buffer
    finally:
        for handler, stream in zip(handlers, streams, strict=True):
            handler.setStream(stream)


def stamped(level: str, text: str) -> re.Pattern[str]:
    return re.compile(STAMPED.replace("LEVEL", level).replace("TEXT", re.escape(text)))


def test_session_not_saved_error_shows_with_level_and_time(
    make_app: AppFactory, client_for: Any
) -> None:
    app = make_app()

    @app.get("/bad")
    async def bad(request: Request) -> Any:
        request.ctx.session["when"] = object()  # the serializer cannot encode it
        return response.text("ok")

    cookie = token({"user": "ann"})
    with sanic_error_output() as output:
        result = client_for(app).get("/bad", cookies={"_session": cookie})
    assert result.status == 200
    assert stamped("ERROR", "session not saved").search(output.getvalue()), output.getvalue()
    assert cookie not in output.getvalue()
    assert SECRET not in output.getvalue()


def request_in_debug_mode(client: Client, path: str, **kwargs: Any) -> Any:
    """A request to an app running in debug mode, through either client."""
    if client.mode == "http":
        return client.get(path, debug=True, **kwargs)
    client.app.state.mode = Mode.DEBUG  # ASGI: the server, not Sanic, runs the app
    return client.get(path, **kwargs)


def test_rejected_cookie_reason_shows_in_debug_mode(
    make_app: AppFactory, client_for: Any
) -> None:
    app = make_app()

    @app.get("/who")
    async def who(request: Request) -> Any:
        return response.text(request.ctx.session.get("user", "nobody"))

    forged = token({"user": "mallory"}, secret="not-the-key-0123456789abcdefghijklmn")
    with sanic_error_output() as output:
        result = request_in_debug_mode(client_for(app), "/who", cookies={"_session": forged})
    assert result.text == "nobody"
    assert stamped("INFO", "session cookie '_session' rejected").search(output.getvalue())
    assert forged not in output.getvalue()
    assert SECRET not in output.getvalue()


def test_rejected_cookies_stay_out_of_a_production_log(
    make_app: AppFactory, client_for: Any
) -> None:
    app = make_app()

    @app.get("/who")
    async def who(request: Request) -> Any:
        return response.text(request.ctx.session.get("user", "nobody"))

    forged = token({"user": "mallory"}, secret="not-the-key-0123456789abcdefghijklmn")
    with sanic_error_output() as output:
        assert client_for(app).get("/who", cookies={"_session": forged}).text == "nobody"
    assert "rejected" not in output.getvalue()


def own_handlers() -> list[logging.Handler]:
    return [h for h in logs.logger.handlers if isinstance(h, logs.SanicLogHandler)]


def test_many_apps_add_one_handler(front: str) -> None:
    logs.logger.handlers[:] = []
    for _ in range(3):
        app = Sanic(unique_name())
        app.config.SESSION_COOKIE_SECRET_KEY = SECRET
        install(app, front)
    assert len(own_handlers()) == 1


def test_app_that_configures_logging_itself_gets_no_handler(front: str) -> None:
    logs.logger.handlers[:] = []
    app = Sanic(unique_name(), configure_logging=False)
    app.config.SESSION_COOKIE_SECRET_KEY = SECRET
    install(app, front)
    assert own_handlers() == []


def test_level_set_by_the_user_is_kept_in_debug_mode(
    make_app: AppFactory, client_for: Any
) -> None:
    logs.logger.setLevel(logging.ERROR)
    app = make_app()

    @app.get("/")
    async def index(request: Request) -> Any:
        return response.text(str(len(request.ctx.session)))

    request_in_debug_mode(client_for(app), "/")
    assert logs.logger.level == logging.ERROR


def test_handler_of_the_users_own_takes_over(make_app: AppFactory, client_for: Any) -> None:
    app = make_app()

    @app.get("/bad")
    async def bad(request: Request) -> Any:
        request.ctx.session["when"] = object()
        return response.text("ok")

    mine = io.StringIO()
    logs.logger.addHandler(logging.StreamHandler(mine))
    with sanic_error_output() as output:
        client_for(app).get("/bad")
    assert "session not saved" in mine.getvalue()
    assert "session not saved" not in output.getvalue()  # printed once, not twice


def test_an_app_not_in_debug_mode_does_not_undo_another_apps_debug_level() -> None:
    import asyncio
    from types import SimpleNamespace

    logs.logger.setLevel(logging.NOTSET)
    logs._debug_level_set_here = False
    logs._debug_apps.clear()

    def start(name: str, debug: bool) -> None:
        asyncio.run(logs._follow_debug_mode(SimpleNamespace(name=name, debug=debug)))  # type: ignore[arg-type]

    start("Debugging", True)
    assert logs.logger.level == logging.DEBUG
    start("Production", False)  # started later, in the same process
    assert logs.logger.level == logging.DEBUG
    start("Debugging", False)  # restarted without debug: no app wants it now
    assert logs.logger.level == logging.NOTSET
