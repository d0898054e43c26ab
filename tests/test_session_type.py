"""0.3.x's ``session_type`` contract, and when a session counts as used,
for the default type and a custom one."""

from __future__ import annotations

from typing import Any

import pytest
from sanic import Request, Sanic, response

from .conftest import COOKIE, SECRET, Client, install, read_token, token, unique_name


class Counted(dict[str, Any]):
    """A custom session type that counts its constructions (as 0.3.1's own
    test does)."""

    built = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        type(self).built += 1
        super().__init__(*args, **kwargs)


@pytest.fixture
def counted() -> type[Counted]:
    class Fresh(Counted):
        built = 0

    return Fresh


def _app(front: str, session_type: Any = None, **config: Any) -> Sanic:
    app = Sanic(unique_name())
    app.config.SECRET_KEY = SECRET
    for key, value in config.items():
        app.config[key] = value
    install(app, front, **({"session_type": session_type} if session_type else {}))
    return app


def test_built_once_at_the_start_of_each_request(
    front: str, client_for: Any, counted: type[Counted]
) -> None:
    app = _app(front, counted)
    seen: list[int] = []

    @app.on_request
    async def before_handler(request: Request) -> None:
        seen.append(counted.built)

    @app.get("/")
    async def index(request: Request) -> Any:
        seen.append(counted.built)
        return response.text(str(request.ctx.session.get("n")))

    client = client_for(app)
    assert client.get("/", cookies={COOKIE: token({"n": 5})}).text == "5"
    assert seen == [1, 1]  # built before any middleware ran, and only once
    client.get("/nowhere")  # a 404 builds one too
    assert counted.built == 2


def test_deleting_the_session_gives_a_fresh_one_at_response_time(
    front: str, client_for: Any, counted: type[Counted]
) -> None:
    # 0.3.1's test_delete_session_in_request_will_create_new_object.
    app = _app(front, counted)

    @app.get("/")
    async def index(request: Request) -> Any:
        assert counted.built == 1
        del request.ctx.session
        return response.text("")

    result = client_for(app).get("/", cookies={COOKIE: token({"n": 1})})
    assert result.status == 200
    assert counted.built == 2
    assert result.cookie().value == ""  # fresh and empty: the cookie is deleted
    assert result.cookie()["max-age"] == "0"


@pytest.mark.parametrize("custom", [False, True], ids=["dict", "custom"])
def test_a_route_that_only_uses_request_ctx_writes_nothing(
    front: str, client_for: Any, counted: type[Counted], custom: bool
) -> None:
    app = _app(front, counted if custom else None)

    @app.on_request
    async def request_id(request: Request) -> None:
        request.ctx.request_id = "r-1"

    @app.get("/")
    async def index(request: Request) -> Any:
        return response.text(request.ctx.request_id)

    result = client_for(app).get("/", cookies={COOKIE: token({"n": 1})})
    assert result.text == "r-1"
    assert result.set_cookie_headers == []
    assert "vary" not in result.headers


@pytest.mark.parametrize("refresh", [True, False])
def test_an_unchanged_custom_session_is_rewritten_only_if_used_and_refreshing(
    front: str, client_for: Any, counted: type[Counted], refresh: bool
) -> None:
    app = _app(front, counted, SESSION_REFRESH_EACH_REQUEST=refresh)

    @app.get("/read")
    async def read(request: Request) -> Any:
        return response.text(str(request.ctx.session["n"]))

    @app.get("/untouched")
    async def untouched(request: Request) -> Any:
        return response.text("ok")

    client: Client = client_for(app)
    cookie = {COOKIE: token({"n": 1})}
    assert client.get("/untouched", cookies=cookie, use_jar=False).set_cookie_headers == []
    result = client.get("/read", cookies=cookie, use_jar=False)
    assert result.text == "1"
    assert result.headers["vary"] == "Cookie"
    if refresh:
        assert read_token(result.cookie().value) == {"n": 1}
    else:
        assert result.set_cookie_headers == []


def test_a_custom_type_changed_in_place_is_saved(
    front: str, client_for: Any, counted: type[Counted]
) -> None:
    app = _app(front, counted)

    @app.get("/")
    async def index(request: Request) -> Any:
        session = request.ctx.session
        assert type(session) is counted
        session["cart"].append("pear")
        return response.text("ok")

    result = client_for(app).get("/", cookies={COOKIE: token({"cart": ["apple"]})})
    assert read_token(result.cookie().value) == {"cart": ["apple", "pear"]}
