"""The session cookies in Sanic Extensions' OpenAPI document.

Each session cookie (the app's, and each namespaced blueprint's) becomes a
security scheme of type ``apiKey`` in a cookie, named by
:func:`scheme_name`, so that ``@openapi.secured("session")`` marks the
routes that need a logged-in session. ``SESSION_OPENAPI = False`` leaves the
document alone.
"""

from __future__ import annotations

from typing import Any

from sanic import Sanic

from .config import Settings
from .exc import ConfigError
from .injection import LISTENER_PRIORITY, has_extension, sanic_extensions
from .namespaces import declared_namespaces

#: The config key that turns the security schemes off.
CONFIG_KEY = "SESSION_OPENAPI"
#: The security scheme of the app's session cookie.
APP_SCHEME = "session"

def scheme_name(blueprint: str | None = None) -> str:
    """The security scheme's name: ``"session"`` for the app's cookie,
    ``"session_<blueprint name>"`` for a namespaced blueprint's."""
    return APP_SCHEME if blueprint is None else f"{APP_SCHEME}_{blueprint}"


def enabled(config: Any) -> bool:
    """``SESSION_OPENAPI``, checked: ``True`` unless set to ``False``."""
    value = config.get(CONFIG_KEY, True)
    if not isinstance(value, bool):
        raise ConfigError(CONFIG_KEY, "True or False", value)
    return value


def session_cookies(app: Sanic[Any, Any]) -> dict[str, str]:
    """Each session cookie's security scheme name and the cookie's name as
    sent (``__Host-`` prefix included), from the config as it is now."""
    base = Settings.from_config(app.config)
    cookies = {scheme_name(): base.wire_name}
    for blueprint, settings in declared_namespaces(app, base):
        cookies[scheme_name(blueprint.name)] = settings.wire_name
    return cookies


def install(app: Sanic[Any, Any]) -> None:
    """Declare the session cookies when the server starts (the config may
    change until then, also after ``app.extend()``)."""

    async def declare_session_cookies(app: Sanic[Any, Any]) -> None:
        declare(app)

    app.register_listener(
        declare_session_cookies, "before_server_start", priority=LISTENER_PRIORITY
    )


def declare(app: Sanic[Any, Any]) -> dict[str, str]:
    """Add the security schemes to the OpenAPI document, if it is on;
    returns what was declared (scheme name -> cookie name)."""
    ext = sanic_extensions(app)
    if not enabled(app.config) or ext is None or not _openapi_on(app):
        return {}
    cookies = session_cookies(app)
    builder = ext.openapi
    for scheme, cookie in cookies.items():
        builder.add_security_scheme(
            scheme,
            "apiKey",
            location="cookie",
            name=cookie,
            description=f"The signed session cookie {cookie!r} (sanic-cookiesession).",
        )
    return cookies


def _openapi_on(app: Sanic[Any, Any]) -> bool:
    return bool(app.config.get("OAS")) and has_extension(app, "openapi")
