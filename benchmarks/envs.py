"""Private virtualenvs for the comparison servers (0.3.1 and Starlette).

Each comparison runs from its own environment under ``benchmarks/.work/``
(gitignored), so the released 0.3.1 never meets this checkout. Sanic and
itsdangerous (and Sanic Extensions with pydantic, when installed here) are
pinned to the versions installed next to this checkout, so both sides run
the same framework.

    python benchmarks/envs.py            # create or update both
"""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work"


def _version(dist: str) -> str:
    return importlib.metadata.version(dist)


def _installed(dist: str) -> bool:
    try:
        return bool(_version(dist))
    except importlib.metadata.PackageNotFoundError:
        return False


def requirements(name: str) -> list[str]:
    """What each comparison environment holds."""
    if name == "legacy":
        # Sanic Extensions (and the pydantic it imports) on both sides when
        # this side has them: merely installed, they change how Sanic starts.
        return [
            "sanic-cookiesession==0.3.1",
            f"sanic=={_version('sanic')}",
            f"itsdangerous=={_version('itsdangerous')}",
            *(f"{dist}=={_version(dist)}" for dist in ("sanic-ext", "pydantic")
              if _installed(dist)),
        ]
    if name == "starlette":
        return [
            "starlette",
            "uvicorn",
            "uvloop",
            "httptools",
            f"itsdangerous=={_version('itsdangerous')}",
        ]
    raise ValueError(name)


def python(name: str) -> Path:
    return WORK / name / "bin" / "python"


def python_for(server: str) -> str:
    """The python that runs ``serve.py``'s ``server`` (set up on first use)."""
    if server == "legacy":
        return str(ensure("legacy"))
    if server.startswith("starlette"):
        return str(ensure("starlette"))
    return sys.executable


def ensure(name: str) -> Path:
    """Create ``benchmarks/.work/<name>`` if needed; return its python."""
    exe = python(name)
    stamp = WORK / name / "requirements.txt"
    wanted = "\n".join(requirements(name)) + "\n"
    if exe.exists() and stamp.exists() and stamp.read_text() == wanted:
        return exe
    print(f"setting up {WORK / name} ...", flush=True)
    venv.EnvBuilder(with_pip=True, clear=True).create(WORK / name)
    subprocess.run(
        [str(exe), "-m", "pip", "install", "-q", "--disable-pip-version-check",
         *requirements(name)],
        check=True,
    )
    stamp.write_text(wanted)
    return exe


if __name__ == "__main__":
    for env_name in sys.argv[1:] or ["legacy", "starlette"]:
        print(env_name, ensure(env_name))
