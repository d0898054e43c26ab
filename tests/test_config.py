"""Config keys: 0.3.x names and defaults, validation at startup."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from sanic import Request, Sanic, response

import sanic_cookiesession
from sanic_cookiesession import ConfigError, Settings, WeakSecretWarning

from .conftest import SECRET, install, read_token, startup_error, unique_name

LEGACY = {
    "SESSION_COOKIE_NAME": "_session",
    "SESSION_COOKIE_DOMAIN": None,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_MAX_AGE": 86400,
    "SESSION_COOKIE_SALT": "cookie-session",
    "SESSION_COOKIE_SECURE": True,
    "SESSION_NAME": "session",
}


def test_setup_writes_0_3_defaults_into_config() -> None:
    app = Sanic(unique_name())
    app.config.SECRET_KEY = SECRET
    app.config.SESSION_COOKIE_NAME = "mine"
    sanic_cookiesession.setup(app)
    for key, value in LEGACY.items():
        expected = "mine" if key == "SESSION_COOKIE_NAME" else value
        assert app.config[key] == expected, key


@pytest.mark.parametrize("secret", [None, ""])
def test_setup_without_secret_raises_runtime_error_at_once(secret: str | None) -> None:
    app = Sanic(unique_name())
    if secret is not None:
        app.config.SESSION_COOKIE_SECRET_KEY = secret
    with pytest.raises(RuntimeError, match="SESSION_COOKIE_SECRET_KEY or SECRET_KEY"):
        sanic_cookiesession.setup(app)


@pytest.mark.parametrize("secret", [None, "", "none"])
def test_missing_secret_error_names_the_variable_and_the_genkey_command(
    front: str, secret: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SANIC_SESSION_COOKIE_SECRET_KEY", raising=False)
    monkeypatch.delenv("SANIC_SECRET_KEY", raising=False)
    app = Sanic(unique_name())
    if secret is not None:
        app.config.SESSION_COOKIE_SECRET_KEY = secret
    try:
        install(app, front)
    except RuntimeError as exc:  # setup(): at once, as in 0.3.x
        error: Exception = exc
    else:  # the extension (and setup() given "none"): when the server starts
        error = startup_error(app)
    assert isinstance(error, RuntimeError)
    assert "SANIC_SESSION_COOKIE_SECRET_KEY" in str(error)
    assert "python -m sanic_cookiesession genkey" in str(error)


def test_empty_session_secret_falls_back_to_secret_key() -> None:
    settings = Settings.from_config({"SESSION_COOKIE_SECRET_KEY": "", "SECRET_KEY": SECRET})
    assert settings.secret_key == SECRET


def test_defaults_include_new_keys() -> None:
    s = Settings.from_config({"SECRET_KEY": SECRET})
    assert (s.cookie_name, s.domain, s.httponly, s.max_age, s.salt, s.secure) == (
        "_session", None, True, 86400, "cookie-session", True,
    )
    assert s.session_name == "session"
    assert s.refresh_each_request is True
    assert (s.samesite, s.path, s.partitioned, s.host_prefix) == ("Lax", "/", False, False)
    assert (s.max_size, s.absolute_lifetime, s.encrypt) == (4093, None, False)


BAD_VALUES = [
    ("SESSION_COOKIE_NAME", "has space"),
    ("SESSION_COOKIE_NAME", ""),
    ("SESSION_COOKIE_DOMAIN", 42),
    ("SESSION_COOKIE_HTTPONLY", "maybe"),
    ("SESSION_COOKIE_MAX_AGE", "abc"),
    ("SESSION_COOKIE_MAX_AGE", 0),
    ("SESSION_COOKIE_MAX_AGE", -5),
    ("SESSION_COOKIE_MAX_AGE", True),
    ("SESSION_COOKIE_SALT", ""),
    ("SESSION_COOKIE_SALT", 5),
    ("SESSION_COOKIE_SECURE", 2),
    ("SESSION_NAME", "not an identifier"),
    ("SESSION_REFRESH_EACH_REQUEST", None),
    ("SESSION_COOKIE_SAMESITE", "sometimes"),
    ("SESSION_COOKIE_PATH", "no-slash"),
    ("SESSION_COOKIE_MAX_SIZE", 10),
    ("SESSION_COOKIE_MAX_SIZE", 100_000),
    ("SESSION_ABSOLUTE_LIFETIME", -1),
    ("SESSION_COOKIE_ENCRYPT", "perhaps"),
    ("SESSION_COOKIE_SECRET_KEY_FALLBACKS", 42),
    ("SESSION_COOKIE_SECRET_KEY_FALLBACKS", ["ok", ""]),
    ("SESSION_COOKIE_SECRET_KEY", 12345),
]


@pytest.mark.parametrize(("key", "value"), BAD_VALUES)
def test_bad_value_names_the_key(key: str, value: Any) -> None:
    with pytest.raises(ConfigError) as info:
        Settings.from_config({"SECRET_KEY": SECRET, key: value})
    assert info.value.key == key
    assert str(info.value).startswith(f"{key}: expected ")


def test_error_never_shows_a_secret() -> None:
    with pytest.raises(ConfigError) as info:
        Settings.from_config({"SECRET_KEY": SECRET, "SECRET_KEY_FALLBACKS": 3.5})
    assert SECRET not in str(info.value)
    error = ConfigError("SESSION_COOKIE_SECRET_KEY", "x", "hunter2-secret")
    assert "hunter2" not in str(error)


@pytest.mark.parametrize(
    ("key", "raw", "expected"),
    [
        ("SESSION_COOKIE_SECURE", "false", False),
        ("SESSION_COOKIE_HTTPONLY", "1", True),
        ("SESSION_COOKIE_MAX_AGE", "3600", 3600),
        ("SESSION_COOKIE_MAX_AGE", "none", None),
        ("SESSION_COOKIE_SAMESITE", "strict", "Strict"),
        ("SESSION_COOKIE_SECRET_KEY_FALLBACKS", "old-one, old-two", ("old-one", "old-two")),
    ],
)
def test_string_values_from_environment_are_understood(key: str, raw: str, expected: Any) -> None:
    settings = Settings.from_config({"SECRET_KEY": SECRET, key: raw})
    field = {
        "SESSION_COOKIE_SECURE": "secure",
        "SESSION_COOKIE_HTTPONLY": "httponly",
        "SESSION_COOKIE_MAX_AGE": "max_age",
        "SESSION_COOKIE_SAMESITE": "samesite",
        "SESSION_COOKIE_SECRET_KEY_FALLBACKS": "secret_key_fallbacks",
    }[key]
    assert getattr(settings, field) == expected


def test_sanic_prefixed_environment_variables_configure_the_session(
    front: str, client_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANIC_SESSION_COOKIE_SECRET_KEY", SECRET)
    monkeypatch.setenv("SANIC_SESSION_COOKIE_SECURE", "false")
    monkeypatch.setenv("SANIC_SESSION_COOKIE_MAX_AGE", "120")
    monkeypatch.setenv("SANIC_SESSION_COOKIE_NAME", "envsid")
    app = Sanic(unique_name())
    install(app, front)

    @app.get("/")
    async def index(request: Request) -> Any:
        request.ctx.session["env"] = True
        return response.text("ok")

    morsel = client_for(app).get("/").cookie("envsid")
    assert read_token(morsel.value) == {"env": True}
    assert morsel["secure"] == ""
    assert morsel["max-age"] == "120"


def test_bad_config_fails_startup_with_test_client(front: str) -> None:
    app = Sanic(unique_name())
    app.config.SECRET_KEY = SECRET
    install(app, front)
    app.config.SESSION_COOKIE_SAMESITE = "sometimes"

    @app.get("/")
    async def index(request: Request) -> Any:
        return response.text("ok")

    error = startup_error(app)
    assert isinstance(error, ConfigError)
    assert error.key == "SESSION_COOKIE_SAMESITE"


def test_bad_config_stops_a_real_server_naming_the_key(tmp_path: Path) -> None:
    (tmp_path / "badapp.py").write_text(
        textwrap.dedent(
            f"""
            from sanic import Sanic, response
            import sanic_cookiesession

            app = Sanic("BadConfig")
            app.config.SECRET_KEY = {SECRET!r}
            app.config.SESSION_COOKIE_MAX_AGE = "one day"
            sanic_cookiesession.setup(app)

            @app.get("/")
            async def index(request):
                return response.text("ok")
            """
        )
    )
    proc = subprocess.run(
        [sys.executable, "-m", "sanic", "badapp:app", "--single-process",
         "--host", "127.0.0.1", "--port", "0"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
    )
    assert proc.returncode != 0
    assert "SESSION_COOKIE_MAX_AGE: expected None or an integer >= 1" in proc.stderr + proc.stdout
    assert SECRET not in proc.stderr + proc.stdout


def test_short_secret_warns_with_advice(front: str) -> None:
    app = Sanic(unique_name())
    app.config.SECRET_KEY = "abcd"
    install(app, front)

    @app.get("/")
    async def index(request: Request) -> Any:
        return response.text("ok")

    with pytest.warns(WeakSecretWarning, match="genkey"):
        app.test_client.get("/")


def test_session_cookie_secret_key_wins_over_secret_key() -> None:
    settings = Settings.from_config({"SECRET_KEY": "a" * 40, "SESSION_COOKIE_SECRET_KEY": "b" * 40})
    assert settings.secret_key == "b" * 40
