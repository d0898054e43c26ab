"""SESSION_COOKIE_ENCRYPT: unreadable as well as tamper-proof."""

from __future__ import annotations

import base64
import subprocess
import sys
import textwrap
from typing import Any

import pytest
from sanic import Blueprint, Request, Sanic, response

from sanic_cookiesession import codec as codec_module
from sanic_cookiesession import session_namespace

from .conftest import COOKIE, SECRET, Client, install, unique_name

pytest.importorskip("cryptography")

from sanic_cookiesession.encryption import EncryptedCodec

OLD_KEY = "the-previous-secret-key-rotated-out-0123456789"
SECRET_TEXT = "card-4111-1111-1111-1111"


def add_routes(app: Sanic) -> Sanic:
    @app.get("/")
    async def show(request: Request) -> Any:
        return response.json(dict(request.ctx.session))

    @app.get("/store")
    async def store(request: Request) -> Any:
        request.ctx.session["secret"] = SECRET_TEXT
        return response.text("ok")

    return app


@pytest.fixture
def client(make_app: Any, client_for: Any) -> Client:
    return client_for(add_routes(make_app(SESSION_COOKIE_ENCRYPT=True)))


def _padded(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def test_payload_is_not_readable(client: Client) -> None:
    value = client.get("/store").cookie().value
    assert SECRET_TEXT not in value
    assert SECRET_TEXT.encode() not in _padded(value)
    assert b"secret" not in _padded(value)
    assert "=" not in value  # no padding: the value needs no quoting
    assert client.get("/").json() == {"secret": SECRET_TEXT}


@pytest.mark.parametrize("position", [0, 10, 40, -5])
def test_tampered_token_gives_an_empty_session(client: Client, position: int) -> None:
    value = client.get("/store").cookie().value
    chars = list(value)
    chars[position] = "A" if chars[position] != "A" else "B"
    assert client.get("/", cookies={COOKIE: "".join(chars)}, use_jar=False).json() == {}


def test_signed_only_cookie_is_not_accepted_when_encrypting(client: Client) -> None:
    from .conftest import token

    assert client.get("/", cookies={COOKIE: token({"a": 1})}, use_jar=False).json() == {}


def test_expiry_is_enforced_on_the_server(
    make_app: Any, client_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    client: Client = client_for(
        add_routes(make_app(SESSION_COOKIE_ENCRYPT=True, SESSION_COOKIE_MAX_AGE=100))
    )
    clock = [1_800_000_000]
    monkeypatch.setattr(codec_module, "now", lambda: clock[0])
    client.get("/store")
    clock[0] += 99
    assert client.get("/", use_jar=False, cookies=dict(client.jar)).json() != {}
    clock[0] += 2
    assert client.get("/", use_jar=False, cookies=dict(client.jar)).json() == {}


def test_rotation_with_fallback_key(front: str, client_for: Any) -> None:
    def app_with(secret: str, fallbacks: list[str] | None) -> Sanic:
        app = Sanic(unique_name())
        app.config.SESSION_COOKIE_SECRET_KEY = secret
        app.config.SESSION_COOKIE_ENCRYPT = True
        app.config.SESSION_REFRESH_EACH_REQUEST = False
        if fallbacks:
            app.config.SESSION_COOKIE_SECRET_KEY_FALLBACKS = fallbacks
        install(app, front)
        return add_routes(app)

    old: Client = client_for(app_with(OLD_KEY, None))
    old.get("/store")
    rotated: Client = client_for(app_with(SECRET, [OLD_KEY]))
    rotated.jar = dict(old.jar)
    result = rotated.get("/")
    assert result.json() == {"secret": SECRET_TEXT}
    assert result.cookie().value != old.jar[COOKIE]  # re-encrypted with the new key
    current: Client = client_for(app_with(SECRET, None))
    current.jar = dict(rotated.jar)
    assert current.get("/").json() == {"secret": SECRET_TEXT}
    assert current.get("/", cookies=dict(old.jar), use_jar=False).json() == {}


def test_namespaces_get_their_own_keys(make_app: Any, client_for: Any) -> None:
    app: Sanic = add_routes(make_app(SESSION_COOKIE_ENCRYPT=True))
    bp = Blueprint(unique_name("admin"), url_prefix="/admin")

    @bp.get("/")
    async def show(request: Request) -> Any:
        return response.json(dict(request.ctx.session))

    session_namespace(bp, salt="admin-salt", cookie_name="adm")
    app.blueprint(bp)
    client: Client = client_for(app)
    client.get("/store")
    replayed = client.get("/admin/", cookies={"adm": client.jar[COOKIE]}, use_jar=False)
    assert replayed.json() == {}


def test_codec_reasons() -> None:
    codec = EncryptedCodec(SECRET, salt="s", max_age=100)
    token = codec.sign({"a": 1}, codec.payload({"a": 1}))
    assert codec.loads(token).data == {"a": 1}
    assert codec.loads("x" * 5000).reason == "oversize"
    assert codec.loads("not base64 !").reason == "malformed"
    assert codec.loads(token[:-4] + "AAAA").reason == "bad_signature"
    assert codec.loads("caf\u00e9").reason == "malformed"


def test_encryption_without_the_extra_is_a_startup_error_naming_it() -> None:
    code = textwrap.dedent(
        f"""
        import asyncio, sys
        sys.modules["cryptography"] = None  # as if not installed
        from sanic import Sanic
        import sanic_cookiesession
        from sanic_cookiesession.engine import get_engine
        app = Sanic("NoCrypto")
        app.config.SECRET_KEY = {SECRET!r}
        app.config.SESSION_COOKIE_ENCRYPT = True
        sanic_cookiesession.setup(app)
        try:
            asyncio.run(get_engine(app).configure(app))
        except sanic_cookiesession.ConfigError as exc:
            print("ConfigError:", exc)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "ConfigError: SESSION_COOKIE_ENCRYPT" in out.stdout
    assert 'pip install "sanic-cookiesession[crypto]"' in out.stdout
