"""``python -m sanic_cookiesession``: see :mod:`sanic_cookiesession.cli`."""

from __future__ import annotations

from .cli import main

raise SystemExit(main())
