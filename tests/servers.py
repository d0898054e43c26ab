"""Run a real Sanic server on 127.0.0.1 for a test, and always stop it.

Every server gets a fresh free port, a hard start-up time limit, and is
stopped by its PID (its whole process group, for multi-worker servers) in a
``finally`` block.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    url: str
    pid: int
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextlib.contextmanager
def running(
    target: str | None = None,
    *,
    cmd: list[str] | None = None,
    cwd: str | os.PathLike[str],
    env: dict[str, str] | None = None,
    workers: int = 1,
    port: int | None = None,
    startup_timeout: float = 30.0,
    args: list[str] | None = None,
) -> Iterator[Server]:
    """Serve ``target`` (``module:app``) with ``python -m sanic``, or run
    ``cmd`` (which must listen on the port given in ``$PORT``)."""
    port = port or free_port()
    if cmd is None:
        assert target is not None
        cmd = [sys.executable, "-m", "sanic", target, "--host", "127.0.0.1", "--port", str(port)]
        cmd += ["--single-process"] if workers == 1 else [f"--workers={workers}"]
        cmd += args or []
    log_file = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed in finally
        "w+b", prefix="sanic-server-", suffix=".log", delete=False
    )
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", "PORT": str(port), **(env or {})}
    full_env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(cwd), full_env.get("PYTHONPATH", "")])
    )
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=full_env, stdout=log_file, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, start_new_session=True,
    )
    server = Server(f"http://127.0.0.1:{port}", proc.pid, Path(log_file.name))
    try:
        _wait_ready(proc, server, startup_timeout)
        yield server
    finally:
        stop(proc)
        log_file.close()


def _wait_ready(proc: subprocess.Popen[bytes], server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{server.log()}")
        try:
            with socket.create_connection(("127.0.0.1", int(server.url.rsplit(":", 1)[1])), 0.5):
                pass
            # the port is open; make sure the app answers HTTP
            # any HTTP answer (even 404) means it is serving
            with contextlib.suppress(urllib.error.HTTPError):
                urllib.request.urlopen(server.url + "/__ready__", timeout=2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server did not start within {timeout}s:\n{server.log()}")


def stop(proc: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    """Stop ``proc`` and its process group by PID: SIGINT, then SIGKILL."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGINT)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)
