"""What is published: the public names, the wheel's metadata (the PyPI
page), the Pythons it claims and tox tests, and the README's commands
that CI runs."""

from __future__ import annotations

import configparser
import importlib.metadata
import re
from pathlib import Path
from typing import Any

import pytest

import sanic_cookiesession

from .test_docs_examples import ROOT

DOCS = "https://sanic-cookiesession.readthedocs.io/"
REPOSITORY = "https://github.com/sanic-cookiesession/sanic-cookiesession"


def test_dir_lists_every_public_name_including_the_lazy_extension() -> None:
    names = dir(sanic_cookiesession)
    assert "CookieSession" in names  # provided by the module's __getattr__
    assert set(sanic_cookiesession.__all__) <= set(names)
    assert {"__version__", "__name__"} <= set(names)
    assert names == sorted(names)


def installed() -> Any:
    """The installed distribution's metadata, when it is this package's.

    tox installs the wheel it built, so there the metadata is the built
    wheel's. Elsewhere (sources on ``PYTHONPATH``, an editable install of
    another tree) it may describe something else: skip.
    """
    try:
        dist = importlib.metadata.distribution("sanic-cookiesession")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("sanic-cookiesession is not installed (tox installs the built wheel)")
    module = Path(sanic_cookiesession.__file__).resolve()
    if Path(str(dist.locate_file("sanic_cookiesession/__init__.py"))).resolve() != module:
        pytest.skip("the package under test is not the installed wheel (tox installs it)")
    return dist.metadata


def tox_envs() -> list[str]:
    """tox.ini's envlist, with ``py3{10,11}`` expanded to ``py310, py311``."""
    ini = configparser.ConfigParser(interpolation=None)
    ini.read(ROOT / "tox.ini", encoding="utf-8")
    names: list[str] = []
    for item in re.findall(r"[\w-]*\{[^}]*\}[\w-]*|[\w-]+", ini["tox"]["envlist"]):
        match = re.fullmatch(r"([\w-]*)\{([^}]*)\}([\w-]*)", item)
        if match is None:
            names.append(item)
        else:
            head, alternatives, tail = match.groups()
            names += [f"{head}{alt.strip()}{tail}" for alt in alternatives.split(",")]
    return names


def test_tox_tests_every_python_the_classifiers_claim_and_no_other() -> None:
    metadata = installed()
    claimed = [
        line.rsplit(" :: ", 1)[1]
        for line in metadata.get_all("Classifier")
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", line)
    ]
    tested = [
        f"{name[2]}.{name[3:]}" for name in tox_envs() if re.fullmatch(r"py3\d+", name)
    ]
    assert claimed == tested == ["3.10", "3.11", "3.12", "3.13"]
    assert metadata["Requires-Python"] == f">={claimed[0]}"


def test_min_env_runs_on_the_oldest_python_claimed() -> None:
    ini = configparser.ConfigParser(interpolation=None)
    ini.read(ROOT / "tox.ini", encoding="utf-8")
    assert ini["testenv:min"]["basepython"] == "python3.10"
    assert "min" in tox_envs()


def test_project_urls_lead_to_the_docs_the_source_and_the_issues() -> None:
    urls = dict(
        entry.split(", ", 1) for entry in installed().get_all("Project-URL")
    )
    assert urls == {
        "Homepage": REPOSITORY,
        "Documentation": DOCS,
        "Changelog": f"{DOCS}en/latest/changes.html",
        "Source": REPOSITORY,
        "Issues": f"{REPOSITORY}/issues",
    }


def test_pypi_page_is_written_for_someone_who_installed_the_wheel() -> None:
    metadata = installed()
    assert metadata["Description-Content-Type"] == "text/markdown"
    page = metadata.json["description"]
    assert "## Install" in page
    assert "## Quick start" in page
    assert DOCS in page
    assert REPOSITORY in page
    # What only a clone of the repository has is left out...
    for clone_only in ("clone", "tox", ".ci/run", ".venv", "docs/_build"):
        assert clone_only not in page, clone_only
    # ...or linked to in the repository.
    links = re.findall(r"\]\(([^)\s]+)\)", page)
    assert links
    assert [link for link in links if not link.startswith("https://")] == []
    for path in re.findall(r"`((?:examples/\S+?\.py)|LICENSE)`", page):
        assert f"[`{path}`]({REPOSITORY}/blob/main/{path})" in page


def readme_command(comment: str) -> str:
    """The README's shell command that follows the line ``# <comment>``."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    index = next(n for n, line in enumerate(lines) if line.startswith(f"# {comment}"))
    return lines[index + 1]


def test_ci_runs_the_readme_test_command_as_typed() -> None:
    steps = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert steps[-1] == readme_command("run every test")


@pytest.mark.parametrize("comment", ["run the counter example", "run every test"])
def test_readme_commands_install_into_a_venv(comment: str) -> None:
    # Debian's own python3 refuses `pip install` outside a virtual environment.
    first, *rest = readme_command(comment).split(" && ")
    assert first == "python3 -m venv .venv"
    assert rest
    assert all(step.startswith(".venv/bin/") for step in rest)
