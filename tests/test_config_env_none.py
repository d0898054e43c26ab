"""``none`` from the environment means "no value" in every key, as the
configuration page says, or is refused at startup naming the key.

Sanic loads ``SANIC_*`` variables into ``app.config`` and leaves ``none``
(any case) a plain string, so these tests set the variables for real and let
Sanic load them.
"""

from __future__ import annotations

from typing import Any

import pytest
from sanic import Request, Sanic, response

from sanic_cookiesession import ConfigError, Settings

from .conftest import SECRET, AppFactory, Client, startup_error, token

OLD_KEY = "an-older-key-0123456789abcdefghijklmnopq"


def env_app(
    monkeypatch: pytest.MonkeyPatch, make_app: AppFactory, **env: str
) -> Sanic:
    """An app built after ``SANIC_<key>=<value>`` was put in the environment."""
    for key, value in env.items():
        monkeypatch.setenv(f"SANIC_{key}", value)
    app = make_app()

    @app.get("/who")
    async def who(request: Request) -> Any:
        session = request.ctx.session
        session.setdefault("seen", True)
        return response.text(str(session.get("user", "nobody")))

    return app


@pytest.mark.parametrize("key", ["SESSION_COOKIE_SECRET_KEY_FALLBACKS", "SECRET_KEY_FALLBACKS"])
@pytest.mark.parametrize("word", ["none", "None", "NONE"])
def test_none_fallbacks_from_environment_verify_no_cookie_signed_with_none(
    monkeypatch: pytest.MonkeyPatch, make_app: AppFactory, client_for: Any, key: str, word: str
) -> None:
    app = env_app(monkeypatch, make_app, **{key: word})
    forged = token({"user": "mallory"}, secret=word)
    client: Client = client_for(app)
    assert client.get("/who", cookies={"_session": forged}).text == "nobody"


@pytest.mark.parametrize("key", ["SESSION_COOKIE_SECRET_KEY_FALLBACKS", "SECRET_KEY_FALLBACKS"])
def test_none_fallbacks_mean_no_fallback_keys(key: str) -> None:
    settings = Settings.from_config({"SESSION_COOKIE_SECRET_KEY": SECRET, key: "none"})
    assert settings.secret_key_fallbacks == ()


@pytest.mark.parametrize(
    "value", [f"{OLD_KEY},none", ["none"], [OLD_KEY, "None"], f"none, {OLD_KEY}"]
)
def test_fallback_list_containing_none_is_refused_naming_the_key(value: Any) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_config(
            {"SESSION_COOKIE_SECRET_KEY": SECRET, "SESSION_COOKIE_SECRET_KEY_FALLBACKS": value}
        )
    assert caught.value.key == "SESSION_COOKIE_SECRET_KEY_FALLBACKS"
    assert OLD_KEY not in str(caught.value)  # a key is never shown


def test_none_domain_from_environment_sends_a_host_only_cookie(
    monkeypatch: pytest.MonkeyPatch, make_app: AppFactory, client_for: Any
) -> None:
    app = env_app(monkeypatch, make_app, SESSION_COOKIE_DOMAIN="none")
    result = client_for(app).get("/who")
    assert result.cookie()["domain"] == ""
    assert all("domain=" not in header.lower() for header in result.set_cookie_headers)


@pytest.mark.parametrize(
    ("key", "field"),
    [
        ("SESSION_COOKIE_DOMAIN", "domain"),
        ("SESSION_COOKIE_MAX_AGE", "max_age"),
        ("SESSION_ABSOLUTE_LIFETIME", "absolute_lifetime"),
    ],
)
def test_optional_keys_read_none_as_no_value(key: str, field: str) -> None:
    settings = Settings.from_config({"SESSION_COOKIE_SECRET_KEY": SECRET, key: "None"})
    assert getattr(settings, field) is None


def test_none_secret_key_falls_back_to_secret_key() -> None:
    settings = Settings.from_config({"SESSION_COOKIE_SECRET_KEY": "none", "SECRET_KEY": SECRET})
    assert settings.secret_key == SECRET


def test_none_secret_everywhere_stops_the_server_naming_the_key(
    monkeypatch: pytest.MonkeyPatch, make_app: AppFactory
) -> None:
    app = env_app(monkeypatch, make_app, SECRET_KEY="none")
    app.config.SESSION_COOKIE_SECRET_KEY = "none"
    error = startup_error(app)
    assert isinstance(error, ConfigError)
    assert error.key == "SESSION_COOKIE_SECRET_KEY"


@pytest.mark.parametrize(
    "key",
    [
        "SESSION_COOKIE_NAME", "SESSION_COOKIE_SALT", "SESSION_NAME", "SESSION_COOKIE_PATH",
        "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_MAX_SIZE",
    ],
)
def test_required_keys_refuse_none_naming_the_key(
    monkeypatch: pytest.MonkeyPatch, make_app: AppFactory, key: str
) -> None:
    error = startup_error(env_app(monkeypatch, make_app, **{key: "none"}))
    assert isinstance(error, ConfigError)
    assert error.key == key
