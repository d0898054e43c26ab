"""Every key that verifies cookies is checked at startup: short fallback
keys and placeholder secrets copied from the docs warn like a short secret,
and no warning shows a key."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from sanic import Request, Sanic, response

from sanic_cookiesession import Settings, WeakSecretWarning

from .conftest import SECRET, Client, install, unique_name
from .test_docs_examples import RUNNABLE

QUICK_START_PLACEHOLDER = "change me: python -m sanic_cookiesession genkey"
SHORT_OLD_KEY = "old-but-short"


def weak_warnings(**config: Any) -> list[str]:
    """The WeakSecretWarning messages the startup check gives for ``config``."""
    settings = Settings.from_config({"SESSION_COOKIE_SECRET_KEY": SECRET, **config})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        settings.warn_weak_secret()
    return [str(w.message) for w in caught if issubclass(w.category, WeakSecretWarning)]


def test_strong_keys_give_no_warning() -> None:
    assert weak_warnings(SESSION_COOKIE_SECRET_KEY_FALLBACKS=["x" * 40]) == []


@pytest.mark.parametrize("key", ["SESSION_COOKIE_SECRET_KEY_FALLBACKS", "SECRET_KEY_FALLBACKS"])
def test_short_fallback_key_warns_without_showing_it(key: str) -> None:
    messages = weak_warnings(**{key: ["y" * 40, SHORT_OLD_KEY]})
    assert len(messages) == 1
    assert "fallback key number 2 (of 2)" in messages[0]
    assert "shorter than 32 bytes" in messages[0]
    assert SHORT_OLD_KEY not in messages[0]


def test_short_fallback_key_from_environment_string_warns() -> None:
    messages = weak_warnings(SESSION_COOKIE_SECRET_KEY_FALLBACKS=f"{SHORT_OLD_KEY},{'z' * 40}")
    assert len(messages) == 1
    assert "number 1 (of 2)" in messages[0]


@pytest.mark.parametrize(
    "placeholder",
    [
        QUICK_START_PLACEHOLDER,
        "replace-with-the-output-of-genkey-0123456789abcdef",
        "CHANGEME-CHANGEME-CHANGEME-CHANGEME-CHANGEME",
    ],
)
def test_placeholder_secret_warns_without_showing_it(placeholder: str) -> None:
    messages = weak_warnings(SESSION_COOKIE_SECRET_KEY=placeholder)
    assert len(messages) == 1
    assert "placeholder" in messages[0]
    assert placeholder not in messages[0]


def test_placeholder_fallback_key_warns() -> None:
    messages = weak_warnings(SECRET_KEY_FALLBACKS=[QUICK_START_PLACEHOLDER])
    assert len(messages) == 1
    assert "fallback key number 1 (of 1) looks like a placeholder" in messages[0]


def test_quick_start_secret_warns_when_the_server_starts(front: str, mode: str) -> None:
    app = Sanic(unique_name())
    app.config.SESSION_COOKIE_SECRET_KEY = QUICK_START_PLACEHOLDER
    install(app, front)

    @app.get("/")
    async def index(request: Request) -> Any:
        return response.text("ok")

    with pytest.warns(WeakSecretWarning, match="placeholder"):
        assert Client(app, mode).get("/").text == "ok"


QUICK_STARTS = [block for block in RUNNABLE if 'Sanic("MyApp")' in block.code
                or 'Sanic("MyLegacyApp")' in block.code]


@pytest.mark.parametrize("block", QUICK_STARTS, ids=[block.id for block in QUICK_STARTS])
def test_quick_start_keeps_the_secret_out_of_the_source(block: Any) -> None:
    assert "SESSION_COOKIE_SECRET_KEY" in block.code  # says where the secret comes from
    assert "SECRET_KEY =" not in block.code
    assert 'SECRET_KEY"] =' not in block.code
