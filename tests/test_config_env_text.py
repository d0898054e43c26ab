"""Keys that hold text take values Sanic cast from the environment
(``SANIC_SESSION_COOKIE_SALT=2024`` arrives as the int ``2024``) as the
variable's own text; keys that hold numbers or booleans keep their checks."""

from __future__ import annotations

from typing import Any

import pytest
from sanic import Request, Sanic, response

from sanic_cookiesession import ConfigError, Settings

from .conftest import Client, install, read_token, startup_error, token, unique_name

TEXT_KEYS = [
    ("SESSION_COOKIE_SALT", "2024", "salt"),
    ("SESSION_COOKIE_SALT", "007", "salt"),
    ("SESSION_COOKIE_SALT", "1.50", "salt"),
    ("SESSION_COOKIE_SALT", "yes", "salt"),
    ("SESSION_COOKIE_NAME", "1234", "cookie_name"),
    ("SESSION_COOKIE_DOMAIN", "12345", "domain"),
    ("SESSION_COOKIE_SALT", "nan", "salt"),  # a float that is not equal to itself
]


def env_config(monkeypatch: pytest.MonkeyPatch, **env: str) -> Any:
    for key, value in env.items():
        monkeypatch.setenv(f"SANIC_{key}", value)
    app = Sanic(unique_name())  # Sanic loads (and casts) SANIC_* here
    app.config.SESSION_COOKIE_SECRET_KEY = "s" * 40
    return app.config


@pytest.mark.parametrize(("key", "raw", "field"), TEXT_KEYS)
def test_text_keys_read_a_cast_value_as_the_variables_text(
    monkeypatch: pytest.MonkeyPatch, key: str, raw: str, field: str
) -> None:
    config = env_config(monkeypatch, **{key: raw})
    assert not isinstance(config[key], str)  # what Sanic made of it
    assert getattr(Settings.from_config(config), field) == raw


def test_a_number_set_in_code_is_still_refused_naming_the_key() -> None:
    # Only what Sanic cast from the environment is read back as text.
    with pytest.raises(ConfigError) as info:
        Settings.from_config({"SECRET_KEY": "s" * 40, "SESSION_COOKIE_SALT": 2024})
    assert info.value.key == "SESSION_COOKIE_SALT"


def test_a_numeric_secret_from_the_environment_signs_with_its_text(
    monkeypatch: pytest.MonkeyPatch, front: str, client_for: Any
) -> None:
    secret = "1234567890" * 4
    monkeypatch.setenv("SANIC_SESSION_COOKIE_SECRET_KEY", secret)
    monkeypatch.setenv("SANIC_SESSION_COOKIE_SALT", "2024")
    app = Sanic(unique_name())
    assert isinstance(app.config.SESSION_COOKIE_SECRET_KEY, int)
    install(app, front)

    @app.get("/")
    async def index(request: Request) -> Any:
        request.ctx.session["n"] = request.ctx.session.get("n", 0) + 1
        return response.text(str(request.ctx.session["n"]))

    client: Client = client_for(app)
    client.jar["_session"] = token({"n": 41}, secret=secret, salt="2024")
    result = client.get("/")
    assert result.text == "42"
    assert read_token(result.cookie().value, secret=secret, salt="2024") == {"n": 42}


@pytest.mark.parametrize("key", ["SESSION_COOKIE_SECRET_KEY_FALLBACKS", "SECRET_KEY_FALLBACKS"])
def test_a_numeric_fallback_key_from_the_environment_verifies_with_its_text(
    monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    # A numeric secret rotated into the fallbacks: one key, cast to an int.
    old = "1234567890" * 4
    config = env_config(monkeypatch, **{key: old})
    assert isinstance(config[key], int)
    assert Settings.from_config(config).secret_key_fallbacks == (old,)


@pytest.mark.parametrize(
    ("key", "raw"),
    [
        ("SESSION_NAME", "2024"),  # text, but not a Python identifier
        ("SESSION_COOKIE_PATH", "2024"),  # text, but not a path
        ("SESSION_COOKIE_MAX_AGE", "0"),  # a number, below its minimum
        ("SESSION_COOKIE_SECURE", "2"),  # a boolean
    ],
)
def test_other_values_are_still_refused_naming_the_key(
    monkeypatch: pytest.MonkeyPatch, make_app: Any, key: str, raw: str
) -> None:
    monkeypatch.setenv(f"SANIC_{key}", raw)
    error = startup_error(make_app())
    assert isinstance(error, ConfigError)
    assert error.key == key
