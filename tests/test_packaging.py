"""What is published: the public names."""

from __future__ import annotations

import sanic_cookiesession


def test_dir_lists_every_public_name_including_the_lazy_extension() -> None:
    names = dir(sanic_cookiesession)
    assert "CookieSession" in names  # provided by the module's __getattr__
    assert set(sanic_cookiesession.__all__) <= set(names)
    assert {"__version__", "__name__"} <= set(names)
    assert names == sorted(names)
