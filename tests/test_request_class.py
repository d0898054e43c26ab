"""The app's request class, as the engine replaces it at startup."""

from __future__ import annotations

import gc
import logging
import weakref
from types import SimpleNamespace
from typing import Any, ClassVar

import pytest
from sanic import Blueprint, Request, Sanic, response

import sanic_cookiesession
from sanic_cookiesession import engine as engine_module
from sanic_cookiesession import session_namespace

from .conftest import (
    COOKIE,
    SECRET,
    install,
    read_token,
    server_request,
    started,
    token,
    unique_name,
)


@pytest.mark.parametrize("namespaced", [False, True])
def test_a_request_is_freed_without_the_garbage_collector(namespaced: bool) -> None:
    # request -> ctx -> session state must not point back to the request:
    # a cycle would keep every request (and its body) until gc runs.
    app = Sanic(unique_name())
    app.config.SECRET_KEY = SECRET
    sanic_cookiesession.setup(app)

    @app.get("/")
    async def index(request: Request) -> Any:
        return response.text("ok")

    if namespaced:
        bp = session_namespace(Blueprint(unique_name("bp"), url_prefix="/bp"), salt="bp-salt")

        @bp.get("/")
        async def inside(request: Request) -> Any:
            return response.text("ok")

        app.blueprint(bp)
    started(app)
    gc.disable()
    try:
        # Not routed: the namespace is not known yet.
        request = server_request(app, f"{COOKIE}={token({'user': 'ann'})}")
        assert request.ctx.session.get("user") == "ann"
        ref = weakref.ref(request)
        del request
        assert ref() is None
    finally:
        gc.enable()


class Bag(dict):  # type: ignore[type-arg]
    """A custom session type (0.3.x's ``session_type``)."""


def test_custom_session_type_built_in_the_routes_namespace(
    front: str, client_for: Any
) -> None:
    # A context touched before routing (a request id set in a signal
    # handler) must not bind the session to the app's namespace.
    app = Sanic(unique_name())
    app.config.SECRET_KEY = SECRET
    install(app, front, session_type=Bag)
    bp = session_namespace(Blueprint(unique_name("adm"), url_prefix="/adm"), salt="adm-salt")

    @app.signal("http.lifecycle.request")
    async def request_id(request: Request) -> None:
        request.ctx.request_id = "r-1"

    @bp.get("/")
    async def inside(request: Request) -> Any:
        assert isinstance(request.ctx, engine_module.DeferredContext)
        session = request.ctx.session
        assert type(session) is Bag
        session["where"] = "bp"
        return response.text(request.ctx.request_id)

    @app.get("/")
    async def outside(request: Request) -> Any:
        request.ctx.session["where"] = "app"
        return response.text(request.ctx.request_id)

    app.blueprint(bp)
    client = client_for(app)
    inside_result = client.get("/adm/", use_jar=False)
    assert inside_result.text == "r-1"
    [cookie] = inside_result.set_cookie_headers
    name = f"{COOKIE}_{bp.name}"
    assert cookie.startswith(f"{name}=")
    value = cookie.split(";", 1)[0].split("=", 1)[1]
    assert read_token(value, salt="adm-salt") == {"where": "bp"}
    outside_result = client.get("/", use_jar=False)
    assert read_token(outside_result.cookie().value) == {"where": "app"}


class EagerContextRequest(Request):
    """A request class that makes its context in ``__init__``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._ctx = SimpleNamespace(tenant="eager")


class ElsewhereContextRequest(Request):
    """A request class whose own ``ctx`` lives somewhere else."""

    contexts: ClassVar[weakref.WeakKeyDictionary[Request, SimpleNamespace]] = (
        weakref.WeakKeyDictionary()
    )

    @property
    def ctx(self) -> Any:
        return self.contexts.setdefault(self, SimpleNamespace(tenant="elsewhere"))


@pytest.mark.parametrize("request_class", [EagerContextRequest, ElsewhereContextRequest])
def test_request_classes_that_make_their_context_otherwise(
    front: str, client_for: Any, request_class: type[Request]
) -> None:
    app = Sanic(unique_name(), request_class=request_class)
    app.config.SECRET_KEY = SECRET
    install(app, front)

    @app.get("/")
    async def index(request: Request) -> Any:
        session = request.ctx.session
        session["n"] = session.get("n", 0) + 1
        assert request.ctx.session is session  # the same one on every access
        return response.text(f"{request.ctx.tenant} {session['n']}")

    client = client_for(app)
    first = client.get("/")
    assert first.text.endswith(" 1")
    assert read_token(first.cookie().value) == {"n": 1}
    assert client.get("/").text.endswith(" 2")


def test_a_cookie_too_long_to_be_read_back_is_not_written(
    make_app: Any, client_for: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # SESSION_COOKIE_MAX_SIZE may allow a header longer than the 4096-byte
    # value a request is read with: such a cookie would log everyone out.
    app = make_app(SESSION_COOKIE_MAX_SIZE=8192)

    @app.get("/big")
    async def big(request: Request) -> Any:
        import secrets

        request.ctx.session["blob"] = secrets.token_urlsafe(3500)  # compresses little
        return response.text("ok")

    with caplog.at_level(logging.ERROR, logger="sanic_cookiesession"):
        result = client_for(app).get("/big")
    assert result.set_cookie_headers == []
    assert any("4096-byte limit" in r.getMessage() for r in caplog.records)
