"""When and how the session is attached and decoded."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from sanic import Request, Sanic, response

import sanic_cookiesession
from sanic_cookiesession import Session
from sanic_cookiesession import codec as codec_module

from .conftest import COOKIE, SECRET, Client, install, read_token, token, token_at, unique_name


def test_session_exists_for_middleware_registered_before_setup(
    front: str, client_for: Any
) -> None:
    app = Sanic(unique_name())
    app.config.SECRET_KEY = SECRET

    @app.on_request
    async def early(request: Request) -> Any:
        if request.path == "/mw":
            return response.text(f"mw:{request.ctx.session.get('counter')}")
        return None

    install(app, front)
    client = client_for(app)
    client.jar[COOKIE] = token({"counter": 7})
    assert client.get("/mw").text == "mw:7"


def test_session_exists_on_404(make_app: Any, client_for: Any) -> None:
    app = make_app()

    @app.get("/")
    async def index(request: Request) -> Any:  # an app needs one route
        return response.text("index")

    @app.on_response
    async def after(request: Request, resp: Any) -> None:
        if resp.status == 404:
            request.ctx.session["missed"] = request.path

    result = client_for(app).get("/nowhere")
    assert result.status == 404
    assert read_token(result.cookie().value) == {"missed": "/nowhere"}


def test_session_put_there_earlier_is_kept(front: str, client_for: Any) -> None:
    app = Sanic(unique_name())
    app.config.SECRET_KEY = SECRET

    @app.signal("http.lifecycle.request")
    async def provide(request: Request) -> None:
        request.ctx.session = {"provided": True}

    install(app, front)

    @app.get("/")
    async def show(request: Request) -> Any:
        return response.json(request.ctx.session)

    result = client_for(app).get("/", cookies={COOKIE: token({"from": "cookie"})})
    assert result.json() == {"provided": True}
    assert read_token(result.cookie().value) == {"provided": True}


def test_session_name_config_changes_the_attribute(make_app: Any, client_for: Any) -> None:
    app = make_app(SESSION_NAME="sess")

    @app.get("/")
    async def show(request: Request) -> Any:
        request.ctx.sess["n"] = 1
        return response.text(str(hasattr(request.ctx, "session")))

    result = client_for(app).get("/")
    assert result.text == "False"
    assert read_token(result.cookie().value) == {"n": 1}


def test_session_is_a_dict_and_not_decoded_until_touched(
    make_app: Any, client_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    original = codec_module.TimedTokenCodec.loads

    def counting(self: Any, value: str) -> Any:
        calls.append(value)
        return original(self, value)

    monkeypatch.setattr(codec_module.TimedTokenCodec, "loads", counting)
    app = make_app()
    seen: dict[str, Any] = {}

    @app.get("/untouched")
    async def untouched(request: Request) -> Any:
        seen["lazy"] = "session" not in vars(request.ctx)
        return response.text("ok")

    @app.get("/touched")
    async def touched(request: Request) -> Any:
        session = request.ctx.session
        value = session["counter"]
        seen["dict"] = isinstance(session, dict) and isinstance(session, Session)
        seen["class"] = type(session).__name__
        return response.text(str(value))

    client = client_for(app)
    client.jar[COOKIE] = token({"counter": 1})
    client.get("/untouched")
    assert calls == []
    assert seen["lazy"] is True
    assert client.get("/touched").text == "1"
    assert len(calls) == 1
    assert seen == {"lazy": True, "dict": True, "class": "Session"}


def test_expiry_is_enforced_on_the_server(
    make_app: Any, client_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(SESSION_COOKIE_MAX_AGE=100)

    @app.get("/")
    async def show(request: Request) -> Any:
        return response.json(dict(request.ctx.session))

    client = client_for(app)
    now = 1_800_000_000
    monkeypatch.setattr(codec_module, "now", lambda: now)
    cookie = token_at(now, {"user": "ann"})
    assert client.get("/", cookies={COOKIE: cookie}, use_jar=False).json() == {"user": "ann"}
    monkeypatch.setattr(codec_module, "now", lambda: now + 101)
    assert client.get("/", cookies={COOKIE: cookie}, use_jar=False).json() == {}


def test_idle_timeout_slides_with_use(
    make_app: Any, client_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(SESSION_COOKIE_MAX_AGE=100)

    @app.get("/inc")
    async def inc(request: Request) -> Any:
        session = request.ctx.session
        session["n"] = session.get("n", 0) + 1
        return response.text(str(session["n"]))

    @app.get("/read")
    async def read(request: Request) -> Any:
        return response.text(str(request.ctx.session.get("n")))

    client: Client = client_for(app)
    clock = [1_800_000_000]
    monkeypatch.setattr(codec_module, "now", lambda: clock[0])
    client.get("/inc")
    for _ in range(3):  # each use within MAX_AGE re-signs the cookie
        clock[0] += 90
        assert client.get("/read").text == "1"
    clock[0] += 101
    assert client.get("/read").text == "None"


def test_setup_and_extend_read_each_others_cookies(client_for: Any) -> None:
    pytest.importorskip("sanic_ext")
    a = Sanic(unique_name())
    b = Sanic(unique_name())
    for app, front in ((a, "setup"), (b, "extend")):
        app.config.SECRET_KEY = SECRET
        install(app, front)

        @app.get("/inc")
        async def inc(request: Request) -> Any:
            session = request.ctx.session
            session["n"] = session.get("n", 0) + 1
            return response.text(str(session["n"]))

    first: Client = client_for(a)
    first.get("/inc")
    second: Client = client_for(b)
    second.jar = dict(first.jar)
    assert second.get("/inc").text == "2"


def test_setup_keeps_0_3_signature() -> None:
    import inspect

    from itsdangerous import URLSafeTimedSerializer

    params = inspect.signature(sanic_cookiesession.setup).parameters
    assert list(params) == ["app", "session_type", "serializer_type"]
    assert params["session_type"].default is dict
    assert params["serializer_type"].default is URLSafeTimedSerializer


class TracingRequest(Request):
    """An app's own request class, with a method of its own."""

    def trace(self) -> str:
        return f"traced {self.path}"


def test_apps_own_request_class_is_kept(front: str, client_for: Any) -> None:
    app = Sanic(unique_name(), request_class=TracingRequest)
    app.config.SECRET_KEY = SECRET
    install(app, front)

    @app.get("/")
    async def index(request: Request) -> Any:
        assert isinstance(request, TracingRequest)
        request.ctx.session["n"] = request.ctx.session.get("n", 0) + 1
        return response.text(f"{request.trace()} {request.ctx.session['n']}")

    client = client_for(app)
    assert client.get("/").text == "traced / 1"
    assert client.get("/").text == "traced / 2"
    assert app.request_class is TracingRequest


def test_session_readable_in_a_lifecycle_request_handler(
    make_app: Any, client_for: Any
) -> None:
    # Signal handlers that run before routing see the app's session.
    app = make_app()

    @app.signal("http.lifecycle.request")
    async def early(request: Request) -> None:
        request.ctx.seen = request.ctx.session.get("user")

    @app.get("/")
    async def index(request: Request) -> Any:
        request.ctx.session["user"] = "bob"
        return response.text(str(request.ctx.seen))

    client = client_for(app)
    client.jar[COOKIE] = token({"user": "ann"})
    result = client.get("/")
    assert result.text == "ann"
    assert read_token(result.cookie().value) == {"user": "bob"}


class AppContext(SimpleNamespace):
    """An app's own context type."""


class OwnContextRequest(Request):
    """A request class that makes its context itself (overrides ``ctx``)."""

    @property
    def ctx(self) -> Any:
        if self._ctx is None:
            self._ctx = AppContext(tenant="acme")
        return self._ctx


class MadeContextRequest(Request):
    """A request class that overrides ``make_context``, as Sanic suggests."""

    @staticmethod
    def make_context() -> Any:
        return AppContext(tenant="made")


@pytest.mark.parametrize("request_class", [OwnContextRequest, MadeContextRequest])
def test_apps_own_context_gets_the_session(
    front: str, client_for: Any, request_class: type[Request]
) -> None:
    app = Sanic(unique_name(), request_class=request_class)
    app.config.SECRET_KEY = SECRET
    install(app, front)

    @app.get("/")
    async def index(request: Request) -> Any:
        assert isinstance(request.ctx, AppContext)
        request.ctx.session["n"] = request.ctx.session.get("n", 0) + 1
        return response.text(f"{request.ctx.tenant} {request.ctx.session['n']}")

    client = client_for(app)
    first = client.get("/").text
    assert first.endswith(" 1")
    assert first.split()[0] in ("acme", "made")
    assert client.get("/").text.endswith(" 2")


@pytest.mark.parametrize("request_class", [OwnContextRequest, MadeContextRequest])
def test_apps_own_context_stays_lazy(
    front: str, client_for: Any, request_class: type[Request]
) -> None:
    # The session on an app's own context type is made on first access too:
    # a route that never reaches it writes nothing, and del works.
    app = Sanic(unique_name(), request_class=request_class)
    app.config.SECRET_KEY = SECRET
    install(app, front)

    @app.get("/untouched")
    async def untouched(request: Request) -> Any:
        return response.text(request.ctx.tenant)

    @app.get("/forget")
    async def forget(request: Request) -> Any:
        del request.ctx.session
        return response.text("ok")

    client = client_for(app)
    cookie = {COOKIE: token({"n": 1})}
    result = client.get("/untouched", cookies=cookie, use_jar=False)
    assert result.text in ("acme", "made")
    assert result.set_cookie_headers == []
    assert "vary" not in result.headers
    assert client.get("/forget", cookies=cookie, use_jar=False).cookie()["max-age"] == "0"


class FallbackContext:
    """A context type with its own ``__getattr__`` (a default for any name)."""

    def __getattr__(self, name: str) -> Any:
        return f"default {name}"


class FallbackContextRequest(Request):
    @staticmethod
    def make_context() -> Any:
        return FallbackContext()


def test_a_context_with_its_own_getattr_keeps_it(front: str, client_for: Any) -> None:
    app = Sanic(unique_name(), request_class=FallbackContextRequest)
    app.config.SECRET_KEY = SECRET
    install(app, front)

    @app.get("/")
    async def index(request: Request) -> Any:
        return response.json([request.ctx.anything, request.ctx.session.get("n")])

    result = client_for(app).get("/", cookies={COOKIE: token({"n": 4})})
    assert result.json() == ["default anything", 4]


def test_a_context_made_before_the_signal_keeps_its_attributes_and_stays_lazy(
    front: str, client_for: Any
) -> None:
    # A plain SimpleNamespace made by an earlier handler is replaced by a
    # lazy context holding the same attributes.
    app = Sanic(unique_name())
    app.config.SECRET_KEY = SECRET

    @app.signal("http.lifecycle.request")
    async def early(request: Request) -> None:
        request.ctx.early = True

    install(app, front)

    @app.get("/")
    async def index(request: Request) -> Any:
        return response.text(str(request.ctx.early))

    @app.get("/read")
    async def read(request: Request) -> Any:
        return response.text(f"{request.ctx.early} {request.ctx.session['n']}")

    client = client_for(app)
    result = client.get("/", cookies={COOKIE: token({"n": 1})}, use_jar=False)
    assert result.text == "True"
    assert "vary" not in result.headers
    assert result.set_cookie_headers == []
    used = client.get("/read", cookies={COOKIE: token({"n": 1})}, use_jar=False)
    assert used.text == "True 1"
    assert used.headers["vary"] == "Cookie"
