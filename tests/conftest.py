"""Shared fixtures: apps built through either front door, driven through
either sanic-testing client, and a small cookie jar that behaves like a
browser (it keeps what ``Set-Cookie`` says, and forgets deleted cookies)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import Morsel, SimpleCookie
from typing import Any

import pytest
from itsdangerous import URLSafeTimedSerializer
from sanic import Sanic
from sanic.config import Config

import sanic_cookiesession

try:
    import sanic_ext  # noqa: F401

    HAVE_EXT = True
except ImportError:  # the tox env without sanic-ext
    HAVE_EXT = False



def _leave_warning_filters_to_pytest(config: Config) -> None:
    """Stand-in for ``Config._configure_warnings`` in this test suite.

    Every ``Sanic()`` puts a ``DEPRECATION_FILTER`` ("once") filter for the
    modules matching ``sanic.*`` in front of pytest's ``filterwarnings``. That
    pattern also matches ``sanic_cookiesession``, ``sanic_testing`` and
    ``sanic_ext``: the project's own DeprecationWarnings were then shown
    instead of failing the run, and the third-party ones that pyproject.toml
    filters were shown anyway. Here the filters in pyproject.toml decide.
    """


Config._configure_warnings = _leave_warning_filters_to_pytest  # type: ignore[method-assign]

SECRET = "test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
COOKIE = "_session"

_names = itertools.count()


def unique_name(prefix: str = "App") -> str:
    return f"{prefix}{next(_names)}"


@dataclass
class Result:
    """A response, with its Set-Cookie headers parsed."""

    status: int
    text: str
    headers: Any
    set_cookie_headers: list[str]
    cookies: dict[str, Morsel[str]] = field(default_factory=dict)

    def cookie(self, name: str = COOKIE) -> Morsel[str]:
        return self.cookies[name]

    def json(self) -> Any:
        import json

        return json.loads(self.text)


def parse_set_cookie(headers: list[str]) -> dict[str, Morsel[str]]:
    out: dict[str, Morsel[str]] = {}
    for header in headers:
        jar: SimpleCookie = SimpleCookie()
        # Python < 3.14 does not know the Partitioned attribute and would
        # drop the whole header; tests check that flag on the raw header.
        jar.load(header.replace("; Partitioned", ""))
        out.update(jar)
    return out


class Client:
    """Drives an app through ``app.test_client`` or ``app.asgi_client``."""

    def __init__(self, app: Sanic, mode: str) -> None:
        self.app = app
        self.mode = mode
        self.jar: dict[str, str] = {}

    def request(
        self,
        method: str,
        path: str,
        *,
        cookies: dict[str, str] | None = None,
        cookie_header: str | None = None,
        headers: dict[str, str] | None = None,
        use_jar: bool = True,
        **kwargs: Any,
    ) -> Result:
        headers = dict(headers or {})
        sent = dict(self.jar) if use_jar else {}
        sent.update(cookies or {})
        if cookie_header is not None:
            headers["cookie"] = cookie_header
        elif sent:
            headers["cookie"] = "; ".join(f"{k}={v}" for k, v in sent.items())
        if self.mode == "http":
            _, response = getattr(self.app.test_client, method)(
                path, headers=headers, **kwargs
            )
        else:
            if "allow_redirects" in kwargs:
                kwargs["follow_redirects"] = kwargs.pop("allow_redirects")

            async def go() -> Any:
                return await getattr(self.app.asgi_client, method)(
                    path, headers=headers, **kwargs
                )

            _, response = asyncio.run(go())
        set_cookie = response.headers.get_list("set-cookie")
        result = Result(
            status=response.status_code,
            text=response.text,
            headers=response.headers,
            set_cookie_headers=set_cookie,
            cookies=parse_set_cookie(set_cookie),
        )
        if use_jar:
            for name, morsel in result.cookies.items():
                if morsel["max-age"] == "0":
                    self.jar.pop(name, None)
                else:
                    self.jar[name] = morsel.value
        return result

    def get(self, path: str, **kwargs: Any) -> Result:
        return self.request("get", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Result:
        return self.request("post", path, **kwargs)


FRONTS = ["setup", "extend"] if HAVE_EXT else ["setup"]


def install(app: Sanic, front: str, **options: Any) -> None:
    if front == "setup":
        sanic_cookiesession.setup(app, **options)
    else:
        from sanic_cookiesession import CookieSession

        ext = CookieSession(**options) if options else CookieSession
        app.extend(extensions=[ext], config={"oas": False})


@pytest.fixture(params=["http", "asgi"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=FRONTS)
def front(request: pytest.FixtureRequest) -> str:
    return str(request.param)


AppFactory = Callable[..., Sanic]


@pytest.fixture
def make_app(front: str) -> AppFactory:
    """Build an app with sessions installed; config keys as keyword args."""

    def factory(*, options: dict[str, Any] | None = None, **config: Any) -> Sanic:
        app = Sanic(unique_name())
        app.config.SESSION_COOKIE_SECRET_KEY = SECRET
        for key, value in config.items():
            app.config[key] = value
        install(app, front, **(options or {}))
        return app

    return factory


@pytest.fixture
def client_for(mode: str) -> Callable[[Sanic], Client]:
    return lambda app: Client(app, mode)


def started(app: Sanic) -> Sanic:
    """Run the session's ``before_server_start`` hook, as a server would."""
    from sanic_cookiesession.engine import get_engine

    asyncio.run(get_engine(app).configure(app))
    return app


def server_request(app: Sanic, cookie: str, path: bytes = b"/") -> Any:
    """A request made as the server makes it (through the app's request
    class, once :func:`started`), carrying ``cookie`` as its Cookie header."""
    from sanic.compat import Header

    headers = Header({"host": "x", "cookie": cookie})
    return app.request_class(path, headers, "1.1", "GET", None, app)


def startup_error(app: Sanic) -> Exception:
    """Run the session's ``before_server_start`` check; return its error.

    (A real server stopped by it is shown in ``test_config.py``; starting
    through the test client would leave an unawaited server coroutine.)
    """
    try:
        started(app)
    except Exception as exc:  # noqa: BLE001 - returned to the caller
        return exc
    raise AssertionError("the app started")


def token(data: dict[str, Any], *, secret: str = SECRET, salt: str = "cookie-session") -> str:
    """A cookie value made by itsdangerous directly (what 0.3.x wrote)."""
    value = URLSafeTimedSerializer(secret, salt=salt).dumps(data)
    assert isinstance(value, str)
    return value


def token_at(
    when: int, data: Any, *, secret: str = SECRET, salt: str = "cookie-session"
) -> str:
    """Like :func:`token`, but signed at the Unix time ``when``."""
    serializer = URLSafeTimedSerializer(secret, salt=salt)

    class At(serializer.signer):  # type: ignore[name-defined,misc]
        def get_timestamp(self) -> int:
            return when

    serializer.signer = At
    value = serializer.dumps(data)
    assert isinstance(value, str)
    return value


def read_token(value: str, *, secret: str = SECRET, salt: str = "cookie-session") -> Any:
    """Decode a cookie value with itsdangerous directly (what 0.3.x read)."""
    return URLSafeTimedSerializer(secret, salt=salt).loads(value, max_age=86400)
