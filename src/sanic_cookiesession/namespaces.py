"""Per-blueprint session namespaces: their own cookie, signed with their own salt."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from itsdangerous import URLSafeTimedSerializer
from sanic import Blueprint, Sanic

from .codec import Codec, TimedTokenCodec
from .config import Settings
from .cookies import CookieWriter
from .exc import ConfigError
from .serializer import SerializerCodec

_SPEC_ATTR = "_cookiesession_namespace"

#: ``session_namespace()`` options and the config keys they override.
OPTIONS = {
    "path": "SESSION_COOKIE_PATH",
    "domain": "SESSION_COOKIE_DOMAIN",
    "secure": "SESSION_COOKIE_SECURE",
    "httponly": "SESSION_COOKIE_HTTPONLY",
    "samesite": "SESSION_COOKIE_SAMESITE",
    "max_age": "SESSION_COOKIE_MAX_AGE",
    "partitioned": "SESSION_COOKIE_PARTITIONED",
    "host_prefix": "SESSION_COOKIE_HOST_PREFIX",
    "refresh_each_request": "SESSION_REFRESH_EACH_REQUEST",
    "absolute_lifetime": "SESSION_ABSOLUTE_LIFETIME",
    "max_size": "SESSION_COOKIE_MAX_SIZE",
}


def build_codec(settings: Settings, serializer_type: Callable[..., Any]) -> Codec:
    """The codec for ``settings``: the encrypted one when
    ``SESSION_COOKIE_ENCRYPT`` is on, the fast one for the default
    serializer, a wrapper around any other ``serializer_type``."""
    s = settings
    if s.encrypt:
        from .encryption import make_encrypted_codec  # needs the crypto extra

        return make_encrypted_codec(s)
    if serializer_type is URLSafeTimedSerializer:
        return TimedTokenCodec(
            s.secret_key, salt=s.salt, max_age=s.max_age, fallbacks=s.secret_key_fallbacks
        )
    return SerializerCodec(
        serializer_type, s.secret_key, salt=s.salt, max_age=s.max_age,
        fallbacks=s.secret_key_fallbacks,
    )


class Namespace:
    """One session cookie: its settings, its codec, its header writer."""

    def __init__(self, settings: Settings, codec: Codec, label: str = "app") -> None:
        self.settings = settings
        self.codec = codec
        self.label = label
        self.writer = CookieWriter(settings)
        self.cookie_name = self.writer.name
        # The default codec's tokens never need quoting.
        timed = isinstance(codec, TimedTokenCodec)
        self.header = self.writer.token_header if timed else self.writer.set_header


@dataclasses.dataclass(frozen=True, eq=False)
class NamespaceSpec:
    """What ``session_namespace()`` recorded on a blueprint.

    One call, one namespace: specs compare by identity, so two blueprints
    declared with the same options are two namespaces (and clash), while
    ``bp.copy(..., with_ctx=True)``, which deep-copies ``ctx``, gets this
    very object and shares the original's namespace.
    """

    salt: str
    cookie_name: str | None
    options: dict[str, Any]

    def __copy__(self) -> NamespaceSpec:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> NamespaceSpec:
        return self


def session_namespace(
    blueprint: Blueprint,
    *,
    salt: str,
    cookie_name: str | None = None,
    **cookie_options: Any,
) -> Blueprint:
    """Give ``blueprint``'s routes a session of their own.

    The namespace's session lives in its own cookie (by default the app's
    cookie name followed by ``_`` and the blueprint's name) and is signed
    with its own ``salt``, so a cookie of one namespace is rejected under
    another's name, and visiting the blueprint leaves the app's session
    alone. ``cookie_options`` override the app's cookie settings for this
    namespace: ``path``, ``domain``, ``secure``, ``httponly``, ``samesite``,
    ``max_age``, ``partitioned``, ``host_prefix``, ``refresh_each_request``,
    ``absolute_lifetime``, ``max_size``. Everything is validated when the
    server starts.

    Example:
        >>> from sanic import Blueprint
        >>> admin = Blueprint("admin", url_prefix="/admin")
        >>> admin = session_namespace(admin, salt="admin-session")

    Returns:
        The same blueprint, so the call can wrap its creation.
    """
    unknown = set(cookie_options) - set(OPTIONS)
    if unknown:
        raise TypeError(
            f"session_namespace() got unknown options {sorted(unknown)}; "
            f"valid: {sorted(OPTIONS)}"
        )
    if not isinstance(salt, str) or not salt:
        raise ConfigError(f"session_namespace({blueprint.name!r}) salt", "a non-empty string", salt)
    setattr(blueprint.ctx, _SPEC_ATTR, NamespaceSpec(salt, cookie_name, dict(cookie_options)))
    return blueprint


def declared_namespaces(app: Sanic[Any, Any], base: Settings) -> list[tuple[Blueprint, Settings]]:
    """The app's blueprints that have a namespace, each with its settings
    (checked: a bad option raises a ConfigError naming it). A ``bp.copy()``
    made ``with_ctx=True`` shares its original's namespace: it gets the
    very same settings object."""
    found: list[tuple[Blueprint, Settings]] = []
    made: dict[int, Settings] = {}
    for bp in app.blueprints.values():
        spec: NamespaceSpec | None = getattr(bp.ctx, _SPEC_ATTR, None)
        if spec is None:
            continue
        if id(spec) not in made:
            made[id(spec)] = namespace_settings(app, bp, spec, base)
        found.append((bp, made[id(spec)]))
    return found


def blueprint_settings(
    app: Sanic[Any, Any], blueprint: Blueprint | str, base: Settings
) -> Settings:
    """The settings of ``blueprint``'s session: its namespace's, or ``base``
    (the app's) when it has none."""
    bp = app.blueprints.get(blueprint) if isinstance(blueprint, str) else blueprint
    if bp is None:
        raise ValueError(f"app {app.name!r} has no blueprint named {blueprint!r}")
    spec: NamespaceSpec | None = getattr(bp.ctx, _SPEC_ATTR, None)
    return base if spec is None else namespace_settings(app, bp, spec, base)


def collect_namespaces(
    app: Sanic[Any, Any], base: Settings, serializer_type: Callable[..., Any]
) -> dict[str, Namespace]:
    """Map each namespaced route's name to its namespace (at startup)."""
    routes: dict[str, Namespace] = {}
    salts = {base.salt: "the app"}
    names = {base.wire_name: "the app"}
    built: dict[int, Namespace] = {}
    for bp, settings in declared_namespaces(app, base):
        ns = built.get(id(settings))
        if ns is None:
            where = f"session_namespace({bp.name!r})"
            if settings.salt in salts:
                raise ConfigError(
                    f"{where} salt",
                    f"a salt different from the one of {salts[settings.salt]}",
                    settings.salt,
                )
            if settings.wire_name in names:
                raise ConfigError(
                    f"{where} cookie_name",
                    f"a cookie name different from the one of {names[settings.wire_name]}",
                    settings.wire_name,
                )
            salts[settings.salt] = where
            names[settings.wire_name] = where
            ns = built[id(settings)] = Namespace(
                settings, build_codec(settings, serializer_type), bp.name
            )
        routes.update(dict.fromkeys(_route_names(app, bp), ns))
    return _added_at_startup(app, routes)


def _route_names(app: Sanic[Any, Any], bp: Blueprint) -> list[str]:
    """The names of the routes ``bp`` registered, its static files included
    (``bp.routes`` leaves those out; Sanic names them ``<app>.<bp>.<name>``)."""
    statics = [f"{app.name}.{future.name}" for future in getattr(bp, "_future_statics", ())]
    return [route.name for route in bp.routes] + statics


def _is_auto(route: Any) -> bool:
    return bool(getattr(route.handler, "__auto_handler__", False))


def _added_at_startup(app: Sanic[Any, Any], owned: dict[str, Namespace]) -> dict[str, Namespace]:
    """Give the routes added at startup the namespace of what they serve.

    Sanic Extensions adds a HEAD route for each GET and OPTIONS (and TRACE)
    routes for each path, after the blueprints are registered: they are in
    no blueprint's ``routes``. A HEAD route belongs to its GET route's
    namespace; a route for a whole path to the one namespace of the path's
    routes (two namespaces, or the app and one, on the same path stop the
    server: guessing would hand one of them the other's cookie).
    """
    if not owned:
        return owned
    routes = dict(owned)
    for group in app.router.groups.values():
        for route in group:
            if route.name in owned or not _is_auto(route):
                continue
            original = getattr(route.handler, "__route_handler__", None)
            if original is not None:  # HEAD for a GET
                sources = [r.name for r in group if r.handler is original and not _is_auto(r)]
            else:  # OPTIONS or TRACE for the path
                sources = [r.name for r in group if not _is_auto(r)]
            found = {id(owned.get(name)): owned.get(name) for name in sources}
            if len(found) > 1:
                raise ConfigError(
                    f"route {route.name!r}",
                    "routes of a single session namespace on its path /"
                    f"{group.path} (it was added at startup for all of them)",
                    sorted(ns.label if ns else "the app" for ns in found.values()),
                )
            ns = next(iter(found.values()), None)
            if ns is not None:
                routes[route.name] = ns
    return routes


def namespace_settings(
    app: Sanic[Any, Any], bp: Blueprint, spec: NamespaceSpec, base: Settings
) -> Settings:
    """A namespace's settings: the app's config with its salt, cookie name
    and options in place; a bad one raises a ConfigError naming the option."""
    where = f"session_namespace({bp.name!r})"
    config = dict(app.config)
    config["SESSION_COOKIE_SALT"] = spec.salt
    config["SESSION_COOKIE_NAME"] = spec.cookie_name or f"{base.cookie_name}_{bp.name}"
    for option, value in spec.options.items():
        config[OPTIONS[option]] = value
    try:
        return Settings.from_config(config)
    except ConfigError as exc:
        option = next((o for o, k in OPTIONS.items() if k == exc.key), exc.key)
        if exc.key == "SESSION_COOKIE_NAME":
            option = "cookie_name"
        raise ConfigError(f"{where} {option}", exc.expected, config.get(exc.key)) from None
