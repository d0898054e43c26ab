"""What the real servers run: ``python -m sanic serve:app`` (cwd: this folder).

The secret and any fallback keys come from ``SANIC_SESSION_COOKIE_SECRET_KEY``
and ``SANIC_SESSION_COOKIE_SECRET_KEY_FALLBACKS``; ``RELIABILITY_FRONT``
picks the front door (``setup`` or ``extend``).
"""

from __future__ import annotations

import os

from apps import create_app  # type: ignore[import-not-found]

app = create_app("ReliabilityServer", front=os.environ.get("RELIABILITY_FRONT", "setup"))
