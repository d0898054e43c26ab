"""The session cookies as security schemes in Sanic Extensions' OpenAPI
document (``/docs/openapi.json``), and ``SESSION_OPENAPI``."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from sanic import Blueprint, Request, Sanic, response

import sanic_cookiesession
from sanic_cookiesession import ConfigError, session_namespace

from .conftest import FRONTS, HAVE_EXT, SECRET, Client, unique_name

needs_ext = pytest.mark.skipif(not HAVE_EXT, reason="needs sanic-ext")


@pytest.fixture(autouse=True)
def _fresh_openapi_document() -> Iterator[None]:
    # sanic-ext keeps one OpenAPI builder per process, shared by every app.
    if not HAVE_EXT:
        yield
        return
    from sanic_ext.extensions.openapi.builders import SpecificationBuilder

    SpecificationBuilder.reset()
    yield
    SpecificationBuilder.reset()


def oas_app(front: str, **config: Any) -> Sanic:
    """An app with OpenAPI on (sanic-ext's default), sessions through ``front``."""
    app = Sanic(unique_name())
    app.config.SESSION_COOKIE_SECRET_KEY = SECRET
    for key, value in config.items():
        app.config[key] = value
    if front == "setup":
        sanic_cookiesession.setup(app)  # Sanic extends the app when it starts
    else:
        from sanic_cookiesession import CookieSession

        app.extend(extensions=[CookieSession])
    return app


def schemes(client: Client) -> dict[str, Any]:
    result = client.get("/docs/openapi.json")
    assert result.status == 200
    found: dict[str, Any] = result.json().get("components", {}).get("securitySchemes", {})
    return found


def cookie_scheme(name: str) -> dict[str, Any]:
    return {
        "type": "apiKey",
        "in": "cookie",
        "name": name,
        "description": f"The signed session cookie {name!r} (sanic-cookiesession).",
    }


def writes(where: Sanic | Blueprint, path: str) -> None:
    @where.get(path)
    async def write(request: Request) -> Any:
        request.ctx.session["seen"] = True
        return response.text("ok")


@needs_ext
@pytest.mark.parametrize("front", ["setup", "extend"])
def test_document_declares_the_app_cookie_as_a_security_scheme(
    client_for: Any, front: str
) -> None:
    app = oas_app(front)
    writes(app, "/")
    client: Client = client_for(app)
    assert schemes(client) == {"session": cookie_scheme("_session")}
    assert list(client.get("/").cookies) == ["_session"]  # the cookie it names


# (app's SESSION_COOKIE_HOST_PREFIX, session_namespace options, scheme -> cookie)
NAMESPACE_CASES = [
    pytest.param(
        False,
        {"shop": {}, "admin": {"cookie_name": "adm", "host_prefix": True}},
        {"session": "_session", "session_shop": "_session_shop", "session_admin": "__Host-adm"},
        id="plain-app",
    ),
    pytest.param(
        True,
        {"shop": {}, "admin": {"cookie_name": "adm", "host_prefix": False}},
        {
            "session": "__Host-_session",
            "session_shop": "__Host-_session_shop",
            "session_admin": "adm",
        },
        id="host-prefixed-app",
    ),
]


@needs_ext
@pytest.mark.parametrize("front", ["setup", "extend"])
@pytest.mark.parametrize(("host_prefix", "namespaces", "expected"), NAMESPACE_CASES)
def test_each_namespace_cookie_is_a_scheme_named_as_sent(
    client_for: Any,
    front: str,
    host_prefix: bool,
    namespaces: dict[str, dict[str, Any]],
    expected: dict[str, str],
) -> None:
    app = oas_app(front, SESSION_COOKIE_HOST_PREFIX=host_prefix)
    writes(app, "/")
    for name, options in namespaces.items():
        bp = session_namespace(Blueprint(name, url_prefix=f"/{name}"), salt=name, **options)
        writes(bp, "/")
        app.blueprint(bp)
    client: Client = client_for(app)
    assert schemes(client) == {scheme: cookie_scheme(cookie) for scheme, cookie in expected.items()}
    # Each scheme names the cookie that the server really sets.
    assert list(client.get("/").cookies) == [expected["session"]]
    for name in namespaces:
        assert list(client.get(f"/{name}/").cookies) == [expected[f"session_{name}"]]


@needs_ext
def test_blueprint_copy_sharing_a_namespace_documents_the_shared_cookie(client_for: Any) -> None:
    app = oas_app("extend")
    shop = session_namespace(Blueprint("shop", url_prefix="/shop"), salt="shop")
    writes(shop, "/")
    app.blueprint(shop)
    app.blueprint(shop.copy("shop2", url_prefix="/shop2", with_ctx=True))
    client: Client = client_for(app)
    found = schemes(client)
    assert found["session_shop2"] == found["session_shop"] == cookie_scheme("_session_shop")
    assert list(client.get("/shop2/").cookies) == ["_session_shop"]


@needs_ext
@pytest.mark.parametrize("front", ["setup", "extend"])
def test_cookie_name_set_after_extend_is_the_one_documented(client_for: Any, front: str) -> None:
    app = oas_app(front)
    app.config.SESSION_COOKIE_NAME = "sid"  # after app.extend(): read at startup
    assert schemes(client_for(app)) == {"session": cookie_scheme("sid")}


@needs_ext
@pytest.mark.parametrize("front", ["setup", "extend"])
def test_secured_route_refers_to_the_declared_session_scheme(client_for: Any, front: str) -> None:
    from sanic_ext import openapi

    app = oas_app(front)

    @app.get("/me")
    @openapi.secured("session")
    async def me(request: Request) -> Any:
        return response.text(request.ctx.session.get("user", "nobody"))

    client: Client = client_for(app)
    document = client.get("/docs/openapi.json").json()
    assert document["paths"]["/me"]["get"]["security"] == [{"session": []}]
    assert "session" in document["components"]["securitySchemes"]


@needs_ext
@pytest.mark.parametrize("front", ["setup", "extend"])
def test_session_openapi_false_leaves_the_document_alone(client_for: Any, front: str) -> None:
    app = oas_app(front, SESSION_OPENAPI=False)
    namespace = session_namespace(Blueprint("shop", url_prefix="/shop"), salt="shop")
    writes(namespace, "/")
    app.blueprint(namespace)
    client: Client = client_for(app)
    assert schemes(client) == {}
    assert list(client.get("/shop/").cookies) == ["_session_shop"]  # sessions still work


@needs_ext
def test_nothing_is_declared_when_openapi_is_off(client_for: Any) -> None:
    from sanic_ext.extensions.openapi.builders import SpecificationBuilder

    from sanic_cookiesession import CookieSession

    app = Sanic(unique_name())
    app.config.SESSION_COOKIE_SECRET_KEY = SECRET
    app.extend(extensions=[CookieSession], config={"oas": False})
    writes(app, "/")
    client: Client = client_for(app)
    assert list(client.get("/").cookies) == ["_session"]  # the server started
    assert client.get("/docs/openapi.json").status == 404
    document = SpecificationBuilder().build(app).serialize()
    assert "securitySchemes" not in document.get("components", {})


@pytest.mark.parametrize("front", FRONTS)
@pytest.mark.parametrize("value", ["yes", 1, None])
def test_session_openapi_must_be_a_boolean(front: str, value: Any) -> None:
    # Checked at startup, with or without sanic-ext (the ASGI client starts
    # the app as a server does, and re-raises what stopped it).
    app = Sanic(unique_name())
    app.config.SESSION_COOKIE_SECRET_KEY = SECRET
    app.config.SESSION_OPENAPI = value
    if front == "setup":
        sanic_cookiesession.setup(app)
    else:
        from sanic_cookiesession import CookieSession

        app.extend(extensions=[CookieSession], config={"oas": False})
    writes(app, "/")

    async def start() -> Any:
        return await app.asgi_client.get("/")

    with pytest.raises(ConfigError) as info:
        asyncio.run(start())
    assert info.value.key == "SESSION_OPENAPI"
    assert str(info.value) == f"SESSION_OPENAPI: expected True or False, got {value!r}"
