"""``session: Session`` in a handler: Sanic Extensions injects the request's
session, through either front door, in either test client."""

from __future__ import annotations

from typing import Any

import pytest
from sanic import Blueprint, Request, Sanic, response
from sanic.views import HTTPMethodView

import sanic_cookiesession
from sanic_cookiesession import Session, session_namespace

from .conftest import HAVE_EXT, SECRET, Client, read_token, unique_name

needs_ext = pytest.mark.skipif(not HAVE_EXT, reason="needs sanic-ext")


class Tagged(dict[str, Any]):
    """A custom ``session_type`` (module level: sanic-ext resolves the
    handlers' annotations in their module)."""


def describe(request: Request, session: Any) -> Any:
    """What a handler tells about the session it was given."""
    visits = session.get("visits", 0)  # used first: a lazy Session is a Session now
    return response.json(
        {
            "same": session is getattr(request.ctx, "session", None),
            "type": type(session).__name__,
            "visits": visits,
        }
    )


def count(session: Any) -> None:
    session["visits"] = session.get("visits", 0) + 1


@needs_ext
def test_handler_declaring_session_receives_the_request_session(
    make_app: Any, client_for: Any
) -> None:
    app = make_app()

    @app.get("/")
    async def index(request: Request, session: Session) -> Any:
        count(session)
        return describe(request, session)

    client: Client = client_for(app)
    first = client.get("/")
    assert first.json() == {"same": True, "type": "Session", "visits": 1}
    assert read_token(first.cookie().value) == {"visits": 1}
    assert client.get("/").json()["visits"] == 2  # the cookie was decoded into it


@needs_ext
def test_namespaced_route_receives_the_namespace_session(make_app: Any, client_for: Any) -> None:
    app = make_app()
    admin = session_namespace(Blueprint("admin", url_prefix="/admin"), salt="admin-salt")

    @admin.get("/")
    async def admin_index(request: Request, session: Session) -> Any:
        count(session)
        return describe(request, session)

    app.blueprint(admin)
    client: Client = client_for(app)
    result = client.get("/admin/")
    assert result.json() == {"same": True, "type": "Session", "visits": 1}
    assert list(result.cookies) == ["_session_admin"]
    assert read_token(result.cookie("_session_admin").value, salt="admin-salt") == {"visits": 1}


@needs_ext
def test_class_based_view_method_receives_the_session(make_app: Any, client_for: Any) -> None:
    app = make_app()

    class Visits(HTTPMethodView):
        async def get(self, request: Request, session: Session) -> Any:
            return describe(request, session)

        async def post(self, request: Request, session: Session) -> Any:
            count(session)
            return describe(request, session)

    app.add_route(Visits.as_view(), "/visits")
    client: Client = client_for(app)
    assert client.post("/visits").json() == {"same": True, "type": "Session", "visits": 1}
    assert client.get("/visits").json() == {"same": True, "type": "Session", "visits": 1}


@needs_ext
@pytest.mark.parametrize("namespaced", [False, True], ids=["app", "namespace"])
def test_custom_session_type_is_injected_under_its_own_type(
    make_app: Any, client_for: Any, namespaced: bool
) -> None:
    app = make_app(options={"session_type": Tagged})
    where: Sanic | Blueprint = app
    cookie, salt = "_session", "cookie-session"
    if namespaced:
        where = session_namespace(Blueprint("shop", url_prefix="/shop"), salt="shop-salt")
        cookie, salt = "_session_shop", "shop-salt"

    @where.get("/")
    async def index(request: Request, session: Tagged) -> Any:
        count(session)
        return describe(request, session)

    if isinstance(where, Blueprint):
        app.blueprint(where)
    client: Client = client_for(app)
    path = "/shop/" if namespaced else "/"
    assert client.get(path).json() == {"same": True, "type": "Tagged", "visits": 1}
    result = client.get(path)
    assert result.json()["visits"] == 2
    assert read_token(result.cookie(cookie).value, salt=salt) == {"visits": 2}


@needs_ext
def test_injection_works_when_sanic_ext_injects_before_the_handler(client_for: Any) -> None:
    # INJECTION_SIGNAL="http.handler.before": later than the default, still routed.
    from sanic_cookiesession import CookieSession

    app = Sanic(unique_name())
    app.config.SESSION_COOKIE_SECRET_KEY = SECRET
    app.extend(
        extensions=[CookieSession],
        config={"oas": False, "injection_signal": "http.handler.before"},
    )
    shop = session_namespace(Blueprint("shop", url_prefix="/shop"), salt="shop-salt")

    @shop.get("/")
    async def index(request: Request, session: Session) -> Any:
        count(session)
        return describe(request, session)

    app.blueprint(shop)
    result = client_for(app).get("/shop/")
    assert result.json() == {"same": True, "type": "Session", "visits": 1}
    assert list(result.cookies) == ["_session_shop"]


@needs_ext
@pytest.mark.parametrize("order", ["setup-then-extend", "extend-then-setup"])
def test_setup_injects_on_an_app_extended_before_or_after_it(
    client_for: Any, order: str
) -> None:
    app = Sanic(unique_name())
    app.config.SESSION_COOKIE_SECRET_KEY = SECRET
    if order == "setup-then-extend":
        sanic_cookiesession.setup(app)
        app.extend(config={"oas": False})
    else:
        app.extend(config={"oas": False})
        sanic_cookiesession.setup(app)

    @app.get("/")
    async def index(request: Request, session: Session) -> Any:
        count(session)
        return describe(request, session)

    assert client_for(app).get("/").json() == {"same": True, "type": "Session", "visits": 1}


def _routes(app: Sanic) -> None:
    @app.get("/plain")
    async def plain(request: Request) -> Any:
        count(request.ctx.session)
        return response.text("ok")

    @app.get("/injected")
    async def injected(request: Request, session: Session) -> Any:
        return response.text("injected")


@needs_ext
@pytest.mark.parametrize("front", ["setup", "extend"])
def test_nothing_is_registered_when_sanic_ext_injection_is_off(
    client_for: Any, front: str
) -> None:
    # sanic-ext has no config key for injection: it is off when the app is
    # extended without its built-in extensions (add_dependency would raise).
    from sanic_cookiesession import CookieSession

    app = Sanic(unique_name())
    app.config.SESSION_COOKIE_SECRET_KEY = SECRET
    if front == "setup":
        sanic_cookiesession.setup(app)
        app.extend(built_in_extensions=False)
    else:
        app.extend(extensions=[CookieSession], built_in_extensions=False)
    _routes(app)
    client: Client = client_for(app)
    plain = client.get("/plain")
    assert plain.status == 200  # the server started, sessions work
    assert read_token(plain.cookie().value) == {"visits": 1}
    assert client.get("/injected").status == 500  # nobody passed `session`


def test_setup_without_sanic_extensions_serves_and_injects_nothing(client_for: Any) -> None:
    # Runs in the tox env without sanic-ext too; here AUTO_EXTEND=False keeps
    # Sanic from extending the app.
    app = Sanic(unique_name())
    app.config.AUTO_EXTEND = False
    app.config.SESSION_COOKIE_SECRET_KEY = SECRET
    sanic_cookiesession.setup(app)
    _routes(app)
    client: Client = client_for(app)
    assert read_token(client.get("/plain").cookie().value) == {"visits": 1}
    assert client.get("/injected").status == 500


def _factory(data: dict[str, Any]) -> Tagged:
    return Tagged(data)


@pytest.mark.parametrize(
    ("session_type", "annotation"),
    [(dict, Session), (Tagged, Tagged), (_factory, None)],
    ids=["default", "custom-class", "factory-function"],
)
def test_the_session_is_injected_under_the_type_handlers_declare(
    session_type: Any, annotation: Any
) -> None:
    from sanic_cookiesession.injection import injected_type

    assert injected_type(session_type) is annotation
