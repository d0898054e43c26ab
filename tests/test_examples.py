"""Each example runs as a user would run it, and counts up and down."""

from __future__ import annotations

import json
import sys
import urllib.request
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

from .conftest import HAVE_EXT
from .servers import running

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class Browser:
    """Follows the example's links by hand, keeping cookies like curl -c/-b."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar: dict[str, str] = {}
        self.opener = urllib.request.build_opener(_NoRedirect)

    def get(self, path: str, method: str = "GET") -> tuple[int, str]:
        request = urllib.request.Request(self.base + path, method=method)
        if self.jar:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.jar.items()))
        try:
            resp = self.opener.open(request, timeout=10)
        except urllib.error.HTTPError as exc:  # 302 lands here without a handler
            resp = exc
        for header in resp.headers.get_all("Set-Cookie") or []:
            cookie: SimpleCookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0":
                    self.jar.pop(name, None)
                else:
                    self.jar[name] = morsel.value
        return resp.status, resp.read().decode()

    def counter(self) -> str:
        status, body = self.get("/")
        assert status == 200
        return body.split('<span id="counter">')[1].split("</span>")[0]


@pytest.mark.parametrize(
    "example",
    [
        pytest.param("counter.py", marks=pytest.mark.skipif(not HAVE_EXT, reason="needs [ext]")),
        "legacy_setup.py",
    ],
)
def test_example_counts_up_and_down(example: str, tmp_path: Path) -> None:
    cmd = [sys.executable, str(EXAMPLES / example)]
    with running(cmd=cmd, cwd=tmp_path) as server:
        browser = Browser(server.url)
        assert browser.counter() == "0"
        assert browser.jar == {}  # no cookie for a visitor who has none
        for _ in range(3):
            assert browser.get("/inc")[0] == 302
        browser.get("/dec")
        assert browser.counter() == "2"
        cookie_line = [line for line in server.log().splitlines() if "WARNING" in line]
        assert any("development secret" in line for line in cookie_line)
        browser.get("/reset")
        assert browser.jar == {}
        assert browser.counter() == "0"


def test_example_uses_secret_from_environment(tmp_path: Path) -> None:
    cmd = [sys.executable, str(EXAMPLES / "legacy_setup.py")]
    env = {"SANIC_SESSION_COOKIE_SECRET_KEY": "an-environment-secret-0123456789-abcdef"}
    with running(cmd=cmd, cwd=tmp_path, env=env) as server:
        browser = Browser(server.url)
        browser.get("/inc")
        from itsdangerous import URLSafeTimedSerializer

        value = browser.jar["_session"]
        assert URLSafeTimedSerializer(env["SANIC_SESSION_COOKIE_SECRET_KEY"],
                                      salt="cookie-session").loads(value) == {"counter": 1}
        assert "development secret" not in server.log()


@pytest.mark.skipif(not HAVE_EXT, reason="needs [ext]")
def test_extend_example_injects_the_session_and_documents_its_cookies(tmp_path: Path) -> None:
    cmd = [sys.executable, str(EXAMPLES / "extend_app.py")]
    with running(cmd=cmd, cwd=tmp_path) as server:
        browser = Browser(server.url)
        assert browser.get("/me") == (401, '{"error":"log in first"}')
        assert browser.get("/login/ann", method="POST") == (200, '{"user":"ann"}')
        assert list(browser.jar) == ["_session"]
        assert browser.get("/me") == (200, '{"user":"ann"}')
        assert browser.get("/admin/") == (200, '{"visits":1}')
        assert browser.get("/admin/") == (200, '{"visits":2}')
        assert sorted(browser.jar) == ["_session", "_session_admin"]
        assert browser.get("/me") == (200, '{"user":"ann"}')  # untouched by the admin pages
        browser.get("/logout", method="POST")
        assert list(browser.jar) == ["_session_admin"]
        assert browser.get("/me")[0] == 401

        status, body = browser.get("/docs/openapi.json")
        assert status == 200
        document = json.loads(body)
        schemes = document["components"]["securitySchemes"]
        assert {name: (s["type"], s["in"], s["name"]) for name, s in schemes.items()} == {
            "session": ("apiKey", "cookie", "_session"),
            "session_admin": ("apiKey", "cookie", "_session_admin"),
        }
        assert document["paths"]["/me"]["get"]["security"] == [{"session": []}]
        assert document["paths"]["/admin"]["get"]["security"] == [{"session_admin": []}]
        assert "security" not in document["paths"]["/login/{user}"]["post"]
        for page in ("/docs/redoc", "/docs/swagger"):
            assert browser.get(page)[0] == 200
