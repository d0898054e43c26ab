"""Several cookies of the session's name (a sibling subdomain, or a sub-path,
set one too): the one that verifies is used, none when several verify, and
such a request never refreshes or deletes the cookie by itself."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from sanic import Blueprint, Request, Sanic, response

from sanic_cookiesession import REJECTED_SIGNAL, get_session, session_namespace
from sanic_cookiesession import report as report_module

from .conftest import COOKIE, Client, read_token, token

VICTIM = {"user": "victim"}
ATTACKER = {"user": "attacker"}


@pytest.fixture(autouse=True)
def _every_warning_is_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    # The warning is rate-limited per process: each test starts afresh.
    monkeypatch.setattr(report_module, "_warned_duplicates", {})


@pytest.fixture
def app(make_app: Any) -> Sanic:
    app: Sanic = make_app()
    app.ctx.rejected = []

    @app.signal(REJECTED_SIGNAL)
    async def rejected(request: Request, reason: str, cookie_name: str) -> None:
        app.ctx.rejected.append((reason, cookie_name))

    @app.get("/")
    async def read(request: Request) -> Any:
        return response.json(dict(request.ctx.session))

    @app.post("/login")
    async def login(request: Request) -> Any:
        request.ctx.session.clear()
        request.ctx.session["user"] = "fresh"
        return response.json(dict(request.ctx.session))

    @app.post("/logout")
    async def logout(request: Request) -> Any:
        request.ctx.session.clear()
        return response.json({})

    @app.post("/logout-del")
    async def logout_del(request: Request) -> Any:
        del request.ctx.session
        return response.json({})

    return app


def header(*values: str) -> str:
    return "; ".join(f"{COOKIE}={value}" for value in values)


def test_two_valid_cookies_give_an_empty_session_and_no_write(
    app: Sanic, client_for: Any
) -> None:
    client: Client = client_for(app)
    result = client.get("/", cookie_header=header(token(ATTACKER), token(VICTIM)))
    assert result.json() == {}
    # Neither refreshed (copied into the site's own cookie) nor deleted.
    assert result.set_cookie_headers == []
    assert result.headers["vary"] == "Cookie"
    assert app.ctx.rejected == [("ambiguous", COOKIE)]


@pytest.mark.parametrize("order", ["tossed-first", "tossed-last"])
def test_a_tossed_cookie_that_does_not_verify_is_ignored(
    app: Sanic, client_for: Any, order: str
) -> None:
    forged = token(ATTACKER, secret="a-key-the-site-never-had-0123456789abcdef")
    values = [forged, token(VICTIM)]
    if order == "tossed-last":
        values.reverse()
    client: Client = client_for(app)
    result = client.get("/", cookie_header=header(*values))
    assert result.json() == VICTIM
    # No refresh on such a request (nothing tossed is ever written back) ...
    assert result.set_cookie_headers == []
    # ... and the forgery is reported.
    assert app.ctx.rejected == [("bad_signature", COOKIE)]


def test_an_invalid_tossed_cookie_never_deletes_the_real_one(
    app: Sanic, client_for: Any
) -> None:
    client: Client = client_for(app)
    result = client.get("/", cookie_header=header("garbage", "more-garbage"))
    assert result.json() == {}
    assert result.set_cookie_headers == []  # a single bad cookie would be deleted


def test_a_change_the_app_makes_is_written(app: Sanic, client_for: Any) -> None:
    client: Client = client_for(app)
    result = client.post("/login", cookie_header=header(token(ATTACKER), token(VICTIM)))
    assert result.json() == {"user": "fresh"}
    cookie = result.cookie()
    assert read_token(cookie.value) == {"user": "fresh"}
    assert cookie["path"] == "/"
    assert cookie["domain"] == ""  # host-only: the site's own cookie


def test_an_app_that_empties_the_session_it_read_deletes_the_cookie(
    app: Sanic, client_for: Any
) -> None:
    client: Client = client_for(app)
    forged = token(ATTACKER, secret="a-key-the-site-never-had-0123456789abcdef")
    result = client.post("/logout", cookie_header=header(forged, token(VICTIM)))
    assert result.cookie()["max-age"] == "0"


def test_the_warning_names_the_cookie_and_the_defence_and_is_rate_limited(
    app: Sanic, client_for: Any, caplog: pytest.LogCaptureFixture
) -> None:
    client: Client = client_for(app)
    values = (token(ATTACKER), token(VICTIM))
    with caplog.at_level(logging.WARNING, logger="sanic_cookiesession"):
        client.get("/", cookie_header=header(*values))
        client.get("/", cookie_header=header(*values))
    warnings = [r.getMessage() for r in caplog.records if r.name == "sanic_cookiesession"]
    assert len(warnings) == 1
    assert repr(COOKIE) in warnings[0]
    assert "SESSION_COOKIE_HOST_PREFIX=True" in warnings[0]
    for value in values:
        assert value not in caplog.text


def test_one_cookie_is_read_and_refreshed_as_before(app: Sanic, client_for: Any) -> None:
    client: Client = client_for(app)
    result = client.get("/", cookie_header=header(token(VICTIM)))
    assert result.json() == VICTIM
    assert read_token(result.cookie().value) == VICTIM
    assert app.ctx.rejected == []


def test_duplicates_are_judged_per_namespace(make_app: Any, client_for: Any) -> None:
    app: Sanic = make_app()
    admin = session_namespace(Blueprint("admin", url_prefix="/admin"), salt="admin-salt")

    @admin.get("/")
    async def admin_index(request: Request) -> Any:
        return response.json(dict(get_session(request)))

    app.blueprint(admin)
    admin_cookie = f"{COOKIE}_admin"
    admin_token = token({"admin": True}, salt="admin-salt")
    cookie_header = "; ".join([
        f"{admin_cookie}={admin_token}",
        f"{COOKIE}={token(ATTACKER)}",  # the app's duplicates: not this namespace's
        f"{COOKIE}={token(VICTIM)}",
    ])
    client: Client = client_for(app)
    result = client.get("/admin/", cookie_header=cookie_header)
    assert result.json() == {"admin": True}
    assert read_token(result.cookie(admin_cookie).value, salt="admin-salt") == {"admin": True}


def test_deleting_the_session_on_an_ambiguous_request_deletes_the_cookie(
    app: Sanic, client_for: Any
) -> None:
    # An explicit logout is a change the app makes: it is written.
    client: Client = client_for(app)
    result = client.post("/logout-del", cookie_header=header(token(ATTACKER), token(VICTIM)))
    assert result.cookie()["max-age"] == "0"
    # clear() of the empty session such a request gets changes nothing, as
    # the README and the docs say: nothing is written (del is the logout).
    result = client.post("/logout", cookie_header=header(token(ATTACKER), token(VICTIM)))
    assert result.status == 200
    assert result.set_cookie_headers == []


def test_cookies_split_over_several_cookie_fields_are_all_seen(app: Sanic) -> None:
    # HTTP/2 clients may send one Cookie field per cookie; ASGI servers pass
    # them on as they came.
    async def get(*fields: str) -> Any:
        _, result = await app.asgi_client.get("/", headers=[("cookie", f) for f in fields])
        return result

    tossed = asyncio.run(get(f"{COOKIE}={token(ATTACKER)}", f"{COOKIE}={token(VICTIM)}"))
    assert tossed.json == {}
    assert tossed.headers.get_list("set-cookie") == []
    second = asyncio.run(get("theme=dark", f"{COOKIE}={token(VICTIM)}"))
    assert second.json == VICTIM


def test_a_legacy_cookie_with_duplicates_is_not_stamped_and_written(
    make_app: Any, client_for: Any
) -> None:
    # With SESSION_ABSOLUTE_LIFETIME on, a cookie written without the
    # creation stamp (by 0.3.x) gets one; that alone is no change the app
    # made, so a request with duplicates writes nothing.
    app: Sanic = make_app(SESSION_ABSOLUTE_LIFETIME=3600, SESSION_REFRESH_EACH_REQUEST=False)

    @app.get("/")
    async def read(request: Request) -> Any:
        return response.json(dict(request.ctx.session))

    forged = token(ATTACKER, secret="a-key-the-site-never-had-0123456789abcdef")
    client: Client = client_for(app)
    result = client.get("/", cookie_header=header(forged, token(VICTIM)))
    assert result.json() == VICTIM
    assert result.set_cookie_headers == []
