"""What is published: the public names, the Pythons the wheel's metadata
claims and tox tests."""

from __future__ import annotations

import configparser
import importlib.metadata
import re
from pathlib import Path
from typing import Any

import pytest

import sanic_cookiesession

from .test_docs_examples import ROOT


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
