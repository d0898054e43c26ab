"""End-to-end benchmark: requests per second, as ratios to a bare server.

Every server of a case runs at the same time, pinned to the same core
(``taskset``), each loaded by its own ``wrk`` pinned to the other core. The
scheduler shares the server core fairly among them, so each one's requests
per second measure its CPU cost per request, and whatever else happens on the
machine hits them all alike: the ratio to the bare server (and between
implementations) cancels the noise. Cases are repeated in rounds; medians are
reported.

A case loads together: bare Sanic, bare Sanic with two empty lifecycle
signal handlers (``lifecycle``), the least a session can do on those two
signals (``floor``), this checkout, 0.3.1 (from its own environment, see
``envs.py``), bare Starlette and Starlette's ``SessionMiddleware`` (both
under uvicorn), every request carrying a valid session cookie for its
server. The report gives this checkout's ratio to its baseline next to each
performance target, and every server's ratio to bare Sanic.

    python benchmarks/e2e.py                       # full run (about 6 minutes)
    python benchmarks/e2e.py --duration 2 --rounds 3 --only ours

Everything listens on 127.0.0.1 only; every process started is stopped by its
PID in a ``finally``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from base64 import b64encode
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from itsdangerous import TimestampSigner, URLSafeTimedSerializer

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import envs  # noqa: E402
from serve import COOKIE, SALT, SECRET  # noqa: E402

#: The cases, in report order: (key, label, route, refresh).
CASES = [
    ("untouched", "route never touches the session", "/untouched", True),
    ("read", "reads the session, refresh off", "/read", False),
    ("refresh", "reads the session, refresh on", "/read", True),
    ("write", "changes the session every request", "/write", True),
]
#: The performance targets, the same for both sizes: (case, baseline, least
#: ratio of this checkout's requests per second to the baseline's).
TARGETS = [
    ("untouched", "lifecycle", 0.95),
    ("read", "floor", 0.92),
    ("refresh", "floor", 0.90),
    ("write", "floor", 0.85),
    ("write", "legacy", 1.25),
]
SIZES = ["small", "1k"]
#: What a plain run loads (every server the targets need, and Starlette).
IMPLS = ["bare", "lifecycle", "floor", "ours", "legacy", "starlette-bare", "starlette"]
#: Diagnostic servers (not run unless asked for): what other empty hooks
#: and the session's headers cost, and a second bare server (``control``)
#: that shows the noise of the run.
EXTRA = ["signals", "middleware", "control", "vary", "headers"]
LABELS = {
    "bare": "bare Sanic",
    "lifecycle": "bare + 2 empty lifecycle handlers",
    "floor": "floor (inline, 2 signals)",
    "ours": "this version",
    "legacy": "0.3.1",
    "starlette-bare": "bare Starlette",
    "starlette": "Starlette SessionMiddleware",
    "signals": "bare + empty signals",
    "middleware": "bare + empty middleware",
    "control": "bare (a second one)",
    "vary": "bare + Vary",
    "headers": "bare + Vary + Set-Cookie",
}
#: Below these, a run is too short for its ratios to be judged: the report
#: shows them with their targets but says neither "met" nor "not met".
JUDGED_ROUNDS = 3
JUDGED_DURATION = 3.0
#: Servers that run a session, so a "refresh off" twin serves the read case.
SESSION_IMPLS = ("ours", "floor")


def session_data(size: str) -> dict[str, Any]:
    """The session every request carries: ~25 B or ~1 KB of JSON."""
    data: dict[str, Any] = {"user": "ann", "visits": 1}
    if size == "small":
        return data
    rng = random.Random(size)
    cart = []
    while len(json.dumps({**data, "cart": cart}, separators=(",", ":"))) < 1000:
        cart.append({"sku": f"{rng.getrandbits(40):010x}", "qty": rng.randint(1, 9),
                     "note": rng.choice(["gift", "", "express", "fragile"])})
    data["cart"] = cart[:-1]
    return data


def token_for(impl: str, size: str) -> str:
    """A valid session cookie value for ``impl``'s server."""
    data = session_data(size)
    if impl.startswith("starlette"):
        raw = b64encode(json.dumps(data).encode("utf-8"))
        return TimestampSigner(SECRET).sign(raw).decode("ascii")
    return URLSafeTimedSerializer(SECRET, salt=SALT).dumps(data)


# -- processes ------------------------------------------------------------


def cpus() -> tuple[str | None, str | None]:
    """(server core, wrk core) for taskset, or Nones on a single core."""
    available = sorted(os.sched_getaffinity(0))
    if len(available) < 2 or shutil.which("taskset") is None:
        return None, None
    return str(available[0]), str(available[1])


def pinned(core: str | None, cmd: Sequence[str]) -> list[str]:
    return ["taskset", "-c", core, *cmd] if core is not None else list(cmd)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def stop(proc: subprocess.Popen[Any]) -> None:
    """Stop one process we started, by its PID."""
    if proc.poll() is not None:
        return
    try:
        os.kill(proc.pid, signal.SIGINT)
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass


@dataclass
class Server:
    name: str
    impl: str
    python: str
    refresh: bool = True
    port: int = 0
    proc: subprocess.Popen[Any] | None = None
    log: Path | None = None

    def start(self, core: str | None, logdir: Path) -> None:
        self.port = free_port()
        cmd = [self.python, str(HERE / "serve.py"), "--impl", self.impl, "--port", str(self.port)]
        if not self.refresh:
            cmd.append("--no-refresh")
        self.log = logdir / f"{self.name}.log"
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        env.pop("PYTHONPATH", None)
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(
                pinned(core, cmd), stdout=out, stderr=subprocess.STDOUT, env=env,
                cwd=str(HERE),
            )

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                break
            try:
                with urllib.request.urlopen(self.url("/untouched"), timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        log = self.log.read_text(errors="replace")[-2000:] if self.log else ""
        raise RuntimeError(f"server {self.name} did not start:\n{log}")

    def get(self, path: str, cookie: str) -> tuple[str, list[str]]:
        request = urllib.request.Request(self.url(path), headers={"Cookie": cookie})
        with urllib.request.urlopen(request, timeout=5) as r:
            return r.read().decode(), r.headers.get_all("Set-Cookie") or []


@contextmanager
def servers(wanted: Sequence[Server], core: str | None) -> Iterator[list[Server]]:
    logdir = Path(tempfile.mkdtemp(prefix="cookiesession-bench-"))
    started: list[Server] = []
    try:
        for server in wanted:
            server.start(core, logdir)
            started.append(server)
        for server in started:
            server.wait_ready()
        yield started
    finally:
        for server in started:
            if server.proc is not None:
                stop(server.proc)
        shutil.rmtree(logdir, ignore_errors=True)


# -- wrk --------------------------------------------------------------------

_RPS = re.compile(r"Requests/sec:\s+([\d.]+)")
_TOTAL = re.compile(r"(\d+) requests in")
_ERRORS = re.compile(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)")


def need_wrk() -> str:
    exe = shutil.which("wrk")
    if exe is None:
        raise SystemExit(
            "wrk is not installed: install it first, e.g. `apt-get install wrk` "
            "(Debian/Ubuntu) or `brew install wrk` (macOS)"
        )
    return exe


def wrk_cmd(url: str, cookie: str, *, duration: float, connections: int) -> list[str]:
    return [need_wrk(), "-t1", f"-c{connections}", f"-d{max(1, round(duration))}s",
            "-H", f"Cookie: {cookie}", url]


@dataclass
class WrkResult:
    rps: float
    requests: int
    errors: str = ""


def parse_wrk(output: str) -> WrkResult:
    rps = _RPS.search(output)
    total = _TOTAL.search(output)
    if rps is None or total is None:
        raise RuntimeError(f"could not read wrk's output:\n{output}")
    errors = "; ".join(m.group(0) for m in _ERRORS.finditer(output))
    return WrkResult(float(rps.group(1)), int(total.group(1)), errors)


def load_together(
    jobs: Sequence[tuple[str, str]], core: str | None, *, duration: float, connections: int
) -> list[WrkResult]:
    """Run one wrk per (url, cookie) at the same time; their results."""
    procs: list[subprocess.Popen[str]] = []
    try:
        for url, cookie in jobs:
            cmd = pinned(core, wrk_cmd(url, cookie, duration=duration, connections=connections))
            procs.append(subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                          text=True))
        outputs = [p.communicate(timeout=duration + 30)[0] for p in procs]
    finally:
        for p in procs:
            stop(p)
    return [parse_wrk(out) for out in outputs]


# -- the run ----------------------------------------------------------------


@dataclass
class Plan:
    duration: float = 5.0
    rounds: int = 5
    warmup: float = 1.0
    connections: int = 8
    sizes: list[str] = field(default_factory=lambda: list(SIZES))
    cases: list[str] = field(default_factory=lambda: [c[0] for c in CASES])
    impls: list[str] = field(default_factory=lambda: list(IMPLS))
    memory_requests: int = 100_000


def build_servers(plan: Plan) -> dict[str, Server]:
    """name -> server; ``ours`` has one server per refresh setting."""
    here = sys.executable
    out: dict[str, Server] = {}
    for impl in plan.impls:
        if impl == "legacy":
            out[impl] = Server(impl, impl, str(envs.ensure("legacy")))
        elif impl.startswith("starlette"):
            out[impl] = Server(impl, impl, str(envs.ensure("starlette")))
        elif impl in SESSION_IMPLS:
            if "read" in plan.cases:
                out[f"{impl}-norefresh"] = Server(f"{impl}-norefresh", impl, here, refresh=False)
            out[impl] = Server(impl, impl, here)
        else:
            out[impl] = Server(impl, impl, here)
    return out


def member_names(case: str, available: dict[str, Server]) -> list[str]:
    names = []
    for impl in [*IMPLS, *EXTRA]:
        name = f"{impl}-norefresh" if impl in SESSION_IMPLS and case == "read" else impl
        if name in available:
            names.append(name)
    return names


def check_servers(available: dict[str, Server]) -> None:
    """Each server accepts its cookie and writes only when it should; every
    token written (on change, and on reads with refresh on) is one
    itsdangerous accepts; the floor writes the same cookie attributes as
    this checkout."""
    serializer = URLSafeTimedSerializer(SECRET, salt=SALT)
    attributes: dict[str, list[str]] = {}
    for size in SIZES:
        for name, server in available.items():
            cookie = f"{COOKIE}={token_for(server.impl, size)}"
            _, written = server.get("/write", cookie)
            if server.impl not in ("ours", "legacy", "starlette", *SESSION_IMPLS):
                assert not written or server.impl == "headers", (name, written)
                continue
            assert written, (name, "no Set-Cookie on /write")
            value, _, attrs = written[0].partition(";")
            value = value.split("=", 1)[1]
            if server.impl != "starlette":
                data = serializer.loads(value)
                assert data == {**session_data(size), "visits": 2}, (name, "cookie not accepted")
            if server.impl in SESSION_IMPLS:
                attributes[server.impl] = sorted(a.strip().lower() for a in attrs.split(";"))
                _, untouched = server.get("/untouched", cookie)
                _, read = server.get("/read", cookie)
                assert not untouched, (name, untouched)
                assert bool(read) is server.refresh, (name, read)
                if read:
                    value = read[0].split(";", 1)[0].split("=", 1)[1]
                    assert serializer.loads(value) == session_data(size), (name, "refresh")
    if len(attributes) == len(SESSION_IMPLS):
        assert attributes["ours"] == attributes["floor"], (
            f"this checkout now writes the cookie attributes {attributes['ours']}, the floor "
            f"{attributes['floor']}: update COOKIE_ATTRS in serve.py"
        )


def run(plan: Plan, progress: bool = True) -> dict[str, Any]:
    server_core, wrk_core = cpus()
    available = build_servers(plan)
    groups = [(case, size) for size in plan.sizes for case in plan.cases]
    samples: dict[str, dict[str, list[float]]] = {f"{c}/{s}": {} for c, s in groups}
    started = time.time()
    with servers(list(available.values()), server_core):
        check_servers(available)
        # Warm every server up once (JIT-free Python still warms caches,
        # allocator arenas and the route cache).
        for case, size in groups:
            jobs = _jobs(case, size, available)
            load_together(jobs, wrk_core, duration=plan.warmup, connections=plan.connections)
        for r in range(plan.rounds):
            order = groups[r % len(groups):] + groups[: r % len(groups)]
            for case, size in order:
                names = member_names(case, available)
                results = load_together(
                    _jobs(case, size, available), wrk_core,
                    duration=plan.duration, connections=plan.connections,
                )
                for name, result in zip(names, results, strict=True):
                    if result.errors:
                        raise RuntimeError(f"{name} {case}/{size}: {result.errors}")
                    samples[f"{case}/{size}"].setdefault(name, []).append(result.rps)
                if progress:
                    line = "  ".join(f"{n}={res.rps:.0f}" for n, res in zip(names, results,
                                                                             strict=True))
                    print(f"round {r + 1}/{plan.rounds} {case:9} {size:5} {line}", flush=True)
        memory = memory_check(available.get("ours"), plan.memory_requests, wrk_core, progress)
    return summarize(plan, samples, memory, started, server_core, wrk_core)


def _jobs(case: str, size: str, available: dict[str, Server]) -> list[tuple[str, str]]:
    route = {c[0]: c[2] for c in CASES}[case]
    return [
        (available[n].url(route), f"{COOKIE}={token_for(available[n].impl, size)}")
        for n in member_names(case, available)
    ]


# -- memory -----------------------------------------------------------------

def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def memory_check(
    server: Server | None, total: int, core: str | None, progress: bool
) -> dict[str, Any] | None:
    """RSS of the ``ours`` server across at least ``total`` requests (every
    route, both sizes, in turn), after a warm-up; sampled after each of
    about ten loads."""
    if server is None or server.proc is None or total <= 0:
        return None
    pid = server.proc.pid
    routes = [(r, s) for r in ("/write", "/read", "/untouched") for s in SIZES]

    def drive(seconds: float, route: str, size: str) -> int:
        cmd = wrk_cmd(server.url(route), f"{COOKIE}={token_for('ours', size)}",
                      duration=seconds, connections=4)
        out = subprocess.run(pinned(core, cmd), capture_output=True, text=True,
                             timeout=seconds + 30).stdout
        return parse_wrk(out).requests

    warm = drive(2, "/write", "1k")
    chunk_seconds = max(1, round(total / 10 / max(warm / 2, 1)))
    samples = [rss_kib(pid)]
    done, i = 0, 0
    deadline = time.monotonic() + 900  # bounded, whatever the machine
    while done < total and time.monotonic() < deadline:
        route, size = routes[i % len(routes)]
        done += drive(chunk_seconds, route, size)
        samples.append(rss_kib(pid))
        i += 1
    if progress:
        print(f"memory: {done} requests, RSS {samples[0]} -> {samples[-1]} KiB", flush=True)
    return {
        "requests": done,
        "rss_kib": samples,
        "growth_kib": samples[-1] - samples[0],
        "max_minus_min_kib": max(samples) - min(samples),
    }


# -- report -----------------------------------------------------------------


def summarize(
    plan: Plan, samples: dict[str, dict[str, list[float]]], memory: dict[str, Any] | None,
    started: float, server_core: str | None, wrk_core: str | None,
) -> dict[str, Any]:
    judged = plan.rounds >= JUDGED_ROUNDS and plan.duration >= JUDGED_DURATION
    rows = []
    for key, by_name in samples.items():
        case, size = key.split("/")

        def ratios(num: str, den: str, by_name: dict[str, list[float]] = by_name,
                   case: str = case) -> list[float]:
            """Per-round ratios of two servers' requests per second (the
            "refresh off" twin of a session server in the read case)."""
            num, den = (f"{n}-norefresh" if n in SESSION_IMPLS and case == "read" else n
                        for n in (num, den))
            if num not in by_name or den not in by_name:
                return []
            return [a / b for a, b in zip(by_name[num], by_name[den], strict=True)]

        targets = []
        for target_case, baseline, target in TARGETS:
            if target_case != case:
                continue
            per_round = ratios("ours", baseline)
            if not per_round:  # this run left out ours or the baseline
                continue
            ratio = statistics.median(per_round)
            targets.append({
                "baseline": baseline,
                "target": target,
                "ratio": ratio,
                "min": min(per_round),
                "max": max(per_round),
                "met": ratio >= target if judged else None,
            })
        vs_bare = {
            impl: statistics.median(per_round)
            for impl in [*IMPLS, *EXTRA]
            if impl != "bare" and (per_round := ratios(impl, "bare"))
        }
        starlette = ratios("starlette", "starlette-bare")
        rows.append({
            "case": case,
            "size": size,
            "targets": targets,
            "vs_bare": vs_bare,
            "starlette_vs_starlette_bare": statistics.median(starlette) if starlette else None,
            "rps": {name: statistics.median(v) for name, v in by_name.items()},
        })
    return {
        "plan": plan.__dict__,
        "machine": machine(),
        "pinning": {"servers": server_core, "wrk": wrk_core},
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "seconds": round(time.time() - started),
        "judged": judged,
        "rows": rows,
        "memory": memory,
    }


def machine() -> dict[str, Any]:
    import platform

    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for dist in ("sanic", "sanic-ext", "itsdangerous", "sanic-cookiesession"):
        try:
            import importlib.metadata

            versions[dist] = importlib.metadata.version(dist)
        except Exception:  # noqa: BLE001
            versions[dist] = "?"
    others = (("legacy", ["sanic-cookiesession", "sanic-ext"]),
              ("starlette", ["starlette", "uvicorn"]))
    for env_name, dists in others:
        exe = envs.python(env_name)
        for dist in dists:
            key = f"{dist} ({env_name})"
            try:
                versions[key] = subprocess.run(
                    [str(exe), "-c", f"import importlib.metadata as m; print(m.version({dist!r}))"],
                    capture_output=True, text=True, timeout=30,
                ).stdout.strip() or "?"
            except OSError:
                versions[key] = "not set up"
    try:
        wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()[1]
    except (OSError, IndexError):
        wrk = "?"
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "wrk": wrk,
        **versions,
    }


def _fmt(x: float | None, digits: int = 2) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"


def _size(size: str) -> str:
    return "~25 B" if size == "small" else "~1 KB"


def markdown(result: dict[str, Any]) -> str:
    labels = {c[0]: c[1] for c in CASES}
    judged = result.get("judged", True)
    lines = [
        "| case | session | this version ÷ | ratio | rounds | target | |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in result["rows"]:
        for t in row["targets"]:
            verdict = "short run" if not judged else "met" if t["met"] else "not met"
            lines.append(
                f"| {labels[row['case']]} | {_size(row['size'])} | {LABELS[t['baseline']]} "
                f"| {_fmt(t['ratio'])} | {_fmt(t['min'])} to {_fmt(t['max'])} "
                f"| ≥ {t['target']:.2f} | {verdict} |"
            )
    shown = [impl for impl in [*IMPLS, *EXTRA]
             if any(impl in row["vs_bare"] for row in result["rows"])]
    starlette = any(row["starlette_vs_starlette_bare"] is not None for row in result["rows"])
    lines += [
        "",
        "| case | session | " + " | ".join(LABELS[impl] for impl in shown)
        + (" | Starlette ÷ bare Starlette" if starlette else "") + " |",
        "|---|---|" + "---|" * (len(shown) + starlette),
    ]
    for row in result["rows"]:
        cells = [_fmt(row["vs_bare"].get(impl)) for impl in shown]
        if starlette:
            cells.append(_fmt(row["starlette_vs_starlette_bare"]))
        lines.append(f"| {labels[row['case']]} | {_size(row['size'])} | " + " | ".join(cells)
                     + " |")
    m = result["machine"]
    plan = result["plan"]
    lines += [
        "",
        "First table: this version's requests per second over its baseline's, measured at the "
        "same time (the performance targets; in the \"reads, refresh off\" case both run with "
        f"refresh off), medians of {plan['rounds']} rounds of {plan['duration']:g} s "
        "(\"rounds\": the lowest and highest round). Second table: every server over bare "
        "Sanic, same run (the floor and this version with refresh off in the "
        "\"refresh off\" case).",
    ]
    if not judged:
        lines += [
            "",
            f"A short run (fewer than {JUDGED_ROUNDS} rounds or under "
            f"{JUDGED_DURATION:g} s each): the ratios are indicative only and are not judged "
            "against the targets.",
        ]
    lines += [
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['system']}, Python {m['python']}, "
        f"Sanic {m['sanic']}, Sanic Extensions {m.get('sanic-ext', '?')} "
        f"(0.3.1's side: {m.get('sanic-ext (legacy)', '?')}; AUTO_EXTEND off in every app), "
        f"itsdangerous {m['itsdangerous']}, wrk {m['wrk']}; "
        f"servers pinned to CPU {result['pinning']['servers']}, wrk to CPU "
        f"{result['pinning']['wrk']}.",
    ]
    mem = result.get("memory")
    if mem:
        lines += [
            "",
            f"Memory: RSS {mem['rss_kib'][0] / 1024:.1f} MiB after warm-up, "
            f"{mem['rss_kib'][-1] / 1024:.1f} MiB after {mem['requests']:,} requests "
            f"(growth {mem['growth_kib'] / 1024:+.1f} MiB, spread "
            f"{mem['max_minus_min_kib'] / 1024:.1f} MiB).",
        ]
    return "\n".join(lines) + "\n"


def chart(result: dict[str, Any], path: Path) -> None:
    """Every session server over bare Sanic, per case; a red dash over this
    version's bar marks the level each target asks of it (the target times
    the baseline's ratio, measured in the same run)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = result["rows"]
    labels = [f"{r['case']}\n{_size(r['size'])}" for r in rows]
    colors = {"lifecycle": "#dddddd", "floor": "#8d99ae", "ours": "#2a6f97",
              "legacy": "#bbbbbb", "starlette": "#e09f3e"}
    series = [impl for impl in colors if any(impl in r["vs_bare"] for r in rows)]
    width = 0.8 / max(len(series), 1)
    fig, ax = plt.subplots(figsize=(11, 4.4), dpi=100)
    for i, impl in enumerate(series):
        xs = [j + (i - (len(series) - 1) / 2) * width for j in range(len(rows))]
        ys = [r["vs_bare"].get(impl) or 0 for r in rows]
        ax.bar(xs, ys, width, label=LABELS[impl], color=colors[impl])
    at = series.index("ours") - (len(series) - 1) / 2 if "ours" in series else None
    first = True
    for j, r in enumerate(rows):
        for t in r["targets"]:
            base = 1.0 if t["baseline"] == "bare" else r["vs_bare"].get(t["baseline"])
            if at is None or base is None:
                continue
            x = j + at * width
            ax.hlines(t["target"] * base, x - width / 2, x + width / 2, colors="#c1121f",
                      linewidth=1.6, label="target" if first else None)
            first = False
    ax.axhline(1.0, color="black", linewidth=0.6)
    ax.set_xticks(range(len(rows)), labels, fontsize=8)
    ax.set_ylim(0, 1.3)
    ax.set_ylabel("requests/s ÷ bare Sanic")
    ax.set_title("Throughput kept with sessions on (one worker, higher is better)")
    ax.legend(fontsize=8, ncol=3, loc="upper right")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


def save(result: dict[str, Any], outdir: Path, name: str = "e2e") -> None:
    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
    (outdir / f"{name}.md").write_text(markdown(result))
    chart(result, outdir / f"{name}.png")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="End-to-end benchmark (wrk on 127.0.0.1).")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--connections", type=int, default=8, help="per wrk")
    parser.add_argument("--only", nargs="+", choices=IMPLS + EXTRA, help="implementations to run")
    parser.add_argument("--case", nargs="+", choices=[c[0] for c in CASES])
    parser.add_argument("--size", nargs="+", choices=SIZES)
    parser.add_argument("--memory-requests", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--report", type=Path, metavar="JSON",
                        help="only redraw the Markdown and chart of a saved run")
    args = parser.parse_args(argv)
    if args.report:
        result = json.loads(args.report.read_text())
        save(result, args.out)
        print(markdown(result))
        return
    need_wrk()
    impls = args.only or list(IMPLS)
    if "bare" not in impls:
        impls = ["bare", *impls]
    plan = Plan(
        duration=args.duration, rounds=args.rounds, warmup=args.warmup,
        connections=args.connections, impls=impls,
        cases=args.case or [c[0] for c in CASES], sizes=args.size or list(SIZES),
        memory_requests=args.memory_requests,
    )
    result = run(plan)
    save(result, args.out)
    print(markdown(result))
    print(f"written: {args.out}/e2e.json, e2e.md, e2e.png")


if __name__ == "__main__":
    main()
