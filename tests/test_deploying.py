"""What docs/deploying.md says, checked.

Real servers (127.0.0.1 only, a bounded number of requests, stopped by PID
through ``tests/servers.py``) run ``examples/deploy_app.py`` under
``sanic --workers 2``, uvicorn and hypercorn. The rest runs in process,
through both sanic-testing clients: key rotation, hosts that disagree, the
host prefix, websockets, what Sanic Extensions adds to every request, and
namespaces in an app with a global guard.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
import logging
import sys
import textwrap
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from http.cookies import Morsel, SimpleCookie
from pathlib import Path
from typing import Any

import pytest
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sanic import Blueprint, Request, Sanic, response
from sanic.response import HTTPResponse

import sanic_cookiesession
from sanic_cookiesession import REJECTED_SIGNAL, Session, session_namespace
from sanic_cookiesession.engine import CREATED_KEY
from sanic_cookiesession.testing import session_cookie

from .conftest import HAVE_EXT, Client, install, startup_error, token_at, unique_name
from .servers import Server, free_port, running
from .test_docs_examples import python_blocks

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
PAGE = ROOT / "docs" / "deploying.md"

KEY = "deploy-key-0123456789-abcdefghijklmnopqrstuvwxyz"
OTHER_KEY = "another-deploy-key-0123456789-abcdefghijklmnopqrs"
OLD_KEY = "old-deploy-key-0123456789-abcdefghijklmnopqrstuvw"
NEW_KEY = "new-deploy-key-0123456789-abcdefghijklmnopqrstuvw"
SALT = "cookie-session"
ENV_KEY = "SANIC_SESSION_COOKIE_SECRET_KEY"

needs_ext = pytest.mark.skipif(not HAVE_EXT, reason="needs sanic-ext")


def verifies(value: str, key: str, *, max_age: int | None = 600) -> bool:
    try:
        URLSafeTimedSerializer(key, salt=SALT).loads(value, max_age=max_age)
    except BadSignature:
        return False
    return True


def payload(value: str, key: str) -> Any:
    return URLSafeTimedSerializer(key, salt=SALT).loads(value)


# -- real servers --------------------------------------------------------------


def command(server: str, port: int, workers: int, args: list[str]) -> list[str]:
    target = "deploy_app:app"
    if server == "sanic":
        scale = ["--single-process"] if workers == 1 else [f"--workers={workers}"]
        return [sys.executable, "-m", "sanic", target, "--host", "127.0.0.1",
                "--port", str(port), *scale, *args]
    if server == "uvicorn":
        return [sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1",
                "--port", str(port), "--workers", str(workers), *args]
    return [sys.executable, "-m", "hypercorn", target, "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers), *args]


@contextlib.contextmanager
def deployed(
    server: str = "sanic",
    *,
    key: str,
    workers: int = 1,
    env: dict[str, str] | None = None,
    args: list[str] | None = None,
) -> Iterator[Server]:
    """``examples/deploy_app.py`` served as the page says, the key from the
    environment."""
    if server != "sanic" and importlib.util.find_spec(server) is None:
        pytest.skip(f"{server} is not installed")
    port = free_port()
    cmd = command(server, port, workers, args or [])
    with running(cmd=cmd, cwd=EXAMPLES, env={ENV_KEY: key, **(env or {})}, port=port) as s:
        try:
            yield s
        finally:
            if server == "sanic":
                settle(s, workers)


def settle(server: Server, workers: int, limit: float = 10.0) -> None:
    """Wait until Sanic's main process can be stopped quickly: it ignores a
    SIGINT that comes while it still waits for its workers to report ready
    (the test would then wait for the SIGKILL that follows)."""
    if workers == 1:
        return
    deadline = time.monotonic() + limit
    while server.log().count("Worker ready") < workers and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def call(
    server: Server, path: str, *, method: str = "GET", cookie: str | None = None
) -> tuple[int, dict[str, Morsel[str]], Any]:
    """One request on a new connection: status, parsed Set-Cookie, JSON body."""
    request = urllib.request.Request(server.url + path, method=method)
    if cookie is not None:
        request.add_header("Cookie", cookie)
    try:
        resp = urllib.request.build_opener(_NoRedirect).open(request, timeout=10)
    except urllib.error.HTTPError as exc:
        resp = exc
    with resp:
        cookies: dict[str, Morsel[str]] = {}
        for header in resp.headers.get_all("Set-Cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            cookies.update(jar)
        body = resp.read()
        status = resp.status
    try:
        return status, cookies, json.loads(body)
    except ValueError:
        return status, cookies, body.decode(errors="replace")


def log_of(server: Server, text: str, wait: float = 5.0) -> str:
    """The server's log, once it shows ``text`` (or after ``wait`` seconds)."""
    deadline = time.monotonic() + wait
    log = server.log()
    while text not in log and time.monotonic() < deadline:
        time.sleep(0.05)
        log = server.log()
    return log


def log_in(server: Server, user: str = "ann") -> str:
    status, cookies, body = call(server, f"/login/{user}", method="POST")
    assert (status, body["user"]) == (200, user)
    return cookies["_session"].value


@pytest.mark.parametrize("server", ["sanic", "uvicorn", "hypercorn"])
def test_a_cookie_from_one_worker_reads_on_every_worker(server: str) -> None:
    with deployed(server, key=KEY, workers=2) as s:
        status, cookies, body = call(s, "/login/ann", method="POST")
        value = cookies["_session"].value
        assert verifies(value, KEY)  # signed with the key from the environment
        answered = {body["worker"]}
        # Connections are spread over the workers once both are up (the
        # first answers before the second is ready): bounded in time.
        deadline = time.monotonic() + 20
        while len(answered) < 2 and time.monotonic() < deadline:
            status, _, body = call(s, "/me", cookie=f"_session={value}")
            assert (status, body["user"]) == (200, "ann")
            answered.add(body["worker"])
            time.sleep(0.02)
        log = s.log()
    assert len(answered) == 2, "every request went to one worker"
    assert "Traceback" not in log


def test_hosts_with_one_key_share_sessions_and_hosts_with_another_log_visitors_out() -> None:
    with (
        deployed(key=KEY) as a,
        deployed(key=KEY) as same,
        deployed(key=OTHER_KEY) as other,
    ):
        from_a = log_in(a)
        assert call(same, "/me", cookie=f"_session={from_a}")[2]["user"] == "ann"

        for here, there in ((a, other), (other, a)):
            value = log_in(here)
            status, cookies, body = call(there, "/me", cookie=f"_session={value}")
            assert (status, body["user"]) == (200, None)  # logged out...
            assert cookies["_session"]["max-age"] == "0"  # ...for good: deleted
            # the rejected-cookie signal fired: deploy_app.py logs a WARNING
            assert "has a bad signature" in log_of(there, "has a bad signature")
        assert "bad signature" not in same.log()


DEV_KEY = "a-development-default-key-0123456789-abcdefghij"


def main_only_module(where: str) -> str:
    secret = f'app.config.SESSION_COOKIE_SECRET_KEY = "{KEY}"'
    module_level, main_level = {
        "main": ("", secret),
        "module": (secret, "pass"),
        "main over a default": (f'app.config.SESSION_COOKIE_SECRET_KEY = "{DEV_KEY}"', secret),
    }[where]
    return textwrap.dedent(
        f"""
        import os

        from sanic import Sanic, response
        from sanic_cookiesession import CookieSession

        app = Sanic("MainOnly")
        {module_level}
        app.extend(extensions=[CookieSession])


        @app.get("/")
        async def index(request):
            request.ctx.session["seen"] = True
            return response.text("ok")


        if __name__ == "__main__":
            {main_level}
            app.run(host="127.0.0.1", port=int(os.environ["PORT"]), workers=2)
        """
    )


@needs_ext
@pytest.mark.parametrize("where", ["main", "module", "main over a default"])
def test_a_secret_set_under_main_is_missing_in_the_workers(
    where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in (ENV_KEY, "SANIC_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "main_only.py").write_text(main_only_module(where))
    cmd = [sys.executable, "main_only.py"]
    if where == "main":
        with (
            pytest.raises(RuntimeError, match="server exited") as stopped,
            running(cmd=cmd, cwd=tmp_path),
        ):
            pass  # pragma: no cover - the workers do not start
        assert "SESSION_COOKIE_SECRET_KEY" in str(stopped.value)
        return
    with running(cmd=cmd, cwd=tmp_path) as s:
        status, cookies, _ = call(s, "/")
        settle(s, workers=2)
    assert status == 200
    value = cookies["_session"].value
    if where == "module":
        assert verifies(value, KEY)
    else:  # the workers sign with the default, silently
        assert verifies(value, DEV_KEY)
        assert not verifies(value, KEY)


@pytest.mark.parametrize("server", ["uvicorn", "hypercorn"])
def test_an_asgi_server_stops_on_a_bad_setting_naming_the_key(server: str) -> None:
    bad = {"SANIC_SESSION_COOKIE_SAMESITE": "sideways"}
    with (
        pytest.raises(RuntimeError, match="server exited") as stopped,
        deployed(server, key=KEY, env=bad),
    ):
        pass  # pragma: no cover - the server does not start
    assert "SESSION_COOKIE_SAMESITE" in str(stopped.value)


def test_sanic_under_uvicorn_needs_the_lifespan() -> None:
    with deployed("uvicorn", key=KEY, args=["--lifespan", "off"]) as s:
        assert call(s, "/me")[0] == 500
    with deployed("uvicorn", key=KEY) as s:  # the default, --lifespan auto
        assert call(s, "/me")[0] == 200


# -- in process: apps as the page describes them -------------------------------


def deploy_app(front: str, **config: Any) -> Sanic:
    """The routes of ``deploy_app.py``; records the rejected-cookie signal."""
    app = Sanic(unique_name("Deploy"))
    app.config.SESSION_COOKIE_SECRET_KEY = KEY
    for key, value in config.items():
        app.config[key] = value
    install(app, front)
    app.ctx.rejected = []

    @app.signal(REJECTED_SIGNAL)
    async def rejected(request: Request, reason: str, cookie_name: str) -> None:
        request.app.ctx.rejected.append(reason)

    @app.post("/login/<user:str>")
    async def login(request: Request, user: str) -> HTTPResponse:
        request.ctx.session["user"] = user
        return response.text(user)

    @app.get("/me")
    async def me(request: Request) -> HTTPResponse:
        return response.text(request.ctx.session.get("user", "nobody"))

    return app


@contextlib.contextmanager
def package_log() -> Iterator[list[logging.LogRecord]]:
    """The package's log records, INFO and up, while the block runs."""
    records: list[logging.LogRecord] = []
    logger = logging.getLogger("sanic_cookiesession")
    handler = logging.Handler(logging.INFO)
    handler.emit = records.append  # type: ignore[method-assign]
    level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    try:
        yield records
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


DISAGREEMENTS = [
    pytest.param({"SESSION_COOKIE_SECRET_KEY": OTHER_KEY}, "bad_signature", id="key"),
    pytest.param({"SESSION_COOKIE_SALT": "another-salt"}, "bad_signature", id="salt"),
    pytest.param({"SESSION_COOKIE_ENCRYPT": True}, "malformed", id="encryption"),
    pytest.param({"SESSION_COOKIE_NAME": "sid"}, None, id="name"),
    pytest.param({"SESSION_COOKIE_HOST_PREFIX": True}, None, id="prefix"),
]


@pytest.mark.parametrize(("difference", "reason"), DISAGREEMENTS)
def test_a_host_that_disagrees_logs_the_visitor_out(
    front: str,
    client_for: Callable[[Sanic], Client],
    difference: dict[str, Any],
    reason: str | None,
) -> None:
    if "SESSION_COOKIE_ENCRYPT" in difference and importlib.util.find_spec("cryptography") is None:
        pytest.skip("needs the crypto extra")
    here, there = deploy_app(front), deploy_app(front, **difference)
    cookies = {"_session": client_for(here).post("/login/ann").cookie().value}
    with package_log() as records:
        result = client_for(there).get("/me", cookies=cookies)
    assert result.text == "nobody"
    if reason is None:  # another name: the cookie is not even read
        assert there.ctx.rejected == []
        assert result.set_cookie_headers == []
        return
    assert there.ctx.rejected == [reason]
    assert result.cookie()["max-age"] == "0"  # deleted
    rejected = [r for r in records if r.levelno == logging.INFO]
    assert [r.getMessage() for r in rejected] == [f"session cookie '_session' rejected: {reason}"]


# -- key rotation ------------------------------------------------------------------


def with_keys(front: str, key: str, fallbacks: list[str] | None = None, **config: Any) -> Sanic:
    return deploy_app(
        front,
        SESSION_COOKIE_SECRET_KEY=key,
        SESSION_COOKIE_SECRET_KEY_FALLBACKS=fallbacks or [],
        **config,
    )


def test_rotation_step_by_step(front: str, client_for: Callable[[Sanic], Client]) -> None:
    before = with_keys(front, OLD_KEY)
    announced = with_keys(front, OLD_KEY, [NEW_KEY])  # step 2
    rotated = with_keys(front, NEW_KEY, [OLD_KEY])  # step 3
    retired = with_keys(front, NEW_KEY)  # step 5

    old = client_for(before).post("/login/ann").cookie().value
    assert verifies(old, OLD_KEY)

    # Step 2: nothing changes for visitors; the old key still signs.
    result = client_for(announced).get("/me", cookies={"_session": old})
    assert result.text == "ann"
    assert announced.ctx.rejected == []
    assert verifies(result.cookie().value, OLD_KEY)

    # Step 3: accepted with the fallback and re-signed with the new key.
    result = client_for(rotated).get("/me", cookies={"_session": old})
    assert result.text == "ann"
    assert rotated.ctx.rejected == ["fallback_key"]
    resigned = result.cookie().value
    assert verifies(resigned, NEW_KEY)
    assert not verifies(resigned, OLD_KEY)

    # Step 5: who came back keeps the session; a cookie still signed with
    # the old key is rejected like a forged one.
    assert client_for(retired).get("/me", cookies={"_session": resigned}).text == "ann"
    result = client_for(retired).get("/me", cookies={"_session": old})
    assert result.text == "nobody"
    assert result.cookie()["max-age"] == "0"
    assert retired.ctx.rejected == ["bad_signature"]


def test_step_two_lets_hosts_at_steps_two_and_three_read_each_others_cookies(
    front: str, client_for: Callable[[Sanic], Client]
) -> None:
    announced = with_keys(front, OLD_KEY, [NEW_KEY])
    rotated = with_keys(front, NEW_KEY, [OLD_KEY])
    not_announced = with_keys(front, OLD_KEY)

    new = client_for(rotated).post("/login/bob").cookie().value
    assert verifies(new, NEW_KEY)
    result = client_for(announced).get("/me", cookies={"_session": new})
    assert result.text == "bob"
    assert verifies(result.cookie().value, OLD_KEY)  # the host signs with its own key
    old = client_for(announced).post("/login/ann").cookie().value
    assert client_for(rotated).get("/me", cookies={"_session": old}).text == "ann"

    # Without step 2, a host not yet updated logs the visitor out.
    result = client_for(not_announced).get("/me", cookies={"_session": new})
    assert result.text == "nobody"
    assert not_announced.ctx.rejected == ["bad_signature"]


NOW = int(time.time())
YEARS_AGO = NOW - 10 * 365 * 86400
LIFETIME = 30 * 86400


def test_with_max_age_none_an_old_key_cookie_never_expires_by_age(
    front: str, client_for: Callable[[Sanic], Client]
) -> None:
    ancient = token_at(YEARS_AGO, {"user": "ann"}, secret=OLD_KEY)
    rotated = with_keys(front, NEW_KEY, [OLD_KEY], SESSION_COOKIE_MAX_AGE=None)
    assert client_for(rotated).get("/me", cookies={"_session": ancient}).text == "ann"

    # With an idle timeout, the same cookie died long ago: waiting works.
    timed = with_keys(front, NEW_KEY, [OLD_KEY])
    assert client_for(timed).get("/me", cookies={"_session": ancient}).text == "nobody"
    assert timed.ctx.rejected == ["expired"]

    retired = with_keys(front, NEW_KEY, SESSION_COOKIE_MAX_AGE=None)
    assert client_for(retired).get("/me", cookies={"_session": ancient}).text == "nobody"
    assert retired.ctx.rejected == ["bad_signature"]


def test_absolute_lifetime_ends_old_key_sessions_when_max_age_is_none(
    front: str, client_for: Callable[[Sanic], Client]
) -> None:
    rotated = with_keys(
        front, NEW_KEY, [OLD_KEY], SESSION_COOKIE_MAX_AGE=None, SESSION_ABSOLUTE_LIFETIME=LIFETIME
    )
    created = NOW - LIFETIME - 60
    stale = token_at(created, {"user": "ann", CREATED_KEY: created}, secret=OLD_KEY)
    result = client_for(rotated).get("/me", cookies={"_session": stale})
    assert result.text == "nobody"
    assert rotated.ctx.rejected == ["expired"]

    created = NOW - 3600
    recent = token_at(created, {"user": "bob", CREATED_KEY: created}, secret=OLD_KEY)
    result = client_for(rotated).get("/me", cookies={"_session": recent})
    assert result.text == "bob"
    # Re-signed with the new key; the creation time goes with it.
    assert payload(result.cookie().value, NEW_KEY) == {"user": "bob", CREATED_KEY: created}


def test_a_cookie_written_before_absolute_lifetime_counts_from_its_next_use(
    front: str, client_for: Callable[[Sanic], Client]
) -> None:
    rotated = with_keys(
        front, NEW_KEY, [OLD_KEY], SESSION_COOKIE_MAX_AGE=None, SESSION_ABSOLUTE_LIFETIME=LIFETIME
    )
    unstamped = token_at(YEARS_AGO, {"user": "ann"}, secret=OLD_KEY)
    result = client_for(rotated).get("/me", cookies={"_session": unstamped})
    assert result.text == "ann"  # not bounded by the lifetime yet...
    stamped = payload(result.cookie().value, NEW_KEY)
    assert stamped["user"] == "ann"
    assert abs(stamped[CREATED_KEY] - int(time.time())) <= 5  # ...stamped now


# -- sibling subdomains ---------------------------------------------------------------


def test_the_host_prefix_reads_only_the_prefixed_cookie(
    front: str, client_for: Callable[[Sanic], Client]
) -> None:
    app = deploy_app(front, SESSION_COOKIE_HOST_PREFIX=True)
    client = client_for(app)
    login = client.post("/login/ann", use_jar=False)
    assert list(login.cookies) == ["__Host-_session"]
    ours = login.cookie("__Host-_session")
    assert (bool(ours["secure"]), ours["path"], ours["domain"]) == (True, "/", "")

    # A validly signed cookie planted under the plain name (as a sibling
    # subdomain could, for the parent domain) is not read...
    planted = session_cookie(deploy_app(front), {"user": "mallory"})  # "_session=..."
    assert client.get("/me", cookie_header=planted, use_jar=False).text == "nobody"
    assert app.ctx.rejected == []
    # ...not even when the browser sends it first, next to the real one.
    both = f"{planted}; __Host-_session={ours.value}"
    assert client.get("/me", cookie_header=both, use_jar=False).text == "ann"


# -- websockets ------------------------------------------------------------------------


def websocket_app(front: str) -> Sanic:
    app = Sanic(unique_name("Sockets"))
    app.config.SESSION_COOKIE_SECRET_KEY = KEY
    install(app, front)
    app.ctx.seen = []
    admin = session_namespace(Blueprint("admin", url_prefix="/admin"), salt="admin-session")

    async def feed(request: Request, ws: Any) -> None:
        user = request.ctx.session.get("user", "nobody")
        request.app.ctx.seen.append(user)
        await ws.send(f"hello {user}")

    async def write(request: Request, ws: Any) -> None:
        request.ctx.session["user"] = "changed in a websocket"
        await ws.send("changed")

    app.add_websocket_route(feed, "/feed")
    app.add_websocket_route(write, "/write")
    admin.add_websocket_route(feed, "/feed")
    app.blueprint(admin)
    return app


def open_socket(app: Sanic, mode: str, path: str, cookie: str) -> list[str]:
    """Open a websocket with ``cookie``; the Set-Cookie headers of the
    handshake's response (over HTTP; the ASGI client shows none)."""
    if mode == "asgi":

        async def go() -> None:
            # sanic-testing's ASGI websocket skips the start-up listeners
            # (an ASGI server's lifespan runs them): one HTTP request does.
            await app.asgi_client.get("/")
            await app.asgi_client.websocket(path, headers={"cookie": cookie})

        asyncio.run(go())
        return []
    handshake: list[str] = []

    async def client(ws: Any) -> None:
        handshake.extend(ws.response_headers.get_all("Set-Cookie"))
        await ws.recv()  # the handler's message
        await ws.recv()  # the handler returns: the server closes

    # The test client keeps the port it first picked; the server side of the
    # last websocket may still hold it (TIME_WAIT): take a fresh one.
    app.test_client.port = None
    _, proxy = app.test_client.websocket(path, extra_headers={"cookie": cookie}, mimic=client)
    assert len(proxy.client_received) == 1
    assert proxy.client_received[0].startswith(("hello", "changed"))
    return handshake


def test_a_websocket_handler_reads_the_session_of_its_namespace(front: str, mode: str) -> None:
    app = websocket_app(front)
    cookie = "; ".join(
        [
            session_cookie(app, {"user": "ann"}),
            session_cookie(app, {"user": "root"}, blueprint="admin"),
        ]
    )
    open_socket(app, mode, "/feed", cookie)
    open_socket(app, mode, "/admin/feed", cookie)
    assert app.ctx.seen == ["ann", "root"]


def test_a_change_made_in_a_websocket_handler_is_not_sent(front: str) -> None:
    app = websocket_app(front)
    assert open_socket(app, "http", "/write", session_cookie(app, {"user": "ann"})) == []
    assert open_socket(app, "http", "/feed", session_cookie(app, {"user": "ann"})) == []
    assert app.ctx.seen == ["ann"]


def test_a_change_made_in_a_websocket_handler_is_logged_once_per_route(front: str) -> None:
    app = websocket_app(front)
    cookie = session_cookie(app, {"user": "ann"})
    with package_log() as records:
        open_socket(app, "http", "/write", cookie)
        open_socket(app, "http", "/write", cookie)
    warnings = [r for r in records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "write" in warnings[0].getMessage()


# -- what Sanic Extensions adds to every request ---------------------------------------


def routing_after(app: Sanic) -> list[Any]:
    """Handlers of ``http.routing.after``: with one, Sanic dispatches that
    signal on every request."""
    routes = app.signal_router.routes
    return [route.handler for route in routes if route.name == "http.routing.after"]


def cors_middleware(app: Sanic) -> list[Any]:
    names = [getattr(getattr(m, "func", m), "__name__", "") for m in app.response_middleware]
    return [name for name in names if name == "_add_cors_headers"]


def counting_app(name: str) -> Sanic:
    app = Sanic(unique_name(name))
    app.config.SESSION_COOKIE_SECRET_KEY = KEY

    @app.get("/")
    async def count(request: Request) -> HTTPResponse:
        session = request.ctx.session
        session["counter"] = session.get("counter", 0) + 1
        return response.text(str(session["counter"]))

    @app.get("/injected")
    async def injected(request: Request, session: Session) -> HTTPResponse:
        return response.text(str(session.get("counter", 0)))

    return app


def counts(client: Client) -> None:
    assert [client.get("/").text for _ in range(2)] == ["1", "2"]


@needs_ext
def test_sanic_extensions_adds_a_signal_and_a_middleware_to_every_app(mode: str) -> None:
    from sanic_cookiesession import CookieSession

    bare = Sanic(unique_name("Bare"))

    @bare.get("/")
    async def index(request: Request) -> HTTPResponse:
        return response.text("bare")

    extended = counting_app("Extended")
    extended.extend(extensions=[CookieSession])
    auto = counting_app("AutoExtended")
    sanic_cookiesession.setup(auto)
    for app in (bare, extended, auto):
        Client(app, mode).get("/")
        assert [h.__name__ for h in routing_after(app)] == ["inject_kwargs"]
        assert cors_middleware(app) == ["_add_cors_headers"]
    assert Client(extended, mode).get("/injected").text == "0"


@needs_ext
@pytest.mark.parametrize("how", ["config before extend", "extend(config=...)", "setup"])
def test_cors_false_removes_only_the_cors_middleware(how: str, mode: str) -> None:
    from sanic_cookiesession import CookieSession

    app = counting_app("CorsOff")
    if how == "config before extend":
        app.config.CORS = False
        app.extend(extensions=[CookieSession])
    elif how == "extend(config=...)":
        app.extend(extensions=[CookieSession], config={"cors": False})
    else:
        sanic_cookiesession.setup(app)
        app.config.CORS = False  # read when the server starts
    client = Client(app, mode)
    counts(client)
    assert cors_middleware(app) == []
    assert routing_after(app)  # injection stays...
    assert client.get("/injected").text == "2"
    assert client.request("head", "/").status == 200  # ...and the automatic HEAD
    assert client.request("options", "/").status == 204  # and OPTIONS
    assert client.get("/docs/openapi.json", use_jar=False).status == 200


@needs_ext
def test_cors_false_set_after_extend_changes_nothing() -> None:
    from sanic_cookiesession import CookieSession

    app = counting_app("CorsTooLate")
    app.extend(extensions=[CookieSession])
    app.config.CORS = False
    Client(app, "asgi").get("/")
    assert cors_middleware(app) == ["_add_cors_headers"]


@needs_ext
def test_without_built_in_extensions_only_the_session_extension_runs(mode: str) -> None:
    from sanic_cookiesession import CookieSession

    app = counting_app("SessionsOnly")
    app.extend(extensions=[CookieSession], built_in_extensions=False)
    client = Client(app, mode)
    counts(client)
    assert [extension.name for extension in app.ext.extensions] == ["CookieSession"]
    assert routing_after(app) == []
    assert cors_middleware(app) == []
    assert client.get("/injected").status == 500  # no injection
    assert client.get("/docs/openapi.json").status == 404  # no OpenAPI
    assert client.request("head", "/").status == 405  # no automatic HEAD
    assert client.request("options", "/").status == 405  # nor OPTIONS
    with pytest.raises(AttributeError):
        app.ext.template("page.html")  # no templating


@pytest.mark.parametrize("how", ["AUTO_EXTEND = False", "sanic-ext not installed"])
def test_setup_without_sanic_extensions_keeps_sessions(
    how: str, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = counting_app("PlainSessions")
    if how == "AUTO_EXTEND = False":
        app.config.AUTO_EXTEND = False
    else:
        monkeypatch.setitem(sys.modules, "sanic_ext", None)  # import fails
    sanic_cookiesession.setup(app)
    client = Client(app, mode)
    counts(client)
    assert not hasattr(app, "_ext")
    assert routing_after(app) == []
    assert cors_middleware(app) == []
    assert client.request("head", "/").status == 405


# -- namespaces in a real app: the page's example, through both clients -----------------


@pytest.fixture
def guarded_shop(monkeypatch: pytest.MonkeyPatch) -> Sanic:
    monkeypatch.setattr(Sanic, "test_mode", True)  # the docs test runs it too
    (block,) = [b for b in python_blocks(PAGE) if 'Sanic("GuardedShop")' in b.code]
    namespace: dict[str, Any] = {"__name__": "guarded_shop"}
    exec(compile(block.code, block.id, "exec"), namespace)
    app = namespace["app"]
    assert isinstance(app, Sanic)
    return app


def test_a_global_guard_reads_the_namespace_session_on_its_routes(
    guarded_shop: Sanic, mode: str
) -> None:
    client = Client(guarded_shop, mode)
    assert client.get("/").status == 401
    assert client.post("/login").text == "welcome"
    assert client.get("/").status == 200
    # The shop's cookie is sent, but the guard reads the admin session here.
    assert client.get("/admin/").status == 401
    assert client.post("/admin/login").text == "welcome, admin"
    assert client.get("/admin/").status == 200
    assert sorted(client.jar) == ["_session", "_session_admin"]
    assert client.get("/nowhere").status == 404  # no route: the guard lets it pass


def test_a_message_flashed_on_a_namespaced_route_stays_in_its_cookie(
    guarded_shop: Sanic, mode: str
) -> None:
    client = Client(guarded_shop, mode)
    client.post("/login")
    client.post("/admin/login")
    saved = client.post("/admin/settings", allow_redirects=False)
    assert saved.status == 303
    assert list(saved.cookies) == ["_session_admin"]  # the shop's cookie untouched
    assert client.get("/").json() == []  # not in the shop's session
    assert client.get("/admin/").json() == ["Settings saved."]
    assert client.get("/admin/").json() == []


def test_a_namespace_with_a_path_sends_its_cookie_to_its_pages_only(
    guarded_shop: Sanic, mode: str
) -> None:
    client = Client(guarded_shop, mode)
    assert client.post("/login").cookie("_session")["path"] == "/"
    assert client.post("/admin/login").cookie("_session_admin")["path"] == "/admin"


def namespaced_app(front: str, **options: Any) -> Sanic:
    app = Sanic(unique_name("Prefixed"))
    app.config.SESSION_COOKIE_SECRET_KEY = KEY
    app.config.SESSION_COOKIE_HOST_PREFIX = True
    install(app, front)
    admin = session_namespace(
        Blueprint("admin", url_prefix="/admin"), salt="admin-session", path="/admin", **options
    )

    @admin.post("/login")
    async def admin_login(request: Request) -> HTTPResponse:
        request.ctx.session["user"] = "root"
        return response.text("ok")

    app.blueprint(admin)
    return app


def test_a_namespace_path_needs_the_host_prefix_off(
    front: str, client_for: Callable[[Sanic], Client]
) -> None:
    error = startup_error(namespaced_app(front))
    assert isinstance(error, sanic_cookiesession.ConfigError)
    assert "session_namespace('admin') path" in str(error)

    app = namespaced_app(front, host_prefix=False)
    cookie = client_for(app).post("/admin/login").cookie("_session_admin")
    assert (cookie["path"], bool(cookie["secure"])) == ("/admin", True)


# -- the page itself ---------------------------------------------------------------------


def test_the_page_is_in_the_docs_and_the_readme() -> None:
    index = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    assert "\ndeploying\n" in index.split("caption: Running it", 1)[1].split("```", 1)[0]
    assert "/en/latest/deploying.html)" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_page_shows_the_example_the_servers_run_and_links_its_sections() -> None:
    page = PAGE.read_text(encoding="utf-8")
    assert "```{literalinclude} ../examples/deploy_app.py" in page
    assert (EXAMPLES / "deploy_app.py").is_file()
    assert '{doc}`security`, section "Sibling\nsubdomains and cookie tossing"' in page
    assert '{doc}`how-it-works`, section "Websockets"' in page


def test_the_asgi_servers_are_in_the_test_environment() -> None:
    tox = (ROOT / "tox.ini").read_text(encoding="utf-8")
    testenv = tox.split("[testenv]", 1)[1].split("\n[", 1)[0]
    deps = testenv.split("deps =", 1)[1].split("setenv", 1)[0]
    assert {"uvicorn", "hypercorn"} <= {line.strip().split(">")[0] for line in deps.splitlines()}
