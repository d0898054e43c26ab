"""Per-blueprint session namespaces, each in its own cookie and salt."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sanic import Blueprint, Request, Sanic, response

from sanic_cookiesession import ConfigError, session_namespace

from .conftest import COOKIE, Client, read_token, startup_error, token, unique_name


def counter_routes(bp: Any, prefix: str = "") -> None:
    @bp.get(f"{prefix}/inc")
    async def inc(request: Request) -> Any:
        session = request.ctx.session
        session["n"] = session.get("n", 0) + 1
        return response.text(str(session["n"]))


def build(make_app: Any, bp: Blueprint, **ns_options: Any) -> Sanic:
    app: Sanic = make_app()
    counter_routes(app)
    counter_routes(bp)
    session_namespace(bp, salt="admin-salt", **ns_options)
    app.blueprint(bp)
    return app


def test_blueprint_gets_its_own_cookie_and_salt(make_app: Any, client_for: Any) -> None:
    app = build(make_app, Blueprint(unique_name("admin"), url_prefix="/admin"))
    client: Client = client_for(app)
    assert client.get("/inc").text == "1"
    assert client.get("/inc").text == "2"
    result = client.get("/admin/inc")
    assert result.text == "1"
    ns_cookie = f"{COOKIE}_{app.blueprints[next(iter(app.blueprints))].name}"
    assert list(result.cookies) == [ns_cookie]
    assert read_token(result.cookie(ns_cookie).value, salt="admin-salt") == {"n": 1}
    # the app's session was not disturbed
    assert client.get("/inc").text == "3"
    assert client.get("/admin/inc").text == "2"


def test_cookie_replayed_under_another_namespace_is_rejected(
    make_app: Any, client_for: Any
) -> None:
    bp = Blueprint(unique_name("admin"), url_prefix="/admin")
    app = build(make_app, bp, cookie_name="admin_sid")
    client: Client = client_for(app)
    app_cookie = token({"n": 41})
    assert client.get("/admin/inc", cookies={"admin_sid": app_cookie}).text == "1"
    ns_cookie = token({"n": 41}, salt="admin-salt")
    assert client.get("/inc", cookies={COOKIE: ns_cookie}, use_jar=False).text == "1"
    assert client.get("/admin/inc", cookies={"admin_sid": ns_cookie}, use_jar=False).text == "42"


def test_cookie_options_apply_to_the_namespace(make_app: Any, client_for: Any) -> None:
    bp = Blueprint(unique_name("admin"), url_prefix="/admin")
    app = build(make_app, bp, cookie_name="adm", path="/admin", max_age=60, samesite="Strict")
    morsel = client_for(app).get("/admin/inc").cookie("adm")
    assert (morsel["path"], morsel["max-age"], morsel["samesite"]) == ("/admin", "60", "Strict")


@pytest.mark.parametrize("layout", ["group", "name_prefix", "version"])
def test_namespace_resolves_by_route(make_app: Any, client_for: Any, layout: str) -> None:
    app: Sanic = make_app()
    counter_routes(app)
    bp = Blueprint(unique_name("api"), url_prefix="/api")
    counter_routes(bp)
    session_namespace(bp, salt="api-salt", cookie_name="api_sid")
    if layout == "group":
        app.blueprint(Blueprint.group(bp, url_prefix="/g"))
        path = "/g/api/inc"
    elif layout == "name_prefix":
        app.blueprint(bp, name_prefix="pre")
        path = "/api/inc"
    else:
        app.blueprint(bp, version=2)
        path = "/v2/api/inc"
    client: Client = client_for(app)
    result = client.get(path)
    assert result.text == "1"
    assert read_token(result.cookie("api_sid").value, salt="api-salt") == {"n": 1}


def test_404_under_blueprint_prefix_gets_the_app_session(make_app: Any, client_for: Any) -> None:
    bp = Blueprint(unique_name("admin"), url_prefix="/admin")
    app = build(make_app, bp, cookie_name="adm")

    @app.on_response
    async def note(request: Request, resp: Any) -> None:
        if resp.status == 404:
            request.ctx.session["missing"] = True

    result = client_for(app).get("/admin/nope")
    assert result.status == 404
    assert list(result.cookies) == [COOKIE]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"salt": "cookie-session"}, "salt"),
        ({"salt": "x", "cookie_name": COOKIE}, "cookie_name"),
        ({"salt": "x", "samesite": "bogus"}, "samesite"),
    ],
)
def test_bad_namespace_config_fails_at_startup(
    make_app: Any, options: dict[str, Any], message: str
) -> None:
    app: Sanic = make_app()
    counter_routes(app)
    bp = Blueprint(unique_name("admin"), url_prefix="/admin")
    counter_routes(bp)
    session_namespace(bp, **options)
    app.blueprint(bp)
    error = startup_error(app)
    assert isinstance(error, ConfigError)
    assert re.match(f"session_namespace.*{message}", error.key)


def test_unknown_namespace_option_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="colour"):
        session_namespace(Blueprint(unique_name("x")), salt="s", colour="blue")


def test_copied_blueprint_shares_the_namespace(make_app: Any, client_for: Any) -> None:
    app: Sanic = make_app()
    counter_routes(app)
    bp = Blueprint(unique_name("admin"), url_prefix="/admin")
    counter_routes(bp)
    session_namespace(bp, salt="admin-salt", cookie_name="adm")
    app.blueprint(bp)
    app.blueprint(bp.copy(unique_name("admin2"), url_prefix="/admin2", with_ctx=True))
    client: Client = client_for(app)
    assert client.get("/admin/inc").text == "1"
    result = client.get("/admin2/inc")
    assert result.text == "2"
    assert list(result.cookies) == ["adm"]
