"""Namespaces that would share a cookie or a salt stop the server at
startup, naming both; a copy of a namespaced blueprint shares its
namespace on purpose."""

from __future__ import annotations

from typing import Any

import pytest
from sanic import Blueprint, Sanic

from sanic_cookiesession import ConfigError, session_namespace

from .conftest import AppFactory, Client, read_token, startup_error, unique_name
from .test_namespaces import counter_routes


def namespaced(**options: Any) -> Blueprint:
    bp = Blueprint(unique_name("bp"), url_prefix=f"/{unique_name('p')}")
    counter_routes(bp)
    return session_namespace(bp, **options)


def app_with(make_app: AppFactory, *blueprints: Blueprint) -> Sanic:
    app: Sanic = make_app()
    counter_routes(app)
    for bp in blueprints:
        app.blueprint(bp)
    return app


@pytest.mark.parametrize(
    ("first", "second", "clash"),
    [
        ({"salt": "same"}, {"salt": "same"}, "salt"),
        ({"salt": "same", "cookie_name": "sid"}, {"salt": "same", "cookie_name": "sid"}, "salt"),
        ({"salt": "same"}, {"salt": "same", "cookie_name": "other"}, "salt"),
        (
            {"salt": "one", "cookie_name": "sid"},
            {"salt": "two", "cookie_name": "sid"},
            "cookie_name",
        ),
    ],
)
def test_two_namespaces_sharing_a_salt_or_cookie_stop_startup_naming_both(
    make_app: AppFactory, first: dict[str, Any], second: dict[str, Any], clash: str
) -> None:
    a, b = namespaced(**first), namespaced(**second)
    error = startup_error(app_with(make_app, a, b))
    assert isinstance(error, ConfigError)
    assert error.key == f"session_namespace({b.name!r}) {clash}"
    assert f"session_namespace({a.name!r})" in str(error)


def test_namespace_sharing_the_app_salt_names_the_app(make_app: AppFactory) -> None:
    bp = namespaced(salt="cookie-session")
    error = startup_error(app_with(make_app, bp))
    assert isinstance(error, ConfigError)
    assert error.key == f"session_namespace({bp.name!r}) salt"
    assert "the app" in str(error)


def test_copy_of_a_namespaced_blueprint_keeps_sharing_its_namespace(
    make_app: AppFactory, client_for: Any
) -> None:
    original = namespaced(salt="admin-salt", cookie_name="adm")
    copy = original.copy(unique_name("copy"), url_prefix="/copy", with_ctx=True)
    app = app_with(make_app, original, copy)
    client: Client = client_for(app)
    assert client.get(f"{original.url_prefix}/inc").text == "1"
    result = client.get("/copy/inc")
    assert result.text == "2"
    assert read_token(result.cookie("adm").value, salt="admin-salt") == {"n": 2}


def test_copy_beside_an_independent_twin_still_clashes(make_app: AppFactory) -> None:
    original = namespaced(salt="same")
    copy = original.copy(unique_name("copy"), url_prefix="/copy", with_ctx=True)
    twin = namespaced(salt="same")
    error = startup_error(app_with(make_app, original, copy, twin))
    assert isinstance(error, ConfigError)
    assert error.key == f"session_namespace({twin.name!r}) salt"
