"""Every ```python block in README.md and docs/*.md runs, and does what the
text around it says.

Each block is executed on its own, in a fresh namespace. Then:

- ``test_*`` functions it defines are called (``async`` ones with
  ``asyncio.run``), as pytest would;
- every Sanic app it defines is driven, through both sanic-testing clients,
  by the check registered for the app's name in ``CHECKS`` below. A block
  that defines an app needs a check, unless it defines its own tests.

A block that cannot run on its own is preceded by a line
``<!-- no-test: why -->``; use it sparingly.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from itsdangerous import URLSafeTimedSerializer
from sanic import Request, Sanic, response

import sanic_cookiesession
from sanic_cookiesession.config import DEFAULTS

from .conftest import HAVE_EXT, Client

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
NO_TEST = re.compile(r"<!--\s*no-test:\s*(?P<why>\S.*?)\s*-->")


@dataclass(frozen=True)
class Block:
    path: Path
    line: int  # of the opening fence, 1-based
    code: str
    no_test: str | None  # the reason given, for a block marked no-test

    @property
    def id(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def python_blocks(path: Path) -> list[Block]:
    blocks: list[Block] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        if lines[index].strip() == "```python":
            start = index
            index += 1
            body: list[str] = []
            while lines[index].strip() != "```":
                body.append(lines[index])
                index += 1
            before = next((ln for ln in reversed(lines[:start]) if ln.strip()), "")
            marker = NO_TEST.search(before)
            blocks.append(
                Block(path, start + 1, "\n".join(body) + "\n", marker and marker["why"])
            )
        index += 1
    return blocks


ALL_BLOCKS = [block for page in PAGES for block in python_blocks(page)]
RUNNABLE = [block for block in ALL_BLOCKS if block.no_test is None]


@pytest.fixture(autouse=True)
def _apps_may_share_names(monkeypatch: pytest.MonkeyPatch) -> None:
    # Blocks run once per client mode, and pages reuse app names.
    monkeypatch.setattr(Sanic, "test_mode", True)


@pytest.fixture(autouse=True)
def _secret_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # The quick starts read the secret from the environment, as they tell
    # readers to; blocks that set one in code override it.
    monkeypatch.setenv("SANIC_SESSION_COOKIE_SECRET_KEY", SECRET_OF_EXAMPLES)


def run_block(block: Block) -> dict[str, Any]:
    if "CookieSession" in block.code and not HAVE_EXT:
        pytest.skip("needs sanic-ext")
    namespace: dict[str, Any] = {"__name__": f"docs_example_{block.line}"}
    exec(compile(block.code, block.id, "exec"), namespace)
    return namespace


def apps_in(namespace: dict[str, Any]) -> list[Sanic]:
    return [value for value in namespace.values() if isinstance(value, Sanic)]


def block_tests(namespace: dict[str, Any]) -> list[Callable[[], Any]]:
    return [
        value
        for name, value in namespace.items()
        if name.startswith("test_") and callable(value)
    ]


# -- the checks: what the text says each app does ---------------------------

Check = Callable[[Client], None]
SECRET_OF_EXAMPLES = "an-example-secret-key-0123456789abcdefghij"


def counts_up(client: Client) -> None:
    assert [client.get("/").text for _ in range(3)] == ["1", "2", "3"]
    assert client.get("/", use_jar=False).text == "1"  # a new visitor


def counts_visits(client: Client) -> None:
    assert client.get("/visits").text == "1 visits"
    assert client.get("/visits").text == "2 visits"


def how_it_works(client: Client) -> None:
    public = client.get("/public")
    assert public.set_cookie_headers == []
    assert "vary" not in public.headers
    login = client.post("/login")
    assert login.text == "logged in"
    assert "_session" in login.cookies
    me = client.get("/me")
    assert me.text == "ann"
    assert me.headers["vary"] == "Cookie"
    assert "_session" in me.cookies  # re-signed
    logout = client.post("/logout")
    assert logout.cookie()["max-age"] == "0"
    assert client.get("/me").text == "nobody"


def shop_with_admin(client: Client) -> None:
    assert client.get("/cart/add").json() == ["apple"]
    admin = client.get("/admin/login")
    assert admin.json() == {"admin": "ann"}
    assert list(admin.cookies) == ["_session_admin"]
    assert client.get("/cart/add").json() == ["apple", "apple"]


def streams_with_the_cookie(client: Client) -> None:
    @client.app.get("/late")
    async def late(request: Request) -> Any:
        stream = await request.respond(content_type="text/plain")
        request.ctx.session["too"] = "late"
        await stream.send("x")
        await stream.eof()

    result = client.get("/report")
    assert result.text == "a,b\n1,2\n"
    value = result.cookie().value
    assert URLSafeTimedSerializer(SECRET_OF_EXAMPLES, salt="cookie-session").loads(value) == {
        "downloaded": True
    }

    logger = logging.getLogger("sanic_cookiesession")
    handler = Collect(logging.WARNING)
    logger.addHandler(handler)
    try:
        late_result = client.get("/late", use_jar=False)
    finally:
        logger.removeHandler(handler)
    assert late_result.set_cookie_headers == []  # a change after respond() is lost
    assert any("save_session(request, response)" in m for m in handler.messages)  # a WARNING


class Collect(logging.Handler):
    """Keeps the messages logged (the server runs in this process in both modes)."""

    def __init__(self, level: int) -> None:
        super().__init__(level)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def flash_demo(client: Client) -> None:
    assert client.post("/profile", allow_redirects=False).status == 303
    assert client.get("/profile").json() == [
        ["message", "Profile saved."],
        ["warning", "Your email is not verified yet."],
    ]
    assert client.get("/profile").json() == []


def production_settings(client: Client) -> None:
    @client.app.get("/login")
    async def login(request: Request) -> Any:
        request.ctx.session["user"] = "ann"
        return response.text("ok")

    morsel = client.get("/login").cookie("__Host-_session")
    assert morsel["secure"]
    assert morsel["httponly"]
    assert morsel["samesite"] == "Lax"
    assert morsel["path"] == "/"
    assert morsel["max-age"] == str(8 * 3600)
    assert not morsel["domain"]


def rotating_keys(client: Client) -> None:
    @client.app.get("/who")
    async def who(request: Request) -> Any:
        return response.text(request.ctx.session.get("user", "nobody"))

    old = URLSafeTimedSerializer("the-old-key-0123456789abcdefghijklmnop", salt="cookie-session")
    new = URLSafeTimedSerializer(
        "the-new-key-from-genkey-0123456789abcdefghij", salt="cookie-session"
    )
    result = client.get("/who", cookies={"_session": old.dumps({"user": "ann"})})
    assert result.text == "ann"  # nobody is logged out
    assert new.loads(result.cookie().value) == {"user": "ann"}  # re-signed with the new key


def audits_forged_cookies(client: Client) -> None:
    @client.app.get("/touch")
    async def touch(request: Request) -> Any:
        return response.text(str(len(request.ctx.session)))

    forged = URLSafeTimedSerializer("not-the-key-0123456789abcdefghijklmn", salt="cookie-session")
    assert client.get("/touch", cookies={"_session": forged.dumps({"admin": True})}).text == "0"
    assert client.app.ctx.forged == 1


CHECKS: dict[str, Check] = {
    # README.md and docs/index.md
    "MyApp": counts_up,
    "MyLegacyApp": counts_up,
    "TypedApp": counts_visits,
    # docs/how-it-works.md, blueprints.md, streaming.md, flash.md
    "HowItWorks": how_it_works,
    "ShopWithAdmin": shop_with_admin,
    "StreamingReport": streams_with_the_cookie,
    "FlashDemo": flash_demo,
    # docs/security.md
    "Production": production_settings,
    "Rotating": rotating_keys,
    "Audit": audits_forged_cookies,
}


# -- the tests ----------------------------------------------------------------


@pytest.mark.parametrize("block", RUNNABLE, ids=[block.id for block in RUNNABLE])
def test_block_runs_and_its_tests_pass(block: Block) -> None:
    namespace = run_block(block)
    tests = block_tests(namespace)
    for test in tests:
        if inspect.iscoroutinefunction(test):
            asyncio.run(test())
        else:
            test()
    if not tests:
        for app in apps_in(namespace):
            assert app.name in CHECKS, (
                f"{block.id} defines app {app.name!r}: add a check of what the text "
                "says it does to CHECKS in tests/test_docs_examples.py"
            )


# Blocks with their own tests are checked by them (above).
APP_BLOCKS = [
    block
    for block in RUNNABLE
    if re.search(r"\bSanic\(", block.code)
    and not re.search(r"^(async )?def test_", block.code, re.M)
]


@pytest.mark.parametrize("block", APP_BLOCKS, ids=[block.id for block in APP_BLOCKS])
def test_block_app_behaves_as_the_text_says(block: Block, client_for: Any) -> None:
    namespace = run_block(block)
    apps = apps_in(namespace)
    assert apps, f"{block.id} mentions Sanic( but defines no app"
    for app in apps:
        assert app.name in CHECKS, f"{block.id}: nothing checks what {app.name!r} does"
        CHECKS[app.name](client_for(app))


def test_examples_are_found() -> None:
    pages = {block.path.name for block in RUNNABLE}
    assert {"README.md", "index.md", "testing.md", "flash.md", "streaming.md"} <= pages
    assert all(block.code.strip() for block in ALL_BLOCKS)
    testing_page = "".join(block.code for block in RUNNABLE if block.path.name == "testing.md")
    assert testing_page.count("\ndef test_") + testing_page.count("\nasync def test_") >= 5


def test_no_test_markers_are_rare_and_explained() -> None:
    marked = [block for block in ALL_BLOCKS if block.no_test is not None]
    assert len(marked) <= 3, [block.id for block in marked]
    assert all(len(block.no_test or "") >= 10 for block in marked)


def test_every_check_is_used() -> None:
    text = "".join(block.code for block in RUNNABLE)
    unused = [name for name in CHECKS if f'Sanic("{name}")' not in text]
    assert unused == []


# -- the reference pages cover everything --------------------------------------


def test_configuration_page_documents_every_key_with_its_default() -> None:
    page = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    heading = re.compile(r"^## (\S+)\n(.*?)(?=^## |\Z)", re.M | re.S)
    sections = {match[1]: match[2] for match in heading.finditer(page)}
    for key, default in DEFAULTS.items():
        assert key in sections, f"no section for {key}"
        shown = f'"{default}"' if isinstance(default, str) else repr(default)
        assert f"- default: `{shown}`" in sections[key], key
        since = "0.3" if key in sanic_cookiesession.config.LEGACY_DEFAULTS else "1.0"
        assert f"- since: {since}" in sections[key], key
        assert f"[`{key}`](#" in page, f"{key} missing from the summary table"
    for key in ("SESSION_COOKIE_SECRET_KEY", "SESSION_COOKIE_SECRET_KEY_FALLBACKS"):
        assert key in sections


def test_api_page_documents_every_public_name() -> None:
    page = (ROOT / "docs" / "api.rst").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\.\. auto\w+:: sanic_cookiesession\.(\w+)$", page, re.M))
    assert set(sanic_cookiesession.__all__) <= documented
    for module in ("testing", "cli"):
        assert f".. automodule:: sanic_cookiesession.{module}" in page

