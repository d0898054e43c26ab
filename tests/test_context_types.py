"""The app's own ``request.ctx`` types: the session is made on first access
wherever the type allows it, saved wherever the type keeps it, and never
put in the wrong namespace."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sanic import Blueprint, Request, Sanic, response

from sanic_cookiesession import get_session, session_namespace
from sanic_cookiesession.context import _LAZY_CLASSES_MAX, _lazy_class, _lazy_classes

from .conftest import COOKIE, SECRET, install, read_token, token, unique_name


class StoreCtx:
    """Keeps its attributes in a dict of its own (own __getattr__/__setattr__)."""

    def __init__(self) -> None:
        object.__setattr__(self, "_data", {})

    def __getattr__(self, name: str) -> Any:
        try:
            return self._data[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        self._data[name] = value

    def __delattr__(self, name: str) -> None:
        try:
            del self._data[name]
        except KeyError:
            raise AttributeError(name) from None


class SlotCtx:
    """The session in a slot (and a __dict__ for the rest)."""

    __slots__ = ("__dict__", "session")


class PropertyCtx:
    """The session behind a property."""

    def __init__(self) -> None:
        self._kept: Any = None

    @property
    def session(self) -> Any:
        if self._kept is None:
            raise AttributeError("session")
        return self._kept

    @session.setter
    def session(self, value: Any) -> None:
        self._kept = value


@dataclass
class FieldCtx:
    """A dataclass that declares the session field itself."""

    tenant: str = "acme"
    session: Any = None


class KeywordSubclassCtx:
    """A class whose subclasses must pass an argument (none can be made here)."""

    def __init_subclass__(cls, *, flavour: str) -> None:
        super().__init_subclass__()


def _app(front: str, ctx_type: Any, namespaced: bool = False) -> Sanic:
    class AppRequest(Request):
        @staticmethod
        def make_context() -> Any:
            return ctx_type()

    app = Sanic(unique_name(), request_class=AppRequest)
    app.config.SECRET_KEY = SECRET
    install(app, front)

    @app.get("/inc")
    async def inc(request: Request) -> Any:
        session = get_session(request) if namespaced else request.ctx.session
        session["n"] = session.get("n", 0) + 1
        return response.text(str(session["n"]))

    @app.get("/untouched")
    async def untouched(request: Request) -> Any:
        return response.text("ok")

    return app


@pytest.mark.parametrize(
    "ctx_type", [StoreCtx, SlotCtx, PropertyCtx, FieldCtx, KeywordSubclassCtx]
)
def test_the_session_is_saved_wherever_the_context_keeps_it(
    front: str, client_for: Any, ctx_type: Any
) -> None:
    app = _app(front, ctx_type)
    result = client_for(app).get("/inc", cookies={COOKIE: token({"n": 5})})
    assert result.text == "6"
    assert read_token(result.cookie().value) == {"n": 6}


@pytest.mark.parametrize("ctx_type", [StoreCtx, SlotCtx, PropertyCtx])
def test_contexts_that_take_a_subclass_stay_lazy(
    front: str, client_for: Any, ctx_type: Any
) -> None:
    app = _app(front, ctx_type)
    result = client_for(app).get("/untouched", cookies={COOKIE: token({"n": 5})})
    assert result.set_cookie_headers == []
    assert "vary" not in result.headers


def test_a_plain_namespace_from_make_context_is_replaced_by_one_that_is_lazy(
    front: str, client_for: Any
) -> None:
    # SimpleNamespace cannot take a subclass: the request gets a lazy context
    # holding the same attributes, so the namespace is chosen by the route.
    class AppRequest(Request):
        @staticmethod
        def make_context() -> Any:
            return SimpleNamespace(tenant="acme")

    app = Sanic(unique_name(), request_class=AppRequest)
    app.config.SECRET_KEY = SECRET
    install(app, front)
    admin = session_namespace(Blueprint("admin", url_prefix="/admin"), salt="admin-session")

    @admin.get("/login")
    async def login(request: Request) -> Any:
        request.ctx.session["admin"] = request.ctx.tenant
        return response.text("in")

    app.blueprint(admin)
    result = client_for(app).get("/admin/login")
    assert list(result.cookies) == ["_session_admin"]
    assert read_token(result.cookie("_session_admin").value, salt="admin-session") == {
        "admin": "acme"
    }


def test_a_context_that_cannot_be_lazy_never_gets_the_apps_session_on_a_blueprint(
    front: str, client_for: Any, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sanic_cookiesession import report

    monkeypatch.setattr(report, "_warned_eager", set())  # said once per process
    app = _app(front, FieldCtx, namespaced=True)
    admin = session_namespace(Blueprint("admin", url_prefix="/admin"), salt="admin-session")

    @admin.get("/login")
    async def login(request: Request) -> Any:
        get_session(request)["admin"] = "root"
        return response.text("in")

    app.blueprint(admin)
    with caplog.at_level(logging.ERROR, logger="sanic_cookiesession"):
        result = client_for(app).get("/admin/login")
    assert list(result.cookies) == ["_session_admin"]
    assert read_token(result.cookie("_session_admin").value, salt="admin-session") == {
        "admin": "root"
    }
    assert any("FieldCtx" in r.getMessage() for r in caplog.records)


def test_a_blueprints_static_files_use_its_namespace(
    front: str, client_for: Any, tmp_path: Path
) -> None:
    (tmp_path / "a.txt").write_text("static")
    app = Sanic(unique_name())
    app.config.SECRET_KEY = SECRET
    install(app, front)
    admin = session_namespace(Blueprint("admin", url_prefix="/admin"), salt="admin-session")
    admin.static("/files", tmp_path, name="files")

    @admin.on_response
    async def mark(request: Request, resp: Any) -> None:
        request.ctx.session["seen"] = request.path

    app.blueprint(Blueprint.group(admin, url_prefix="/g"))
    result = client_for(app).get("/g/admin/files/a.txt", cookies={COOKIE: token({"a": 1})})
    assert result.text == "static"
    assert list(result.cookies) == ["_session_admin"]


def test_setting_the_session_to_none_after_reading_it_deletes_the_cookie(
    make_app: Any, client_for: Any
) -> None:
    app: Sanic = make_app()

    @app.get("/")
    async def index(request: Request) -> Any:
        request.ctx.session.get("n")
        request.ctx.session = None
        return response.text("ok")

    result = client_for(app).get("/", cookies={COOKIE: token({"n": 1})})
    assert result.headers["vary"] == "Cookie"
    assert result.cookie()["max-age"] == "0"


def test_the_cache_of_lazy_context_classes_is_bounded() -> None:
    made = [type(f"Ctx{n}", (), {}) for n in range(_LAZY_CLASSES_MAX * 2)]
    for cls in made:
        assert _lazy_class(cls) is not None
    assert len(_lazy_classes) <= _LAZY_CLASSES_MAX


class SlotsOnlyCtx:
    """No ``__dict__`` at all: the per-request state cannot live in it."""

    __slots__ = ("session", "user")


class AttrDictCtx(dict[str, Any]):
    """An attribute dict (addict / munch / Box style): empty, and so falsy,
    when made, so Sanic's ``request.ctx`` makes a new one on every access
    until something is stored in it."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value

    def __delattr__(self, name: str) -> None:
        try:
            del self[name]
        except KeyError:
            raise AttributeError(name) from None


class DefaultingAttrDictCtx(AttrDictCtx):
    """Like addict's ``Dict``: every missing attribute reads as an empty one."""

    def __getattr__(self, name: str) -> Any:
        return self.get(name, {})


class CopiedDictCtx:
    """Like munch's ``Munch``: ``__dict__`` is a property returning a copy,
    so nothing written into ``vars(ctx)`` is kept."""

    def __init__(self) -> None:
        object.__setattr__(self, "_data", {"tenant": "acme"})

    @property
    def __dict__(self) -> dict[str, Any]:  # type: ignore[override]
        return dict(object.__getattribute__(self, "_data"))

    def __getattr__(self, name: str) -> Any:
        try:
            return object.__getattribute__(self, "_data")[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        object.__getattribute__(self, "_data")[name] = value

    def __delattr__(self, name: str) -> None:
        del object.__getattribute__(self, "_data")[name]


class RefusingCtx:
    """A class that refuses every subclass (with something else than TypeError)."""

    def __init_subclass__(cls) -> None:
        raise RuntimeError("final class")


@pytest.mark.parametrize(
    "ctx_type", [SlotsOnlyCtx, AttrDictCtx, DefaultingAttrDictCtx, CopiedDictCtx, RefusingCtx]
)
def test_contexts_0_3_1_worked_with_keep_working(
    front: str, client_for: Any, ctx_type: Any, caplog: pytest.LogCaptureFixture
) -> None:
    app = _app(front, ctx_type)

    @app.get("/logout")
    async def logout(request: Request) -> Any:
        del request.ctx.session
        return response.text("bye")

    client = client_for(app)
    with caplog.at_level(logging.ERROR):
        assert client.get("/inc").text == "1"
        assert client.get("/inc").text == "2"
        assert read_token(client.jar[COOKIE]) == {"n": 2}
        # Made at once (the context cannot make it on access): it counts as used.
        assert client.get("/untouched").headers["vary"] == "Cookie"
        assert client.get("/logout").cookie()["max-age"] == "0"
        assert client.get("/inc").text == "1"
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


@pytest.mark.parametrize("ctx_type", [StoreCtx, CopiedDictCtx, DefaultingAttrDictCtx])
def test_a_session_put_there_before_it_was_read_is_saved(
    front: str, client_for: Any, ctx_type: Any
) -> None:
    app = _app(front, ctx_type)

    @app.get("/login")
    async def login(request: Request) -> Any:
        request.ctx.session = {"user": "ann"}
        return response.text("in")

    @app.get("/forget")
    async def forget(request: Request) -> Any:
        request.ctx.session = None
        return response.text("out")

    client = client_for(app)
    assert read_token(client.get("/login").cookie().value) == {"user": "ann"}
    assert client.get("/forget").cookie()["max-age"] == "0"
