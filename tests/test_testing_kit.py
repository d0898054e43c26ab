"""The testing kit: start a test with a session, read what the app saved."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sanic import Blueprint, Request, Sanic, response

from sanic_cookiesession import SessionNotInstalledError, session_namespace
from sanic_cookiesession.testing import load_session, session_cookie, session_transaction

from .conftest import COOKIE, Client, read_token, token, unique_name


def add_routes(app: Sanic) -> Sanic:
    @app.get("/read")
    async def read(request: Request) -> Any:
        return response.json(dict(request.ctx.session))

    @app.get("/inc")
    async def inc(request: Request) -> Any:
        session = request.ctx.session
        session["n"] = session.get("n", 0) + 1
        return response.text(str(session["n"]))

    @app.get("/clear")
    async def clear(request: Request) -> Any:
        request.ctx.session.clear()
        return response.text("cleared")

    @app.get("/untouched")
    async def untouched(request: Request) -> Any:
        return response.text("untouched")

    return app


def namespaced(make_app: Any) -> tuple[Sanic, Blueprint]:
    app = add_routes(make_app())
    bp = Blueprint(unique_name("admin"), url_prefix="/admin")
    add_routes(bp)
    session_namespace(bp, salt="admin-salt")
    app.blueprint(bp)
    return app, bp


def test_session_cookie_gives_handlers_the_session(make_app: Any, client_for: Any) -> None:
    app = add_routes(make_app())
    cookie = session_cookie(app, {"user": "ann", "n": 1})
    assert cookie.startswith(f"{COOKIE}=")
    assert read_token(cookie.partition("=")[2]) == {"user": "ann", "n": 1}
    client: Client = client_for(app)
    assert client.get("/read", cookie_header=cookie).json() == {"user": "ann", "n": 1}


@pytest.mark.parametrize(
    "config",
    [
        {"SESSION_COOKIE_NAME": "sid", "SESSION_COOKIE_SALT": "other-salt"},
        {"SESSION_COOKIE_HOST_PREFIX": True},
        {"SESSION_COOKIE_ENCRYPT": True},
        {"SESSION_ABSOLUTE_LIFETIME": 3600},
    ],
    ids=["name-and-salt", "host-prefix", "encrypted", "absolute-lifetime"],
)
def test_cookie_follows_the_app_config_both_ways(
    make_app: Any, client_for: Any, config: dict[str, Any]
) -> None:
    if config.get("SESSION_COOKIE_ENCRYPT"):
        pytest.importorskip("cryptography")
    app = add_routes(make_app(**config))
    client: Client = client_for(app)
    result = client.get("/inc", cookie_header=session_cookie(app, {"n": 41}))
    assert result.text == "42"
    assert load_session(app, result) == {"n": 42}


def test_session_cookie_for_a_namespaced_blueprint(make_app: Any, client_for: Any) -> None:
    app, bp = namespaced(make_app)
    client: Client = client_for(app)
    cookie = session_cookie(app, {"n": 10}, blueprint=bp)
    assert cookie.startswith(f"{COOKIE}_{bp.name}=")
    assert session_cookie(app, {"n": 10}, blueprint=bp.name).partition("=")[0] == (
        cookie.partition("=")[0]
    )
    result = client.get("/admin/inc", cookie_header=cookie)
    assert result.text == "11"
    assert load_session(app, result, blueprint=bp) == {"n": 11}
    assert load_session(app, result) is None  # the app's own cookie was not touched
    # the app's routes do not see the namespace's session
    assert client.get("/read", cookie_header=cookie, use_jar=False).json() == {}


def test_blueprint_without_namespace_uses_the_app_session(make_app: Any) -> None:
    app = add_routes(make_app())
    bp = Blueprint(unique_name("plain"))
    app.blueprint(bp)
    cookie = session_cookie(app, {"a": 1}, blueprint=bp)
    assert cookie.partition("=")[0] == COOKIE


def test_unknown_blueprint_name_is_a_value_error(make_app: Any) -> None:
    app = make_app()
    with pytest.raises(ValueError, match="no blueprint named 'nope'"):
        session_cookie(app, {}, blueprint="nope")


def test_load_session_tells_saved_deleted_and_untouched_apart(
    make_app: Any, client_for: Any
) -> None:
    app = add_routes(make_app())
    client: Client = client_for(app)
    cookie = session_cookie(app, {"n": 1})
    assert load_session(app, client.get("/inc", cookie_header=cookie)) == {"n": 2}
    assert load_session(app, client.get("/clear", cookie_header=cookie)) == {}
    assert load_session(app, client.get("/untouched", cookie_header=cookie)) is None


def test_load_session_reads_raw_test_client_responses(make_app: Any) -> None:
    app = add_routes(make_app())
    headers = {"Cookie": session_cookie(app, {"n": 1})}
    _, http_response = app.test_client.get("/inc", headers=headers)

    async def via_asgi() -> Any:
        return (await app.asgi_client.get("/inc", headers=headers))[1]

    asgi_response = asyncio.run(via_asgi())
    assert load_session(app, http_response) == {"n": 2}
    assert load_session(app, asgi_response) == {"n": 2}
    assert load_session(app, http_response.headers.get_list("set-cookie")) == {"n": 2}


def test_load_session_reads_a_sanic_response(make_app: Any) -> None:
    app = make_app()
    sanic_response = response.text("x")
    sanic_response.headers.add("Set-Cookie", f"{COOKIE}={token({'a': 1})}; Path=/")
    assert load_session(app, sanic_response) == {"a": 1}


def test_load_session_rejects_a_cookie_the_app_would_reject(make_app: Any) -> None:
    app = make_app()
    foreign = [f"{COOKIE}={token({'a': 1}, secret='another-secret-0123456789-0123456789')}"]
    with pytest.raises(ValueError, match="bad_signature"):
        load_session(app, foreign)


def test_load_session_does_not_show_the_secret_or_cookie_in_errors(make_app: Any) -> None:
    app = make_app()
    value = token({"a": 1}, salt="x-salt")
    with pytest.raises(ValueError, match="not accepted") as info:
        load_session(app, [f"{COOKIE}={value}"])
    assert value not in str(info.value)
    assert str(app.config.SESSION_COOKIE_SECRET_KEY) not in str(info.value)


def test_session_transaction_starts_empty_and_gives_a_cookie(
    make_app: Any, client_for: Any
) -> None:
    app = add_routes(make_app())
    with session_transaction(app) as session:
        assert session == {}
        session["n"] = 5
    assert client_for(app).get("/inc", cookie_header=session.cookie).text == "6"


def test_session_transaction_continues_from_cookie_and_response(
    make_app: Any, client_for: Any
) -> None:
    app = add_routes(make_app())
    client: Client = client_for(app)
    first = session_cookie(app, {"n": 1, "user": "ann"})
    with session_transaction(app, cookie=first) as session:
        assert session == {"n": 1, "user": "ann"}
        session["user"] = "bob"
    result = client.get("/inc", cookie_header=session.cookie)
    assert result.text == "2"
    # the response's Set-Cookie wins over the cookie sent, as in a browser
    with session_transaction(app, cookie=session.cookie, response=result) as later:
        assert later == {"n": 2, "user": "bob"}
    untouched = client.get("/untouched", cookie_header=later.cookie)
    with session_transaction(app, cookie=later.cookie, response=untouched) as same:
        assert same == {"n": 2, "user": "bob"}


def test_session_transaction_for_a_namespaced_blueprint(
    make_app: Any, client_for: Any
) -> None:
    app, bp = namespaced(make_app)
    with session_transaction(app, blueprint=bp) as session:
        session["n"] = 7
    assert read_token(session.cookie.partition("=")[2], salt="admin-salt") == {"n": 7}
    assert client_for(app).get("/admin/inc", cookie_header=session.cookie).text == "8"


def test_helpers_need_sessions_installed() -> None:
    app = Sanic(unique_name())
    app.config.SECRET_KEY = "s" * 40
    with pytest.raises(SessionNotInstalledError):
        session_cookie(app, {"a": 1})


def test_load_session_names_what_it_cannot_read(make_app: Any) -> None:
    with pytest.raises(TypeError, match="from a int"):
        load_session(make_app(), 42)


def test_session_transaction_ignores_other_cookies(make_app: Any) -> None:
    app = make_app()
    header = f"theme=dark; {session_cookie(app, {'n': 3})}"
    with session_transaction(app, cookie=header) as session:
        assert session == {"n": 3}
    with session_transaction(app, cookie="theme=dark; lang") as other:
        assert other == {}


def test_transaction_cookie_is_made_when_the_block_ends(make_app: Any) -> None:
    app = make_app()
    with session_transaction(app) as session:
        session["n"] = 1
        with pytest.raises(RuntimeError, match="block ends"):
            _ = session.cookie
    assert read_token(session.cookie.partition("=")[2]) == {"n": 1}
