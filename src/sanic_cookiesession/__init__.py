"""Client-side sessions for Sanic, kept in a signed cookie."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .access import get_session as get_session
from .config import Settings as Settings
from .config import WeakSecretWarning as WeakSecretWarning
from .engine import REJECTED_SIGNAL as REJECTED_SIGNAL
from .exc import ConfigError as ConfigError
from .exc import CookieSessionError as CookieSessionError
from .exc import SessionNotInstalledError as SessionNotInstalledError
from .flash import flash as flash
from .flash import get_flashed_messages as get_flashed_messages
from .legacy import setup as setup
from .namespaces import session_namespace as session_namespace
from .session import Session as Session
from .streaming import save_session as save_session

if TYPE_CHECKING:
    from .extension import CookieSession as CookieSession

__version__ = "1.0.0.dev0"

__all__ = [
    "REJECTED_SIGNAL",
    "ConfigError",
    "CookieSession",
    "CookieSessionError",
    "Session",
    "SessionNotInstalledError",
    "Settings",
    "WeakSecretWarning",
    "flash",
    "get_flashed_messages",
    "get_session",
    "save_session",
    "session_namespace",
    "setup",
]


def __getattr__(name: str) -> Any:
    # CookieSession needs sanic-ext; import it only when asked for, so that
    # setup() works without it.
    if name == "CookieSession":
        from .extension import CookieSession

        return CookieSession
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    # List the lazy CookieSession too (for tab completion and dir()).
    return sorted({*globals(), *__all__})
