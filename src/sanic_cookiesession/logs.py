"""Where the package's log records go: into Sanic's own log output.

The package logs to the ``sanic_cookiesession`` logger. A default Sanic app
configures handlers for its own ``sanic.*`` loggers only, so without this
module a "session not saved" error reached stderr through Python's last-
resort handler as a bare line (no level, no time), and nothing below
WARNING was shown at all.

Python's loggers are per process, and so is the package logger's level:
records are logged from code shared by every app of the process (the
codec, the engine's save path), which does not know which app's debug
setting should decide. In a process that runs several apps, the package
logger is at DEBUG while any of them runs in debug mode.

:func:`send_to_sanic_log` gives the package logger one handler that hands
each record to the handlers of Sanic's error logger (``sanic.error``) as
they are when the record is logged. So the records get Sanic's format
(level and time), Sanic's stream (stderr), and whatever ``log_config`` the
app was given, and they follow Sanic when it re-configures logging (each
``Sanic()`` does, and a server start switches the formatters).

An app made with ``Sanic(..., configure_logging=False)`` has said it
configures logging itself: then nothing is added. Nor is anything printed
through Sanic's handlers once the user has given the package logger a
handler of their own. In debug mode the package
logger is lowered to DEBUG, as Sanic lowers its own, so the reason each
rejected cookie was rejected is shown.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from sanic import Sanic

#: The logger every module of the package logs to.
LOGGER_NAME = "sanic_cookiesession"
#: Sanic's logger for errors, whose handlers the records are handed to.
SANIC_ERROR_LOGGER = "sanic.error"

logger = logging.getLogger(LOGGER_NAME)

# Whether the DEBUG level on the package logger was set here (in debug
# mode), so that it can be undone, and a level the user set is left alone;
# and the apps of this process that run in debug mode.
_debug_level_set_here = False
_debug_apps: set[str] = set()


class SanicLogHandler(logging.Handler):
    """Hands each record to the handlers Sanic's error logger has now.

    Looked up per record, not copied once: every ``Sanic()`` replaces those
    handlers (``logging.config.dictConfig``), and the server start swaps
    their formatters for the production or debug ones.
    """

    def emit(self, record: logging.LogRecord) -> None:
        if any(handler is not self for handler in logger.handlers):
            # The user gave the package logger a handler of their own, and
            # so chose where its records go: do not print them twice.
            return
        handlers = logging.getLogger(SANIC_ERROR_LOGGER).handlers
        if not handlers and logging.lastResort is not None:
            # Sanic's logging was set up without that logger: never drop a
            # record that Python would have printed without this handler.
            handlers = [logging.lastResort]
        for handler in handlers:
            if record.levelno >= handler.level:
                # Sanic's formatters rewrite fields of the record (colours in
                # levelname): keep the caller's record, and root's copy, clean.
                handler.handle(copy.copy(record))


def send_to_sanic_log(app: Sanic[Any, Any]) -> None:
    """Show the package's log records in ``app``'s log output.

    Called once per app when sessions are installed. Adds at most one
    handler to the package logger per process, however many apps are made,
    and none for an app made with ``configure_logging=False``.

    Args:
        app: The app sessions are being installed on.
    """
    if not getattr(app, "configure_logging", True):
        return
    if not any(isinstance(handler, SanicLogHandler) for handler in logger.handlers):
        logger.addHandler(SanicLogHandler())
    app.register_listener(_follow_debug_mode, "before_server_start")


async def _follow_debug_mode(app: Sanic[Any, Any]) -> None:
    """Lower the package logger to DEBUG in debug mode (as Sanic does for its
    own logger), so INFO records (rejected cookies) and DEBUG ones (cookies
    accepted with a fallback key) are shown; undo it when no app of the
    process runs in debug mode any more. A level set by the user is never
    changed."""
    global _debug_level_set_here
    if app.debug:
        _debug_apps.add(app.name)
    else:
        _debug_apps.discard(app.name)
    if _debug_apps:
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.DEBUG)
            _debug_level_set_here = True
    elif _debug_level_set_here:
        logger.setLevel(logging.NOTSET)
        _debug_level_set_here = False
