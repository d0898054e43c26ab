"""get_session(request): the session, typed, or a clear error."""

from __future__ import annotations

from typing import Any

import pytest
from sanic import Request, Sanic, response
from sanic.compat import Header
from sanic.response import HTTPResponse, text

import sanic_cookiesession
from sanic_cookiesession import Session, SessionNotInstalledError, get_session

from .conftest import COOKIE, SECRET, read_token, token, unique_name


def test_returns_the_request_session_and_saves_writes(make_app: Any, client_for: Any) -> None:
    app = make_app()

    @app.get("/")
    async def index(request: Request) -> Any:
        session = get_session(request)
        assert session is request.ctx.session
        assert isinstance(session, Session)
        session["visits"] = session.get("visits", 0) + 1
        return response.text(str(session["visits"]))

    client = client_for(app)
    assert client.get("/").text == "1"
    result = client.get("/")
    assert result.text == "2"
    assert read_token(result.cookie().value) == {"visits": 2}


def test_the_session_got_holds_the_data_and_counts_as_used(
    make_app: Any, client_for: Any
) -> None:
    app = make_app(SESSION_REFRESH_EACH_REQUEST=False)

    @app.get("/")
    async def index(request: Request) -> Any:
        # What C code reads (ujson, Sanic's default dumps): the dict's storage.
        return response.json(get_session(request))

    result = client_for(app).get("/", cookies={COOKIE: token({"a": 1})})
    assert result.json() == {"a": 1}
    assert result.set_cookie_headers == []  # unchanged, refresh off
    assert result.headers["vary"] == "Cookie"


def test_after_del_gives_a_fresh_session_and_deletes_the_cookie(
    make_app: Any, client_for: Any
) -> None:
    app = make_app()

    @app.get("/")
    async def index(request: Request) -> Any:
        del request.ctx.session
        session = get_session(request)
        fresh = dict(session)
        assert get_session(request) is session
        return response.json(fresh)

    result = client_for(app).get("/", cookies={COOKIE: token({"a": 1})})
    assert result.json() == {}
    assert result.cookie()["max-age"] == "0"


def test_follows_a_custom_session_name(make_app: Any, client_for: Any) -> None:
    app = make_app(SESSION_NAME="store")

    @app.get("/")
    async def index(request: Request) -> Any:
        session = get_session(request)
        assert session is request.ctx.store
        return response.json(dict(session))

    assert client_for(app).get("/", cookies={COOKIE: token({"a": 1})}).json() == {"a": 1}


def test_app_without_sessions_raises_session_not_installed(client_for: Any) -> None:
    app = Sanic(unique_name())

    @app.get("/")
    async def index(request: Request) -> Any:
        with pytest.raises(SessionNotInstalledError, match=r"setup\(app\)") as info:
            get_session(request)
        return response.text(str(info.value))

    result = client_for(app).get("/")
    assert result.status == 200
    assert app.name in result.text


def test_request_without_a_loaded_session_raises_session_not_installed() -> None:
    app = Sanic(unique_name())
    app.config.SECRET_KEY = SECRET
    sanic_cookiesession.setup(app)
    # Built by hand, never served: the session was never loaded.
    request = Request(b"/", Header(), "1.1", "GET", None, app)
    with pytest.raises(SessionNotInstalledError, match="has no session"):
        get_session(request)


def test_custom_session_type_is_a_type_error(make_app: Any, client_for: Any) -> None:
    class Bag(dict[str, Any]):
        pass

    app = make_app(options={"session_type": Bag})

    @app.get("/")
    async def index(request: Request) -> Any:
        with pytest.raises(TypeError, match="is a Bag, not a Session"):
            get_session(request)
        return response.text("checked")

    assert client_for(app).get("/").text == "checked"


def test_session_that_is_not_a_mapping_is_a_type_error(make_app: Any, client_for: Any) -> None:
    app = make_app()

    @app.get("/")
    async def index(request: Request) -> Any:
        request.ctx.session = "not a session"
        with pytest.raises(TypeError, match="is a str, not a mapping"):
            get_session(request)
        request.ctx.session = {}
        return response.text("checked")

    assert client_for(app).get("/").text == "checked"


def test_session_injected_by_sanic_ext_is_the_saved_session(client_for: Any) -> None:
    pytest.importorskip("sanic_ext")
    from sanic_cookiesession import CookieSession

    app = Sanic(unique_name())
    app.config.SESSION_COOKIE_SECRET_KEY = SECRET
    app.extend(extensions=[CookieSession], config={"oas": False})
    app.ext.add_dependency(Session, get_session)

    @app.get("/di")
    async def handler(request: Request, session: Session) -> HTTPResponse:
        session["n"] = session.get("n", 0) + 1
        assert session is request.ctx.session
        return text(str(session["n"]))

    client = client_for(app)
    assert client.get("/di").text == "1"
    assert client.get("/di").text == "2"


def test_routing_after_handler_can_use_get_session(make_app: Any, client_for: Any) -> None:
    app = make_app()

    @app.signal("http.routing.after")
    async def early(request: Request, route: Any, kwargs: Any, handler: Any) -> None:
        get_session(request)["seen_at_routing"] = True

    @app.get("/")
    async def index(request: Request) -> HTTPResponse:
        return text(str(request.ctx.session.get("seen_at_routing")))

    result = client_for(app).get("/")
    assert result.text == "True"
    assert read_token(result.cookie().value) == {"seen_at_routing": True}
