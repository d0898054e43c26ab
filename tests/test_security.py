"""Cookie attributes, key rotation, lifetimes, size guards, invalid cookies."""

from __future__ import annotations

import logging
import secrets
from typing import Any

import pytest
from itsdangerous import URLSafeTimedSerializer
from sanic import Blueprint, Request, Sanic, response

from sanic_cookiesession import REJECTED_SIGNAL, ConfigError, session_namespace
from sanic_cookiesession import codec as codec_module
from sanic_cookiesession.engine import CREATED_KEY

from .conftest import (
    COOKIE,
    SECRET,
    Client,
    read_token,
    startup_error,
    token,
    token_at,
    unique_name,
)

OLD_KEY = "the-previous-secret-key-rotated-out-0123456789"
NEW_KEY = "the-current-secret-key-rotated-in-9876543210xyz"


def add_routes(app: Sanic) -> Sanic:
    @app.get("/")
    async def show(request: Request) -> Any:
        return response.json(dict(request.ctx.session))

    @app.get("/inc")
    async def inc(request: Request) -> Any:
        session = request.ctx.session
        session["n"] = session.get("n", 0) + 1
        return response.json(dict(session))

    @app.get("/set/<size:int>")
    async def set_big(request: Request, size: int) -> Any:
        request.ctx.session["blob"] = secrets.token_urlsafe(size)[:size]
        request.ctx.session["small"] = "x"
        return response.text("ok")

    return app


# -- 1. cookie attributes -----------------------------------------------------


@pytest.mark.parametrize(
    ("config", "name", "expected"),
    [
        ({"SESSION_COOKIE_SAMESITE": "Strict"}, COOKIE, {"samesite": "Strict"}),
        ({"SESSION_COOKIE_SAMESITE": "none"}, COOKIE, {"samesite": "None", "secure": True}),
        ({"SESSION_COOKIE_PATH": "/app"}, COOKIE, {"path": "/app"}),
        (
            {"SESSION_COOKIE_HOST_PREFIX": True},
            f"__Host-{COOKIE}",
            {"path": "/", "secure": True, "domain": ""},
        ),
        (
            {"SESSION_COOKIE_HOST_PREFIX": True, "SESSION_COOKIE_PARTITIONED": True,
             "SESSION_COOKIE_SAMESITE": "None"},
            f"__Host-{COOKIE}",
            {"path": "/", "secure": True, "samesite": "None"},
        ),
    ],
)
def test_cookie_attributes_on_set_and_delete(
    make_app: Any, client_for: Any, config: dict[str, Any], name: str, expected: dict[str, Any]
) -> None:
    app = add_routes(make_app(**config))

    @app.get("/app/clear")
    async def clear(request: Request) -> Any:
        request.ctx.session.clear()
        return response.text("ok")

    client: Client = client_for(app)
    set_result = client.get("/inc")
    assert list(set_result.cookies) == [name]
    assert client.jar[name]
    deleted = client.get("/app/clear")
    for result in (set_result, deleted):
        morsel = result.cookie(name)
        for attribute, value in expected.items():
            assert morsel[attribute] == value, attribute
        partitioned = "Partitioned" in result.set_cookie_headers[0].split("; ")
        assert partitioned is bool(config.get("SESSION_COOKIE_PARTITIONED"))
    assert deleted.cookie(name)["max-age"] == "0"
    assert name not in client.jar


def test_host_prefixed_cookie_is_read_back(make_app: Any, client_for: Any) -> None:
    client: Client = client_for(add_routes(make_app(SESSION_COOKIE_HOST_PREFIX=True)))
    client.get("/inc")
    assert client.get("/inc").json() == {"n": 2}
    # a plain cookie of the bare name is not the session
    plain = client.get("/", cookies={COOKIE: token({"n": 99})}, use_jar=False)
    assert plain.json() == {}


@pytest.mark.parametrize(
    ("config", "key"),
    [
        ({"SESSION_COOKIE_SAMESITE": "None", "SESSION_COOKIE_SECURE": False},
         "SESSION_COOKIE_SAMESITE"),
        ({"SESSION_COOKIE_HOST_PREFIX": True, "SESSION_COOKIE_SECURE": False},
         "SESSION_COOKIE_SECURE"),
        ({"SESSION_COOKIE_HOST_PREFIX": True, "SESSION_COOKIE_PATH": "/app"},
         "SESSION_COOKIE_PATH"),
        ({"SESSION_COOKIE_HOST_PREFIX": True, "SESSION_COOKIE_DOMAIN": "example.com"},
         "SESSION_COOKIE_DOMAIN"),
        ({"SESSION_COOKIE_PARTITIONED": True}, "SESSION_COOKIE_PARTITIONED"),
    ],
)
def test_contradictory_attributes_stop_startup(
    make_app: Any, config: dict[str, Any], key: str
) -> None:
    error = startup_error(add_routes(make_app(**config)))
    assert isinstance(error, ConfigError)
    assert error.key == key


# -- 2. key rotation ----------------------------------------------------------


@pytest.mark.parametrize("config_key", ["SESSION_COOKIE_SECRET_KEY_FALLBACKS",
                                        "SECRET_KEY_FALLBACKS"])
def test_rotation_walks_old_key_to_current_key(
    front: str, client_for: Any, config_key: str
) -> None:
    from .conftest import install

    def app_with(secret: str, fallbacks: list[str] | None) -> Sanic:
        app = Sanic(unique_name())
        app.config.SESSION_COOKIE_SECRET_KEY = secret
        app.config.SESSION_REFRESH_EACH_REQUEST = False  # re-signing must come from rotation
        if fallbacks is not None:
            app.config[config_key] = fallbacks
        install(app, front)
        return add_routes(app)

    # 1. the old deployment signs with the old key
    old: Client = client_for(app_with(OLD_KEY, None))
    old.get("/inc")
    old_cookie = old.jar[COOKIE]
    assert read_token(old_cookie, secret=OLD_KEY) == {"n": 1}
    # 2. the new deployment signs with the new key, keeps the old one as fallback
    rotated: Client = client_for(app_with(NEW_KEY, [OLD_KEY]))
    rotated.jar = dict(old.jar)
    result = rotated.get("/")  # read only, no change
    assert result.json() == {"n": 1}
    resigned = result.cookie().value
    assert read_token(resigned, secret=NEW_KEY) == {"n": 1}
    # 3. a later deployment drops the fallback: the re-signed cookie still works
    current: Client = client_for(app_with(NEW_KEY, None))
    current.jar = dict(rotated.jar)
    assert current.get("/inc").json() == {"n": 2}
    # ... and a cookie still signed with the old key no longer does
    assert current.get("/", cookies={COOKIE: old_cookie}, use_jar=False).json() == {}


def test_namespace_rotates_with_the_app(make_app: Any, client_for: Any) -> None:
    app: Sanic = make_app(SESSION_COOKIE_SECRET_KEY=NEW_KEY,
                          SESSION_COOKIE_SECRET_KEY_FALLBACKS=[OLD_KEY],
                          SESSION_REFRESH_EACH_REQUEST=False)
    bp = Blueprint(unique_name("admin"), url_prefix="/admin")

    @bp.get("/")
    async def show(request: Request) -> Any:
        return response.json(dict(request.ctx.session))

    session_namespace(bp, salt="admin-salt", cookie_name="adm")
    app.blueprint(bp)
    client: Client = client_for(app)
    old = token({"role": "admin"}, secret=OLD_KEY, salt="admin-salt")
    result = client.get("/admin/", cookies={"adm": old})
    assert result.json() == {"role": "admin"}
    assert read_token(result.cookie("adm").value, secret=NEW_KEY, salt="admin-salt") == {
        "role": "admin"
    }


# -- 3. lifetimes ---------------------------------------------------------------


def test_max_age_none_gives_a_browser_session_cookie(
    make_app: Any, client_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    client: Client = client_for(add_routes(make_app(SESSION_COOKIE_MAX_AGE=None)))
    result = client.get("/inc")
    assert result.cookie()["max-age"] == ""
    assert "Max-Age" not in result.set_cookie_headers[0]
    monkeypatch.setattr(codec_module, "now", lambda: 4_000_000_000)
    assert client.get("/inc").json() == {"n": 2}


def test_absolute_lifetime_ends_an_active_session(
    make_app: Any, client_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = add_routes(make_app(SESSION_COOKIE_MAX_AGE=100, SESSION_ABSOLUTE_LIFETIME=300))
    client: Client = client_for(app)
    clock = [1_800_000_000]
    monkeypatch.setattr(codec_module, "now", lambda: clock[0])
    assert client.get("/inc").json() == {"n": 1}  # the handler never sees bookkeeping
    created = URLSafeTimedSerializer(SECRET, salt="cookie-session").loads(client.jar[COOKIE])
    assert created[CREATED_KEY] == clock[0]
    for expected in (2, 3, 4, 5, 6, 7):  # active every 50 s: the idle timeout never hits
        clock[0] += 50
        assert client.get("/inc").json() == {"n": expected}
    clock[0] += 50  # 350 s after creation: a new session, with a new lifetime
    assert client.get("/inc").json() == {"n": 1}
    renewed = URLSafeTimedSerializer(SECRET, salt="cookie-session").loads(client.jar[COOKIE])
    assert renewed[CREATED_KEY] == clock[0]
    clock[0] += 50
    assert client.get("/inc").json() == {"n": 2}


def test_created_key_is_the_apps_own_when_lifetime_is_off(
    make_app: Any, client_for: Any
) -> None:
    app = make_app()

    @app.get("/store")
    async def store(request: Request) -> Any:
        request.ctx.session[CREATED_KEY] = "the app's value"
        return response.json(dict(request.ctx.session))

    client: Client = client_for(add_routes(app))
    client.get("/store")
    assert client.get("/").json() == {CREATED_KEY: "the app's value"}


def test_session_too_big_to_read_back_is_not_written(
    make_app: Any, client_for: Any, caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app()

    @app.get("/zeros")
    async def zeros(request: Request) -> Any:
        request.ctx.session["report"] = "0" * (codec_module.MAX_PAYLOAD + 10)
        return response.text("ok")

    client: Client = client_for(add_routes(app))
    client.get("/inc")
    with caplog.at_level(logging.ERROR, logger="sanic_cookiesession"):
        result = client.get("/zeros")
    assert result.set_cookie_headers == []
    assert any("'report'" in r.getMessage() for r in caplog.records)
    assert client.get("/").json() == {"n": 1}


# -- 4. size guard ----------------------------------------------------------------


def test_oversize_session_is_not_sent_and_old_cookie_stays(
    make_app: Any, client_for: Any, caplog: pytest.LogCaptureFixture
) -> None:
    client: Client = client_for(add_routes(make_app()))
    client.get("/inc")
    old_cookie = client.jar[COOKIE]
    with caplog.at_level(logging.ERROR, logger="sanic_cookiesession"):
        result = client.get("/set/5000")
    assert result.status == 200
    assert result.set_cookie_headers == []
    errors = [r.getMessage() for r in caplog.records if r.name == "sanic_cookiesession"]
    assert len(errors) == 1
    assert "SESSION_COOKIE_MAX_SIZE=4093" in errors[0]
    assert "'blob'" in errors[0]
    assert client.jar[COOKIE] == old_cookie
    assert client.get("/inc").json() == {"n": 2}


def test_max_size_setting_is_the_whole_header(make_app: Any, client_for: Any) -> None:
    client: Client = client_for(add_routes(make_app(SESSION_COOKIE_MAX_SIZE=200)))
    assert client.get("/set/20").set_cookie_headers != []
    assert client.get("/set/200").set_cookie_headers == []


def test_max_size_is_the_largest_header_sent(make_app: Any, client_for: Any) -> None:
    def app_with(max_size: int) -> Sanic:
        app = add_routes(make_app(SESSION_COOKIE_MAX_SIZE=max_size))

        @app.get("/exact")
        async def exact(request: Request) -> Any:
            # The same session whatever the request sent, too short for zlib:
            # every response writes a header of one size.
            request.ctx.session.clear()
            request.ctx.session["blob"] = "a" * 40
            return response.text("ok")

        return app

    old = f"{COOKIE}={token({'n': 1})}"
    [header] = client_for(app_with(8000)).get("/exact", cookie_header=old).set_cookie_headers
    size = len(header)
    [at_limit] = client_for(app_with(size)).get("/exact", cookie_header=old).set_cookie_headers
    assert len(at_limit) == size  # exactly the limit: sent (the time stamp may differ)
    result = client_for(app_with(size - 1)).get("/exact", cookie_header=old)
    assert result.status == 200
    assert result.set_cookie_headers == []  # one byte over: refused, the old cookie stays


def test_oversize_incoming_cookie_is_rejected_before_crypto(
    make_app: Any, client_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[bytes] = []
    original = codec_module.KeyRing.match

    def spy(self: Any, value: bytes, signature: bytes) -> Any:
        calls.append(value)
        return original(self, value, signature)

    monkeypatch.setattr(codec_module.KeyRing, "match", spy)
    client: Client = client_for(add_routes(make_app()))
    big = token({"blob": secrets.token_urlsafe(4000)})
    assert len(big) > 4096
    assert client.get("/", cookies={COOKIE: big}).json() == {}
    assert calls == []
    assert client.get("/", cookies={COOKIE: token({"n": 1})}, use_jar=False).json() == {"n": 1}
    assert len(calls) == 1


# -- 5. invalid cookies go away, with a reason -------------------------------------


REASONS = {
    "expired": token_at(1_000_000_000, {"n": 1}),
    "bad_signature": token({"n": 1}, secret="not-the-secret-key-of-this-app-000000"),
    "malformed": "garbage",
    "oversize": "x" * 5000,
    "fallback_key": token({"n": 1}, secret=OLD_KEY),
}


@pytest.mark.parametrize("reason", sorted(REASONS))
def test_invalid_cookie_reason_is_reported_and_cookie_deleted(
    make_app: Any, client_for: Any, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    app = add_routes(make_app(SESSION_COOKIE_SECRET_KEY_FALLBACKS=[OLD_KEY]))
    seen: list[tuple[str, str]] = []

    @app.signal(REJECTED_SIGNAL)
    async def on_rejected(request: Request, reason: str, cookie_name: str) -> None:
        seen.append((reason, cookie_name))

    client: Client = client_for(app)
    value = REASONS[reason]
    with caplog.at_level(logging.DEBUG, logger="sanic_cookiesession"):
        result = client.get("/", cookies={COOKIE: value})
    assert seen == [(reason, COOKIE)]
    records = [r for r in caplog.records if r.name == "sanic_cookiesession"]
    assert len(records) == 1
    assert records[0].levelno <= logging.INFO
    assert reason in records[0].getMessage()
    assert value[:16] not in records[0].getMessage()
    morsel = result.cookie()
    if reason == "fallback_key":  # accepted, and re-signed with the current key
        assert result.json() == {"n": 1}
        assert read_token(morsel.value) == {"n": 1}
    else:  # rejected, and deleted so that it does not ride along
        assert result.json() == {}
        assert morsel["max-age"] == "0"
        assert COOKIE not in client.jar


def test_invalid_cookie_replaced_when_a_new_session_is_set(
    make_app: Any, client_for: Any
) -> None:
    client: Client = client_for(add_routes(make_app()))
    result = client.get("/inc", cookies={COOKIE: "garbage"})
    assert read_token(result.cookie().value) == {"n": 1}
