"""Flash messages: stored in the session, shown once, then gone."""

from __future__ import annotations

import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from sanic import Request, Sanic, response

from sanic_cookiesession import flash, get_flashed_messages

from .conftest import COOKIE, Client, parse_set_cookie, read_token, token
from .servers import running


def add_routes(app: Sanic) -> Sanic:
    @app.post("/flash")
    async def add(request: Request) -> Any:
        for category, message in request.json:
            flash(request, message, category)
        return response.redirect("/")

    @app.get("/")
    async def show(request: Request) -> Any:
        return response.json(get_flashed_messages(request, with_categories=True))

    @app.get("/errors")
    async def errors(request: Request) -> Any:
        return response.json(get_flashed_messages(request, category_filter=["error"]))

    @app.get("/twice")
    async def twice(request: Request) -> Any:
        first = get_flashed_messages(request)
        return response.json([first, get_flashed_messages(request)])

    return app


def post_flashes(client: Client, pairs: list[list[str]]) -> Any:
    return client.post("/flash", json=pairs, allow_redirects=False)


@pytest.fixture
def client(make_app: Any, client_for: Any) -> Client:
    return client_for(add_routes(make_app()))


def test_flashed_messages_show_once_in_order(client: Client) -> None:
    flashed = post_flashes(client, [["message", "Saved."], ["error", "Oops."]])
    assert flashed.status == 302
    assert read_token(flashed.cookie().value) == {
        "_flashes": [["message", "Saved."], ["error", "Oops."]]
    }
    assert client.get("/").json() == [["message", "Saved."], ["error", "Oops."]]
    assert client.get("/").json() == []


def test_reading_the_last_messages_deletes_the_cookie(client: Client) -> None:
    post_flashes(client, [["message", "Saved."]])
    shown = client.get("/")
    assert shown.cookie()["max-age"] == "0"
    assert client.jar == {}


def test_messages_without_categories_are_plain_strings(make_app: Any, client_for: Any) -> None:
    app = make_app()

    @app.get("/")
    async def index(request: Request) -> Any:
        return response.json(get_flashed_messages(request))

    cookie = token({"_flashes": [["info", "Hello."], ["message", "Bye."]]})
    assert client_for(app).get("/", cookies={COOKIE: cookie}).json() == ["Hello.", "Bye."]


def test_category_filter_returns_only_those_and_consumes_all(client: Client) -> None:
    post_flashes(client, [["message", "Saved."], ["error", "Oops."]])
    assert client.get("/errors").json() == ["Oops."]
    assert client.get("/").json() == []


def test_every_call_in_a_request_sees_the_same_messages(client: Client) -> None:
    post_flashes(client, [["message", "Saved."]])
    assert client.get("/twice").json() == [["Saved."], ["Saved."]]


def test_flash_keeps_the_rest_of_the_session(client: Client) -> None:
    client.jar[COOKIE] = token({"user": "ann"})
    post_flashes(client, [["message", "Hi."]])
    shown = client.get("/")
    assert shown.json() == [["message", "Hi."]]
    assert read_token(shown.cookie().value) == {"user": "ann"}


def test_no_messages_writes_no_cookie(client: Client) -> None:
    result = client.get("/")
    assert result.json() == []
    assert result.set_cookie_headers == []


def test_malformed_stored_messages_are_skipped(client: Client) -> None:
    stored = [["error", "kept"], "junk", ["too", "many", "parts"], [1, "not a category"]]
    client.jar[COOKIE] = token({"_flashes": stored})
    assert client.get("/").json() == [["error", "kept"]]


def test_flash_example_shows_each_message_once_after_the_redirect(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parent.parent / "examples" / "flash_messages.py"
    with running(cmd=[sys.executable, str(example)], cwd=tmp_path) as server:
        jar: dict[str, str] = {}

        def fetch(path: str, form: dict[str, str] | None = None) -> tuple[int, str]:
            data = urllib.parse.urlencode(form).encode() if form is not None else None
            request = urllib.request.Request(server.url + path, data=data)
            if jar:
                request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in jar.items()))
            try:
                resp = urllib.request.build_opener(_NoRedirect).open(request, timeout=10)
            except urllib.error.HTTPError as exc:  # the 303 lands here
                resp = exc
            for name, morsel in parse_set_cookie(resp.headers.get_all("Set-Cookie") or []).items():
                if morsel["max-age"] == "0":
                    jar.pop(name, None)
                else:
                    jar[name] = morsel.value
            return resp.status, resp.read().decode()

        assert fetch("/subscribe", {"email": "nobody"})[0] == 303
        status, page = fetch("/")
        assert status == 200
        assert '<li class="error">Please enter an email address.</li>' in page
        assert "<li" not in fetch("/")[1]  # shown once
        assert jar == {}  # nothing left in the session: cookie deleted

        assert fetch("/subscribe", {"email": "ann@example.com"})[0] == 303
        assert '<li class="info">Subscribed ann@example.com.</li>' in fetch("/")[1]
        assert "<li" not in fetch("/")[1]
        assert list(jar) == [COOKIE]  # the email stays in the session


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def test_flash_works_with_a_custom_session_type(make_app: Any, client_for: Any) -> None:
    class Bag(dict[str, Any]):
        pass

    app = add_routes(make_app(options={"session_type": Bag}))
    client: Client = client_for(app)
    post_flashes(client, [["info", "Hi."]])
    assert client.get("/").json() == [["info", "Hi."]]
    assert client.get("/").json() == []
