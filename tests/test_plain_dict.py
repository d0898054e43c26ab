"""The session a handler gets is a real dict holding its data, for every way
Python code or a C extension reaches it, and shares nothing with another
request."""

from __future__ import annotations

import copy
import json
import pickle
from typing import Any

import pytest
from sanic import Request, Sanic, response

from sanic_cookiesession import Session, get_session

from .conftest import COOKIE, Client, read_token, token

DATA = {"user": "ann", "theme": "dark", "cart": ["apple"], "prefs": {"lang": "en"}}


def _jinja_tojson(value: Any) -> Any:
    import jinja2

    rendered = jinja2.Environment().from_string("{{ s|tojson }}").render(s=value)
    return json.loads(rendered)


def _orjson_dumps(value: Any) -> str:
    import orjson

    return str(orjson.dumps(value).decode())


# How user code can turn the session into JSON or a copy. Each returns
# something JSON-comparable with DATA.
READERS: dict[str, Any] = {
    "response.json (ujson, Sanic's default)": None,
    "response.json with orjson": _orjson_dumps,
    "response.json with json.dumps": json.dumps,
    "json.dumps": lambda s: json.loads(json.dumps(s)),
    "{**s}": lambda s: {**s},
    "dict(s)": dict,
    "pickle": lambda s: dict(pickle.loads(pickle.dumps(s))),
    "copy.copy": lambda s: dict(copy.copy(s)),
    "copy.deepcopy": lambda s: dict(copy.deepcopy(s)),
    "dict.items": lambda s: dict(dict.items(s)),
    "f(**s)": lambda s: (lambda **kw: kw)(**s),
    "Jinja's tojson": _jinja_tojson,
}


@pytest.mark.parametrize("how", list(READERS))
def test_every_way_of_reading_the_session_sees_its_data(
    make_app: Any, client_for: Any, how: str
) -> None:
    if "orjson" in how:
        pytest.importorskip("orjson")
    if "Jinja" in how:
        pytest.importorskip("jinja2")
    app: Sanic = make_app()
    reader = READERS[how]

    @app.get("/")
    async def show(request: Request) -> Any:
        if how.startswith("response.json"):
            if reader is None:
                return response.json(request.ctx.session)
            return response.json(request.ctx.session, dumps=reader)
        return response.json(reader(request.ctx.session))

    result = client_for(app).get("/", cookies={COOKIE: token(DATA)})
    assert result.json() == DATA
    assert result.headers["vary"] == "Cookie"


def test_methods_bound_before_first_use_work(make_app: Any, client_for: Any) -> None:
    app: Sanic = make_app()

    @app.get("/")
    async def show(request: Request) -> Any:
        get = request.ctx.session.get
        user, theme, cart = map(get, ("user", "theme", "cart"))
        return response.json([user, theme, cart])

    result = client_for(app).get("/", cookies={COOKIE: token(DATA)})
    assert result.status == 200
    assert result.json() == ["ann", "dark", ["apple"]]


def test_the_session_is_one_plain_dict_class(make_app: Any, client_for: Any) -> None:
    app: Sanic = make_app()
    seen: list[Any] = []

    @app.get("/")
    async def show(request: Request) -> Any:
        session = request.ctx.session
        seen.append(type(session))
        session["n"] = 1
        seen.append(type(session))
        return response.text("ok")

    client_for(app).get("/", cookies={COOKIE: token(DATA)})
    assert seen == [Session, Session]
    assert Session.__mro__ == (Session, dict, object)
    # It overrides no dict method: C code and Python code see the same thing.
    assert not {name for name in vars(Session) if name in vars(dict)} - {
        "__init__", "__repr__", "__slots__", "__doc__", "__module__"
    }


def test_nested_values_reached_through_dict_methods_change_only_this_request(
    make_app: Any, mode: str
) -> None:
    app: Sanic = make_app()

    @app.get("/poke")
    async def poke(request: Request) -> Any:
        session = request.ctx.session
        dict.get(session, "cart").append("x")
        for value in dict.values(session):
            if isinstance(value, dict):
                value["lang"] = "xx"
        return response.text("poked")

    @app.get("/read")
    async def read(request: Request) -> Any:
        return response.json(request.ctx.session)

    @app.get("/write")
    async def write(request: Request) -> Any:
        request.ctx.session["visits"] = 1
        return response.text("ok")

    cookie = token(DATA)
    client = Client(app, mode)
    poked = client.get("/poke", cookies={COOKIE: cookie}, use_jar=False)
    # The poking request saved its own change...
    assert read_token(poked.cookie().value)["cart"] == ["apple", "x"]
    # ...and the next requests with the same cookie never see it.
    assert client.get("/read", cookies={COOKIE: cookie}, use_jar=False).json() == DATA
    written = client.get("/write", cookies={COOKIE: cookie}, use_jar=False)
    assert read_token(written.cookie().value) == {**DATA, "visits": 1}


def test_get_session_gives_the_same_object_as_the_attribute(
    make_app: Any, client_for: Any
) -> None:
    app: Sanic = make_app()

    @app.get("/")
    async def show(request: Request) -> Any:
        typed = get_session(request)
        same = typed is request.ctx.session
        return response.json({"same": same, "data": typed})

    result = client_for(app).get("/", cookies={COOKIE: token(DATA)})
    assert result.json() == {"same": True, "data": DATA}
