"""What the real servers run: ``python -m sanic serve:app`` (cwd: this folder).

The secret and any fallback keys come from ``SANIC_SESSION_COOKIE_SECRET_KEY``
and ``SANIC_SESSION_COOKIE_SECRET_KEY_FALLBACKS``; ``RELIABILITY_FRONT``
picks the front door (``setup`` or ``extend``). The package's own log goes
to stderr at DEBUG, so the tests can read every line it writes.
"""

from __future__ import annotations

import logging
import os
import sys

from apps import create_app

_handler = logging.StreamHandler(sys.stderr)
_handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
_logger = logging.getLogger("sanic_cookiesession")
_logger.addHandler(_handler)
_logger.setLevel(logging.DEBUG)

app = create_app("ReliabilityServer", front=os.environ.get("RELIABILITY_FRONT", "setup"))
