"""When the cookie is written, refreshed, deleted -- or left alone."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sanic import Request, Sanic, response

from .conftest import COOKIE, SECRET, Client, read_token, token


def add_routes(app: Sanic) -> Sanic:
    @app.get("/untouched")
    async def untouched(request: Request) -> Any:
        return response.text("plain")

    @app.get("/read")
    async def read(request: Request) -> Any:
        return response.json(dict(request.ctx.session))

    @app.get("/inc")
    async def inc(request: Request) -> Any:
        session = request.ctx.session
        session["counter"] = session.get("counter", 0) + 1
        return response.text(str(session["counter"]))

    @app.get("/nested")
    async def nested(request: Request) -> Any:
        request.ctx.session["cart"]["items"].append("apple")
        return response.text("ok")

    @app.get("/force")
    async def force(request: Request) -> Any:
        request.ctx.session.modified = True
        return response.text("ok")

    @app.get("/clear")
    async def clear(request: Request) -> Any:
        request.ctx.session.clear()
        return response.text("ok")

    @app.get("/delete")
    async def delete(request: Request) -> Any:
        del request.ctx.session
        return response.text("ok")

    @app.get("/bad-value")
    async def bad_value(request: Request) -> Any:
        request.ctx.session["when"] = object()
        return response.text("still here")

    @app.get("/vary")
    async def vary(request: Request) -> Any:
        request.ctx.session.get("x")
        return response.text("ok", headers={"Vary": "Accept-Encoding"})

    return app


@pytest.fixture
def app(make_app: Any) -> Sanic:
    return add_routes(make_app())


@pytest.fixture
def client(app: Sanic, client_for: Any) -> Client:
    return client_for(app)


def test_changed_session_sets_cookie_with_configured_attributes(client: Client) -> None:
    result = client.get("/inc")
    assert result.text == "1"
    morsel = result.cookie()
    assert read_token(morsel.value) == {"counter": 1}
    assert morsel["path"] == "/"
    assert morsel["max-age"] == "86400"
    assert morsel["samesite"] == "Lax"
    assert morsel["secure"] is True
    assert morsel["httponly"] is True
    assert morsel["domain"] == ""
    assert client.get("/inc").text == "2"


def test_untouched_session_writes_no_cookie_and_no_vary(client: Client) -> None:
    client.jar[COOKIE] = token({"counter": 5})
    result = client.get("/untouched")
    assert result.set_cookie_headers == []
    assert "vary" not in result.headers


def test_visitor_without_session_gets_no_cookie(client: Client) -> None:
    result = client.get("/read")
    assert result.json() == {}
    assert result.set_cookie_headers == []
    assert result.headers["vary"] == "Cookie"


def test_accessed_session_adds_vary_cookie_to_existing_vary(client: Client) -> None:
    result = client.get("/vary")
    assert result.headers["vary"] == "Accept-Encoding, Cookie"


def test_nested_change_is_saved_without_a_flag(client: Client) -> None:
    client.jar[COOKIE] = token({"cart": {"items": []}})
    client.get("/nested")
    assert read_token(client.jar[COOKIE]) == {"cart": {"items": ["apple"]}}


def test_read_with_refresh_on_resigns_the_cookie(client: Client) -> None:
    client.jar[COOKIE] = original = token({"counter": 3})
    result = client.get("/read")
    assert result.json() == {"counter": 3}
    assert read_token(result.cookie().value) == {"counter": 3}
    assert result.cookie()["max-age"] == "86400"
    assert result.cookie().value.split(".")[0] == original.split(".")[0]


def test_read_with_refresh_off_writes_nothing(make_app: Any, client_for: Any) -> None:
    client = client_for(add_routes(make_app(SESSION_REFRESH_EACH_REQUEST=False)))
    client.jar[COOKIE] = token({"counter": 3})
    result = client.get("/read")
    assert result.json() == {"counter": 3}
    assert result.set_cookie_headers == []
    assert result.headers["vary"] == "Cookie"
    # ... but a change is still written
    assert read_token(client.get("/inc").cookie().value) == {"counter": 4}


def test_modified_flag_forces_a_write(make_app: Any, client_for: Any) -> None:
    client = client_for(add_routes(make_app(SESSION_REFRESH_EACH_REQUEST=False)))
    client.jar[COOKIE] = token({"counter": 3})
    result = client.get("/force")
    assert read_token(result.cookie().value) == {"counter": 3}


@pytest.mark.parametrize("path", ["/clear", "/delete"])
def test_emptied_session_deletes_cookie_with_same_attributes(client: Client, path: str) -> None:
    client.jar[COOKIE] = token({"counter": 3})
    result = client.get(path)
    morsel = result.cookie()
    assert morsel.value == ""
    assert morsel["max-age"] == "0"
    assert morsel["path"] == "/"
    assert morsel["samesite"] == "Lax"
    assert morsel["secure"] is True
    assert morsel["httponly"] is True
    assert COOKIE not in client.jar


def test_deleted_session_starts_fresh(client: Client) -> None:
    client.jar[COOKIE] = token({"counter": 3})
    client.get("/delete")
    assert client.get("/inc").text == "1"


def test_emptied_session_without_cookie_writes_nothing(client: Client) -> None:
    result = client.get("/clear")
    assert result.set_cookie_headers == []


def test_unencodable_value_logs_key_and_type_and_keeps_old_cookie(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    client.jar[COOKIE] = token({"counter": 3})
    with caplog.at_level(logging.ERROR, logger="sanic_cookiesession"):
        result = client.get("/bad-value")
    assert result.status == 200
    assert result.text == "still here"
    assert result.set_cookie_headers == []
    errors = [r for r in caplog.records if r.name == "sanic_cookiesession"]
    assert len(errors) == 1
    assert "'when'" in errors[0].getMessage()
    assert "object" in errors[0].getMessage()
    assert client.get("/inc").text == "4"


def test_cookie_attributes_follow_config(make_app: Any, client_for: Any) -> None:
    app = add_routes(
        make_app(
            SESSION_COOKIE_NAME="sid",
            SESSION_COOKIE_DOMAIN="example.com",
            SESSION_COOKIE_HTTPONLY=False,
            SESSION_COOKIE_SECURE=False,
            SESSION_COOKIE_MAX_AGE=60,
            SESSION_COOKIE_SALT="other-salt",
        )
    )
    result = client_for(app).get("/inc")
    morsel = result.cookie("sid")
    assert read_token(morsel.value, salt="other-salt") == {"counter": 1}
    assert morsel["domain"] == "example.com"
    assert morsel["max-age"] == "60"
    assert morsel["httponly"] == ""
    assert morsel["secure"] == ""


def test_error_responses_still_save_the_session(make_app: Any, client_for: Any) -> None:
    app = make_app()

    @app.get("/boom")
    async def boom(request: Request) -> Any:
        request.ctx.session["seen"] = True
        raise ValueError("handler failed")

    app.config.LOG_EXCEPTIONS = False
    result = client_for(app).get("/boom")
    assert result.status == 500
    assert read_token(result.cookie().value) == {"seen": True}


def test_redirect_saves_the_session(make_app: Any, client_for: Any) -> None:
    app = make_app()

    @app.get("/login")
    async def login(request: Request) -> Any:
        request.ctx.session["user"] = "ann"
        return response.redirect("/home")

    @app.get("/home")
    async def home(request: Request) -> Any:
        return response.text(request.ctx.session.get("user", "nobody"))

    result = client_for(app).get("/login", allow_redirects=False)
    assert result.status == 302
    assert read_token(result.cookie().value) == {"user": "ann"}


def test_session_not_a_mapping_is_logged_not_raised(
    make_app: Any, client_for: Any, caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app()

    @app.get("/weird")
    async def weird(request: Request) -> Any:
        request.ctx.session = 42
        return response.text("ok")

    with caplog.at_level(logging.ERROR, logger="sanic_cookiesession"):
        result = client_for(app).get("/weird")
    assert result.status == 200
    assert result.set_cookie_headers == []
    assert any("not a mapping" in r.getMessage() for r in caplog.records)


def test_custom_session_type_is_used(make_app: Any, client_for: Any) -> None:
    class MyDict(dict[str, Any]):
        pass

    app = make_app(options={"session_type": MyDict})

    @app.get("/type")
    async def kind(request: Request) -> Any:
        request.ctx.session["n"] = 1
        return response.text(type(request.ctx.session).__name__)

    client = client_for(app)
    client.jar[COOKIE] = token({"old": True})
    result = client.get("/type")
    assert result.text == "MyDict"
    assert read_token(result.cookie().value) == {"old": True, "n": 1}


def test_custom_serializer_type_writes_and_reads_its_own_tokens(
    make_app: Any, client_for: Any
) -> None:
    import hashlib

    from itsdangerous import BadSignature, URLSafeTimedSerializer

    class Sha256Serializer(URLSafeTimedSerializer):
        default_signer = type(
            "Sha256Signer",
            (URLSafeTimedSerializer.default_signer,),
            {"default_digest_method": staticmethod(hashlib.sha256)},
        )

    client: Client = client_for(add_routes(make_app(options={"serializer_type": Sha256Serializer})))
    client.get("/inc")
    value = client.jar[COOKIE]
    assert Sha256Serializer(SECRET, salt="cookie-session").loads(value) == {"counter": 1}
    with pytest.raises(BadSignature):
        read_token(value)
    assert client.get("/inc").text == "2"
    # a default (SHA-1) token is not accepted by this app
    assert client.get("/read", cookies={COOKIE: token({"counter": 9})}, use_jar=False).json() == {}


@pytest.mark.parametrize("kind", ["async", "sync"])
def test_response_replaced_by_a_response_middleware_still_saves(
    make_app: Any, client_for: Any, kind: str
) -> None:
    app = make_app()

    @app.get("/")
    async def index(request: Request) -> Any:
        request.ctx.session["user"] = "ann"
        return response.text("from handler")

    if kind == "async":

        @app.on_response
        async def replace(request: Request, resp: Any) -> Any:
            return response.text("replaced")

    else:

        @app.on_response
        def replace_sync(request: Request, resp: Any) -> Any:
            return response.text("replaced")

    @app.on_response
    async def observe(request: Request, resp: Any) -> None:
        return None  # a middleware that returns nothing is left as it is

    result = client_for(app).get("/")
    assert result.text == "replaced"
    assert read_token(result.cookie().value) == {"user": "ann"}
    assert result.headers["vary"] == "Cookie"
    assert len(result.set_cookie_headers) == 1


def test_session_saved_when_another_response_middleware_raises(
    make_app: Any, client_for: Any
) -> None:
    # Sanic logs the error and sends the response it had; the session is
    # saved onto it, since the engine saves after Sanic's respond().
    app = make_app()

    @app.get("/")
    async def index(request: Request) -> Any:
        request.ctx.session["user"] = "ann"
        return response.text("from handler")

    @app.on_response
    async def broken(request: Request, resp: Any) -> None:
        raise RuntimeError("a bug in someone else's middleware")

    result = client_for(app).get("/")
    assert result.text == "from handler"
    assert read_token(result.cookie().value) == {"user": "ann"}
    assert result.headers["vary"] == "Cookie"


def test_vary_cookie_merges_into_several_vary_headers(make_app: Any, client_for: Any) -> None:
    app = make_app()

    @app.get("/")
    async def index(request: Request) -> Any:
        request.ctx.session["n"] = 1
        resp = response.text("ok")
        resp.headers.add("Vary", "Accept")
        resp.headers.add("Vary", "Origin")
        return resp

    result = client_for(app).get("/")
    assert [v.strip() for v in ", ".join(result.headers.get_list("vary")).split(",")] == [
        "Accept",
        "Origin",
        "Cookie",
    ]


@pytest.mark.parametrize(
    ("existing", "expected"),
    [
        ("Set-Cookie", "Set-Cookie, Cookie"),
        ("X-Cookie-Id", "X-Cookie-Id, Cookie"),
        ("Accept, cookie", "Accept, cookie"),
        ("*", "*"),
        ("", "Cookie"),
    ],
)
def test_vary_cookie_is_matched_as_a_header_name(
    make_app: Any, client_for: Any, existing: str, expected: str
) -> None:
    app = make_app()

    @app.get("/")
    async def index(request: Request) -> Any:
        request.ctx.session["n"] = 1
        return response.text("ok", headers={"Vary": existing})

    assert client_for(app).get("/").headers["vary"] == expected
