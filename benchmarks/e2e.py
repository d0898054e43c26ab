"""End-to-end benchmark: requests per second over 127.0.0.1, as ratios.

For each case (a route and a session size), ``serve.py``'s servers run at
the same time on one core, each loaded by its own ``wrk`` on the other;
ratios between servers of the same round cancel the machine's noise (see
``benchmarks/README.md``). The report: this checkout over the baseline of
each performance target, every server over bare Sanic, and the memory check.

    python benchmarks/e2e.py                       # full run (about 6 minutes)
    python benchmarks/e2e.py --duration 2 --rounds 3 --only ours
"""

from __future__ import annotations

import argparse
import importlib.metadata
import itertools
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from itsdangerous import URLSafeTimedSerializer

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import envs  # noqa: E402
from serve import (  # noqa: E402
    CASES,
    ROUTES,
    SALT,
    SECRET,
    SESSION_IMPLS,
    SIZES,
    TARGETS,
    Server,
    cookie_for,
    cpus,
    load,
    need_wrk,
    running,
    server_for,
    session_data,
)

#: What a plain run loads (every server the targets need, and Starlette).
IMPLS = ["bare", "lifecycle", "floor", "ours", "legacy", "starlette-bare", "starlette"]
#: Diagnostic servers, run only when asked for (see ``serve.py``).
EXTRA = ["middleware", "control", "vary", "headers"]
LABELS = {
    "bare": "bare Sanic",
    "lifecycle": "bare + 2 empty lifecycle handlers",
    "floor": "floor (inline, 2 signals)",
    "ours": "this version",
    "legacy": "0.3.1",
    "starlette-bare": "bare Starlette",
    "starlette": "Starlette SessionMiddleware",
    "middleware": "bare + empty middleware",
    "control": "bare (a second one)",
    "vary": "bare + Vary",
    "headers": "bare + Vary + Set-Cookie",
}
#: Below these, a run is too short for its ratios to be judged: the report
#: shows them with their targets but says neither "met" nor "not met".
JUDGED_ROUNDS = 3
JUDGED_DURATION = 3.0


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


def members(case: str, servers: dict[str, Server]) -> list[str]:
    """The servers loaded together in ``case``, in report order."""
    names = (server_for(impl, case) for impl in [*IMPLS, *EXTRA])
    return [name for name in names if name in servers]


def check_servers(servers: dict[str, Server]) -> None:
    """Each server accepts its cookie and writes one only when it should;
    every token written (on change, and on reads with refresh on) is one
    itsdangerous accepts; the floor writes the same cookie attributes as
    this checkout."""
    serializer = URLSafeTimedSerializer(SECRET, salt=SALT)
    attributes: dict[str, list[str]] = {}
    for size in SIZES:
        for name, server in servers.items():
            impl, cookie = server.impl, cookie_for(server.impl, size)
            written = server.set_cookies("/write", cookie)
            if impl not in ("legacy", "starlette", *SESSION_IMPLS):
                assert not written or impl == "headers", (name, written)
                continue
            assert written, (name, "no Set-Cookie on /write")
            value, _, attrs = written[0].partition(";")
            if impl != "starlette":
                data = serializer.loads(value.split("=", 1)[1])
                assert data == {**session_data(size), "visits": 2}, (name, "cookie not accepted")
            if impl in SESSION_IMPLS:
                attributes[impl] = sorted(a.strip().lower() for a in attrs.split(";"))
                assert not server.set_cookies("/untouched", cookie), name
                read = server.set_cookies("/read", cookie)
                assert bool(read) is server.refresh, (name, read)
                if read:
                    value = read[0].split(";", 1)[0].split("=", 1)[1]
                    assert serializer.loads(value) == session_data(size), (name, "refresh")
    if len(attributes) == len(SESSION_IMPLS):
        assert attributes["ours"] == attributes["floor"], (
            f"this checkout now writes the cookie attributes {attributes['ours']}, the floor "
            f"{attributes['floor']}: update COOKIE_ATTRS in serve.py"
        )


def run(plan: Plan) -> dict[str, Any]:
    server_core, wrk_core = cpus()
    # A session server also runs with refresh off when the read case is on.
    names = [*plan.impls, *(server_for(i, c) for c in plan.cases for i in plan.impls)]
    servers = {n: Server(n, envs.python_for(n), server_core) for n in dict.fromkeys(names)}
    groups = [(case, size) for size in plan.sizes for case in plan.cases]
    samples: dict[str, dict[str, list[float]]] = {f"{c}/{s}": {} for c, s in groups}

    def measure(case: str, size: str, seconds: float) -> list[tuple[str, float]]:
        loaded = members(case, servers)
        jobs = [(servers[n].url(ROUTES[case]), cookie_for(servers[n].impl, size)) for n in loaded]
        results = load(jobs, seconds, connections=plan.connections, core=wrk_core)
        for name, result in zip(loaded, results, strict=True):
            if result.errors:
                raise RuntimeError(f"{name} {case}/{size}: {result.errors}")
        return [(name, result.rps) for name, result in zip(loaded, results, strict=True)]

    started = time.time()
    with running(servers.values()):
        check_servers(servers)
        for case, size in groups:
            measure(case, size, plan.warmup)
        for r in range(plan.rounds):
            for case, size in groups[r % len(groups):] + groups[: r % len(groups)]:
                rps = measure(case, size, plan.duration)
                for name, value in rps:
                    samples[f"{case}/{size}"].setdefault(name, []).append(value)
                line = "  ".join(f"{name}={value:.0f}" for name, value in rps)
                print(f"round {r + 1}/{plan.rounds} {case:9} {size:5} {line}", flush=True)
        memory = memory_check(servers.get("ours"), plan.memory_requests, wrk_core)
    return summarize(plan, samples, memory, started, server_core, wrk_core)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def memory_check(server: Server | None, total: int, core: str | None) -> dict[str, Any] | None:
    """RSS of the ``ours`` server across at least ``total`` requests (every
    route, both sizes, in turn), after a warm-up; sampled after each of
    about ten loads."""
    if server is None or server.proc is None or total <= 0:
        return None
    loads = [(route, size) for route in ("/write", "/read", "/untouched") for size in SIZES]

    def drive(seconds: float, route: str, size: str) -> int:
        job = (server.url(route), cookie_for("ours", size))
        return load([job], seconds, connections=4, core=core)[0].requests

    warm = drive(2, "/write", "1k")
    seconds = max(1, round(total / 10 / max(warm / 2, 1)))
    samples = [rss_kib(server.proc.pid)]
    done = 0
    deadline = time.monotonic() + 900  # bounded, whatever the machine
    for route, size in itertools.cycle(loads):
        if done >= total or time.monotonic() > deadline:
            break
        done += drive(seconds, route, size)
        samples.append(rss_kib(server.proc.pid))
    print(f"memory: {done} requests, RSS {samples[0]} -> {samples[-1]} KiB", flush=True)
    return {
        "requests": done,
        "rss_kib": samples,
        "growth_kib": samples[-1] - samples[0],
        "max_minus_min_kib": max(samples) - min(samples),
    }


# -- report -------------------------------------------------------------------


def summarize(
    plan: Plan, samples: dict[str, dict[str, list[float]]], memory: dict[str, Any] | None,
    started: float, server_core: str | None, wrk_core: str | None,
) -> dict[str, Any]:
    judged = plan.rounds >= JUDGED_ROUNDS and plan.duration >= JUDGED_DURATION
    rows = []
    for key, rps in samples.items():
        case, size = key.split("/")

        def ratios(num: str, den: str, rps: dict[str, list[float]] = rps,
                   case: str = case) -> list[float]:
            """Per-round ratios of the two servers standing for two impls."""
            a, b = rps.get(server_for(num, case)), rps.get(server_for(den, case))
            return [x / y for x, y in zip(a, b, strict=True)] if a and b else []

        targets = []
        for target_case, baseline, target in TARGETS:
            per_round = ratios("ours", baseline) if target_case == case else []
            if per_round:  # else this run left out ours or the baseline
                ratio = statistics.median(per_round)
                targets.append({
                    "baseline": baseline, "target": target, "ratio": ratio,
                    "min": min(per_round), "max": max(per_round),
                    "met": ratio >= target if judged else None,
                })
        starlette = ratios("starlette", "starlette-bare")
        rows.append({
            "case": case,
            "size": size,
            "targets": targets,
            "vs_bare": {impl: statistics.median(per_round) for impl in [*IMPLS, *EXTRA]
                        if impl != "bare" and (per_round := ratios(impl, "bare"))},
            "starlette_vs_starlette_bare": statistics.median(starlette) if starlette else None,
            "rps": {name: statistics.median(v) for name, v in rps.items()},
        })
    return {
        "plan": asdict(plan),
        "machine": machine(),
        "pinning": {"servers": server_core, "wrk": wrk_core},
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "seconds": round(time.time() - started),
        "judged": judged,
        "rows": rows,
        "memory": memory,
    }


def machine() -> dict[str, Any]:
    cpuinfo = Path("/proc/cpuinfo")
    models = [line.split(":", 1)[1].strip() for line in
              (cpuinfo.read_text().splitlines() if cpuinfo.exists() else [])
              if line.startswith("model name")] or [""]
    versions = {}
    for dist in ("sanic", "sanic-ext", "itsdangerous", "sanic-cookiesession"):
        try:
            versions[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            versions[dist] = "?"
    for env_name, dists in (("legacy", ["sanic-cookiesession", "sanic-ext"]),
                            ("starlette", ["starlette", "uvicorn"])):
        for dist in dists:
            code = f"import importlib.metadata as m; print(m.version({dist!r}))"
            try:
                versions[f"{dist} ({env_name})"] = subprocess.run(
                    [str(envs.python(env_name)), "-c", code],
                    capture_output=True, text=True, timeout=30,
                ).stdout.strip() or "?"
            except OSError:
                versions[f"{dist} ({env_name})"] = "not set up"
    wrk = subprocess.run([need_wrk(), "-v"], capture_output=True, text=True).stdout.split()
    return {
        "cpu": models[0],
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "wrk": wrk[1] if len(wrk) > 1 else "?",
        **versions,
    }


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.2f}"


def _size(size: str) -> str:
    return "~25 B" if size == "small" else "~1 KB"


def markdown(result: dict[str, Any]) -> str:
    labels = {key: label for key, label, _ in CASES}
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
    m, plan = result["machine"], result["plan"]
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
    colors = {"lifecycle": "#dddddd", "floor": "#8d99ae", "ours": "#2a6f97",
              "legacy": "#bbbbbb", "starlette": "#e09f3e"}
    series = [impl for impl in colors if any(impl in r["vs_bare"] for r in rows)]
    width = 0.8 / max(len(series), 1)
    fig, ax = plt.subplots(figsize=(11, 4.4), dpi=100)
    for i, impl in enumerate(series):
        xs = [j + (i - (len(series) - 1) / 2) * width for j in range(len(rows))]
        ys = [r["vs_bare"].get(impl) or 0 for r in rows]
        ax.bar(xs, ys, width, label=LABELS[impl], color=colors[impl])
    if "ours" in series:
        at = series.index("ours") - (len(series) - 1) / 2
        dashes = [(j + at * width, t["target"] * r["vs_bare"][t["baseline"]])
                  for j, r in enumerate(rows) for t in r["targets"]
                  if t["baseline"] in r["vs_bare"]]
        for k, (x, level) in enumerate(dashes):
            ax.hlines(level, x - width / 2, x + width / 2, colors="#c1121f", linewidth=1.6,
                      label="_nolegend_" if k else "target")
    ax.axhline(1.0, color="black", linewidth=0.6)
    ax.set_xticks(range(len(rows)), [f"{r['case']}\n{_size(r['size'])}" for r in rows],
                  fontsize=8)
    ax.set_ylim(0, 1.3)
    ax.set_ylabel("requests/s ÷ bare Sanic")
    ax.set_title("Throughput kept with sessions on (one worker, higher is better)")
    ax.legend(fontsize=8, ncol=3, loc="upper right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def save(result: dict[str, Any], outdir: Path) -> None:
    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / "e2e.json").write_text(json.dumps(result, indent=2) + "\n")
    (outdir / "e2e.md").write_text(markdown(result))
    chart(result, outdir / "e2e.png")
    print(markdown(result))
    print(f"written: {outdir}/e2e.json, e2e.md, e2e.png")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="End-to-end benchmark (wrk on 127.0.0.1).")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", nargs="+", choices=IMPLS + EXTRA,
                        help="servers to run (bare Sanic always runs)")
    parser.add_argument("--case", nargs="+", choices=[c[0] for c in CASES])
    parser.add_argument("--size", nargs="+", choices=SIZES)
    parser.add_argument("--memory-requests", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--report", type=Path, metavar="JSON",
                        help="only redraw the Markdown and chart of a saved run")
    args = parser.parse_args(argv)
    if args.report:
        save(json.loads(args.report.read_text()), args.out)
        return
    need_wrk()
    plan = Plan(
        duration=args.duration, rounds=args.rounds,
        impls=list(dict.fromkeys(["bare", *(args.only or IMPLS)])),
        cases=args.case or [c[0] for c in CASES], sizes=args.size or list(SIZES),
        memory_requests=args.memory_requests,
    )
    save(run(plan), args.out)


if __name__ == "__main__":
    main()
