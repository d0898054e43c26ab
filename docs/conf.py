"""Sphinx configuration: Markdown pages (MyST), Google docstrings, furo."""

from __future__ import annotations

import sanic_cookiesession

project = "sanic-cookiesession"
author = "sanic-cookiesession contributors"
copyright = "sanic-cookiesession contributors"  # noqa: A001 - Sphinx's name
release = sanic_cookiesession.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build"]

# Markdown: "#anchors" for headings, ::: fences for directives.
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence"]

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": True}
napoleon_google_docstring = True
napoleon_numpy_docstring = False

html_theme = "furo"
html_title = f"sanic-cookiesession {release}"
