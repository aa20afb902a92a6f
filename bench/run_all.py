"""Run Inroad's benchmarks and write ``bench/RESULTS.md`` (what ``make bench`` runs).

  python bench/run_all.py                     # messaging on SQLite and PostgreSQL, graph, coach
  python bench/run_all.py --quick             # small counts: a smoke test of the whole pipeline
  python bench/run_all.py --synapse           # also Matrix Synapse, same machine, same run
  python bench/run_all.py --only messaging --dbs sqlite
  python bench/run_all.py --profile           # plus a py-spy'd messaging run per database
  python bench/run_all.py --render-only       # rebuild RESULTS.md from bench/out/*.json

Each benchmark runs as a subprocess with a time bound; JSON and logs go to ``bench/out/``
(gitignored). The PostgreSQL database (``--postgres-url`` or ``INROAD_BENCH_POSTGRES_URL``, default
``postgresql://postgres@127.0.0.1:5432/inroad_bench``) is WIPED by the messaging benchmark.
Synapse's harness (``../shared/bench/synapse/``, read-only) is copied to ``$BENCH_DIR/harness``
and run there, since its ``run.sh`` writes its results next to itself; no Synapse code enters
this repository.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OUT = BENCH / "out"
SHARED_SYNAPSE = REPO.parent / "shared" / "bench" / "synapse"
RESULTS = BENCH / "RESULTS.md"
ANALYSIS = BENCH / "ANALYSIS.md"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/inroad_bench"
PY = sys.executable

QUICK_SYNAPSE_ARGS = ("--warmup 5 --send-n 50 --e2e-n 30 --tput-s 3 --tput-warmup-s 1 "
                      "--inbox-rooms 20 --inbox-repeats 2")


def log(msg: str) -> None:
    print(f"[{datetime.now().strftime('%H:%M:%S')}] {msg}", flush=True)


def run_bounded(cmd: list[str], *, timeout: float, log_path: Path, cwd: Path = REPO,
                env: dict[str, str] | None = None) -> tuple[int | str, str]:
    """Run ``cmd`` in its own process group, output to ``log_path``; on timeout SIGTERM that group
    (then SIGKILL). Returns (exit code or "timeout", the output)."""
    started = time.monotonic()
    with open(log_path, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            rc: int | str = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            rc = "timeout"
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
    text = log_path.read_text(errors="replace")
    took = time.monotonic() - started
    log(f"  {' '.join(cmd[:4])} ... -> {rc} in {took:.0f} s ({log_path.name})")
    return rc, text


def stop_leftover_server(pid_file: Path) -> None:
    """If a benchmark died without stopping its server, stop that PID (only if it is ours)."""
    if not pid_file.exists():
        return
    with contextlib.suppress(ValueError, OSError):
        pid = int(pid_file.read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        if "inroad" in cmdline and " serve" in cmdline:
            log(f"  stopping leftover server pid {pid}")
            os.kill(pid, signal.SIGTERM)
    with contextlib.suppress(OSError):
        pid_file.unlink()


# ------------------------------------------------------------------------------- the machine
def machine() -> dict[str, Any]:
    info: dict[str, Any] = {}
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                info["cpu_model"] = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        info["mem_total_GiB"] = round(int(f.readline().split()[1]) / 1024 / 1024, 1)
    info["cores"] = os.cpu_count()
    info["kernel"] = os.uname().release
    info["python"] = sys.version.split()[0]
    import sqlite3

    info["sqlite"] = sqlite3.sqlite_version
    try:
        info["git_commit"] = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True,
            timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=REPO, capture_output=True,
                               text=True, timeout=10).stdout.strip()
        info["git_dirty"] = bool(dirty)
    except (OSError, subprocess.SubprocessError):
        pass
    return info


def postgres_facts(url: str) -> dict[str, Any] | None:
    """Server version and the settings that decide commit cost, or None when unreachable."""
    import asyncio

    import asyncpg
    from sqlalchemy.engine import make_url

    u = make_url(url)

    async def go() -> dict[str, Any]:
        conn = await asyncpg.connect(host=u.host or "127.0.0.1", port=u.port or 5432,
                                     user=u.username or "postgres", password=u.password,
                                     database="postgres", timeout=5)
        try:
            facts = {"version": await conn.fetchval("SHOW server_version")}
            for k in ("shared_buffers", "fsync", "synchronous_commit", "max_connections"):
                facts[k] = await conn.fetchval(f"SHOW {k}")
            return facts
        finally:
            await conn.close()

    try:
        return asyncio.run(go())
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        log(f"PostgreSQL at {u.host}:{u.port} not reachable: {exc}")
        return None


# ------------------------------------------------------------------------------------ steps
def run_messaging(args: argparse.Namespace, db: str, *, profile: bool = False) -> None:
    label = f"{db}-profile" if profile else db
    cmd = [PY, str(BENCH / "bench_messaging.py"), "--db", db, "--label", label,
           "--out", str(OUT / f"messaging-{label}.json")]
    if db == "postgres":
        cmd += ["--postgres-url", args.postgres_url]
    if args.quick:
        cmd.append("--quick")
    if profile:
        # A separate run: py-spy slows the server, so these figures are not the measured ones.
        cmd += ["--phases", "send,tput,inbox", "--profile", "send,tput,inbox",
                "--tput-senders", "50", "--idle-after-s", "0"]
    log(f"messaging on {db}{' (py-spy profile)' if profile else ''}")
    (OUT / f"messaging-{label}.json").unlink(missing_ok=True)
    rc, _ = run_bounded(cmd, timeout=args.timeout, log_path=OUT / f"messaging-{label}.log")
    stop_leftover_server(OUT / f"server-{label}.pid")
    if rc != 0:
        log(f"  messaging on {db} failed ({rc}); see bench/out/messaging-{label}.log")


def run_synapse(args: argparse.Namespace, backend: str) -> None:
    bench_dir = Path(os.environ.get("BENCH_DIR", "/tmp/synapse-bench"))
    harness = bench_dir / "harness"
    env = {**os.environ, "BENCH_DIR": str(bench_dir), "PORT": str(free_port())}
    if args.quick:
        env["BENCH_ARGS"] = QUICK_SYNAPSE_ARGS
    if not (harness / "run.sh").exists() or not getattr(args, "_synapse_ready", False):
        log("synapse: copying the harness and running setup.sh")
        shutil.rmtree(harness, ignore_errors=True)
        harness.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(SHARED_SYNAPSE, harness)
        for p in [harness, *harness.rglob("*")]:
            p.chmod(p.stat().st_mode | 0o200)
        shutil.rmtree(harness / "results", ignore_errors=True)  # the quoted runs stay in shared/
        rc, _ = run_bounded(["bash", "setup.sh"], timeout=1200, cwd=harness, env=env,
                            log_path=OUT / "synapse-setup.log")
        if rc != 0:
            log("  synapse setup failed; see bench/out/synapse-setup.log")
            return
        args._synapse_ready = True
    if backend == "postgres" and postgres_facts(args.postgres_url) is None:
        # `setup.sh --postgres` installs and starts a Debian cluster; only when none answers, so a
        # running shared cluster's configuration is never touched.
        rc, _ = run_bounded(["bash", "setup.sh", "--postgres"], timeout=1200, cwd=harness,
                            env=env, log_path=OUT / "synapse-setup-postgres.log")
        if rc != 0:
            return
    log(f"synapse on {backend}")
    result = harness / "results" / f"{backend}.json"
    result.unlink(missing_ok=True)
    rc, _ = run_bounded(["bash", "run.sh", backend], timeout=args.timeout, cwd=harness, env=env,
                        log_path=OUT / f"synapse-{backend}.log")
    if result.exists():
        data = json.loads(result.read_text())
        data["quick"] = args.quick
        data["date_utc"] = datetime.now(UTC).isoformat(timespec="seconds")
        (OUT / f"synapse-{backend}.json").write_text(json.dumps(data, indent=2))
    else:
        log(f"  synapse on {backend} gave no results ({rc}); see bench/out/synapse-{backend}.log")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_graph(args: argparse.Namespace) -> None:
    script = BENCH / "bench_graph.py"
    dest = OUT / "graph.json"
    dest.unlink(missing_ok=True)
    if not script.exists():
        (OUT / "graph-missing.txt").write_text("bench/bench_graph.py is not in the tree yet\n")
        log("graph: bench/bench_graph.py not present, skipped")
        return
    (OUT / "graph-missing.txt").unlink(missing_ok=True)
    cmd = [PY, str(script), "--out", str(dest)]
    help_text = subprocess.run([PY, str(script), "--help"], capture_output=True, text=True,
                               timeout=60, cwd=REPO).stdout
    if args.quick and "--quick" in help_text:
        cmd.append("--quick")
    if "--postgres-url" in help_text and args.postgres_url:
        cmd += ["--postgres-url", args.postgres_url]
    log("graph")
    run_bounded(cmd, timeout=args.timeout, log_path=OUT / "graph.log")


COACH_RE = re.compile(r"p50 ([\d.]+) ms\s+p99 ([\d.]+) ms\s+max ([\d.]+) ms")
COACH_N_RE = re.compile(r"over (\d+) messages x (\d+) rounds = (\d+) calls")


def run_coach(args: argparse.Namespace) -> None:
    script = BENCH / "bench_coach.py"
    dest = OUT / "coach.json"
    dest.unlink(missing_ok=True)
    if not script.exists():
        log("coach: bench/bench_coach.py not present, skipped")
        return
    cmd = [PY, str(script)] + (["--rounds", "2"] if args.quick else [])
    log("coach")
    rc, text = run_bounded(cmd, timeout=args.timeout, log_path=OUT / "coach.log")
    shown = ["bench/bench_coach.py", *cmd[2:]]
    res: dict[str, Any] = {"exit": rc, "stdout": text[-2000:], "command": " ".join(shown),
                           "date_utc": datetime.now(UTC).isoformat(timespec="seconds")}
    m, n = COACH_RE.search(text), COACH_N_RE.search(text)
    if m:
        res.update(p50_ms=float(m[1]), p99_ms=float(m[2]), max_ms=float(m[3]))
    if n:
        res.update(messages=int(n[1]), rounds=int(n[2]), calls=int(n[3]))
    dest.write_text(json.dumps(res, indent=2))


ENDPOINT_RE = re.compile(r"^(.+): p50 ([\d.]+) ms, p99 ([\d.]+) ms \(n=(\d+)\)$", re.M)


def run_endpoints(args: argparse.Namespace) -> None:
    """``bench_endpoints.py`` (the lead's): read endpoints on a demo network; parses its text."""
    script = BENCH / "bench_endpoints.py"
    dest = OUT / "endpoints.json"
    dest.unlink(missing_ok=True)
    if not script.exists():
        log("endpoints: bench/bench_endpoints.py not present, skipped")
        return
    cmd = [PY, str(script), "--n", "50" if args.quick else "500"]
    log("endpoints")
    rc, text = run_bounded(cmd, timeout=args.timeout, log_path=OUT / "endpoints.log")
    rows = [{"endpoint": m[1], "p50_ms": float(m[2]), "p99_ms": float(m[3]), "n": int(m[4])}
            for m in ENDPOINT_RE.finditer(text)]
    dest.write_text(json.dumps({
        "exit": rc, "rows": rows, "command": "bench/bench_endpoints.py " + " ".join(cmd[2:]),
        "date_utc": datetime.now(UTC).isoformat(timespec="seconds"), "stdout": text[-2000:],
    }, indent=2))


# ---------------------------------------------------------------------------------- report
def load(name: str) -> dict[str, Any] | None:
    p = OUT / name
    if not p.exists():
        return None
    try:
        data: dict[str, Any] = json.loads(p.read_text())
        return data
    except ValueError:
        return None


def dig(d: Any, *path: str) -> Any:
    for k in path:
        if not isinstance(d, dict) or k not in d:
            return None
        d = d[k]
    return d


def rss_at(d: dict[str, Any] | None, *tags: str) -> float | None:
    for tag in tags:
        for s in (d or {}).get("rss", []):
            if s.get("at") == tag:
                return float(s["VmRSS_MiB"])
    return None


def rss_peak(d: dict[str, Any] | None) -> float | None:
    vals = [s.get("VmHWM_MiB") for s in (d or {}).get("rss", []) if s.get("VmHWM_MiB")]
    return max(vals) if vals else None


def f(v: Any, nd: int = 1, unit: str = "") -> str:
    if v is None:
        return "—"
    if isinstance(v, float | int):
        return f"{v:,.{nd}f}{unit}"
    return str(v)


def lat(d: Any) -> tuple[Any, Any]:
    """(p50, p99) from an Inroad or a Synapse latency summary."""
    if not isinstance(d, dict):
        return None, None
    return d.get("p50_ms", d.get("median_ms")), d.get("p99_ms")


def db_share(cpu: dict[str, Any], key: str) -> Any:
    """A PostgreSQL backend CPU figure, or "—" when absent or unusable (an older run counted
    backends that exited inside the window as negative)."""
    v = cpu.get(key)
    return "—" if v is None or v < 0 else v


def pair(d: Any, nd: int = 2) -> str:
    a, b = lat(d)
    return "—" if a is None else f"{f(a, nd)} / {f(b, nd)}"


# The quoted Synapse figures (the 10× checks use the top of each range, per sender count,
# from shared/bench/synapse/RESULTS.md): the baseline when no same-run Synapse result exists.
QUOTED: dict[str, dict[str, Any]] = {
    "sqlite": {"send": "11–13 / 17–19", "e2e": "16–17 / 21–26", "tput": "94–140",
               "tput10": 95.1, "tput50": 140.0, "inbox": "630–655 (initial sync, median)",
               "rss_idle": "120", "rss_after": "200"},
    "postgres": {"send": "20–25 / 31–33", "e2e": "—", "tput": "66–91", "tput10": 90.8,
                 "tput50": 84.0, "inbox": "—", "rss_idle": "120", "rss_after": "200"},
}


def verdict(ok: bool | None, how: str = "") -> str:
    if ok is None:
        return "not measured"
    return "**met**" if ok else f"**missed**{' — ' + how if how else ''}"


def short_by(value: float, target: float, unit: str, higher_is_better: bool = False) -> str:
    if higher_is_better:
        below = f(100 * (1 - value / target), 0)
        return f"{f(value, 1)}{unit} is {below}% below {f(target, 1)}{unit}"
    over = f"{f(value - target, 2)}{unit} ({f(100 * (value / target - 1), 0)}%)"
    return f"{f(value, 2)}{unit} is {over} over {f(target, 2)}{unit}"


# Where server time goes, by concern: a bucket holds a sample when any frame of its stack
# contains one of the bucket's patterns (so buckets overlap: they are inclusive shares).
BUCKETS: list[tuple[str, tuple[str, ...]]] = [
    ("whole HTTP request (uvicorn httptools cycle)", ("httptools_impl",)),
    ("FastAPI dependencies (incl. authentication, body parsing)", ("solve_dependencies",)),
    ("authentication: token lookup (own read transaction)", ("authenticate (inroad",)),
    ("send: do_send_message", ("do_send_message",)),
    ("send: access_for_send (access check query)", ("access_for_send",)),
    ("send: _post (insert + member rows update)", ("_post (inroad",)),
    ("events: outbox (cursor upsert, insert, publish)", ("outbox.py",)),
    ("inbox: conversation_views", ("conversation_views",)),
    # SQLAlchemy's asyncio layer runs its sync core in greenlets, which py-spy shows as stacks
    # of their own (rooted at the engine), so match the engine's frames too, not only the
    # request-side AsyncConnection calls.
    ("SQL: SQLAlchemy, all statements (incl. its greenlet stacks)",
     ("AsyncConnection.", "AsyncEngine.", "sqlalchemy/engine/", "sqlalchemy/pool/")),
    ("sync dependency run in a worker thread (run_in_threadpool)", ("run_in_threadpool",)),
    ("SQL: aiosqlite hand-off to its thread", ("Connection._execute (aiosqlite",)),
    ("SQL: SQLite driver run inline on the loop (storage/sqlite_inline)", ("sqlite_inline",)),
    ("SQL: asyncpg driver", ("asyncpg/",)),
    ("SQL: statement construction (Column/alias/select)",
     ("Column.__init__ (", "Column._make_proxy", "expect (sqlalchemy")),
    ("SQL: cache key / compile", ("_generate_cache_key", "SQLCompiler.")),
    ("write transaction enter/exit (db.write)", ("Database.write",)),
    ("response JSON encoding", ("serialize_response", "jsonable_encoder", "JSONEncoder",
                                "JSONResponse")),
    ("access log line (logging)", ("logging/__init__", "Logger.")),
    ("Prometheus metrics", ("prometheus_client",)),
]
IDLE_LEAVES = ("Runner.run (asyncio/runners.py:118)",
               "_connection_worker_thread (aiosqlite/core.py:59)")


def buckets(raw: Path) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """From a py-spy collapsed file: each bucket's inclusive share (%) of the non-idle samples,
    and the top Inroad functions by inclusive share (framework frames hide them otherwise)."""
    total = 0
    hits = dict.fromkeys((name for name, _ in BUCKETS), 0)
    ours: dict[str, int] = {}
    if not raw.exists():
        return [], []
    with open(raw) as fh:
        for line in fh:
            stack, _, n = line.rstrip("\n").rpartition(" ")
            if not n.isdigit():
                continue
            frames = stack.split(";")
            if frames[-1].startswith(IDLE_LEAVES):
                continue
            total += int(n)
            for name, pats in BUCKETS:
                if any(p in fr for fr in frames for p in pats):
                    hits[name] += int(n)
            for fn in {fr.rsplit(":", 1)[0] + ")" for fr in frames
                       if "inroad/" in fr and "inroad/cli.py" not in fr}:
                ours[fn] = ours.get(fn, 0) + int(n)
    if not total:
        return [], []
    shares = [(k, round(100 * v / total, 1)) for k, v in hits.items() if v]
    top = sorted(ours.items(), key=lambda kv: -kv[1])[:15]
    return shares, [(k, round(100 * v / total, 1)) for k, v in top]


def render(args: argparse.Namespace) -> str:
    mach = load("machine.json") or {}
    ours = {db: load(f"messaging-{db}.json") for db in ("sqlite", "postgres")}
    syn = {db: load(f"synapse-{db}.json") for db in ("sqlite", "postgres")}
    L: list[str] = []
    w = L.append
    quick_any = any((d or {}).get("quick") for d in [*ours.values(), *syn.values()])
    w("# Inroad benchmark results")
    w("")
    w("Generated by `bench/run_all.py` (`make bench`); raw JSON and logs in `bench/out/` "
      "(not committed). How to run and what each phase measures: [README.md](README.md).")
    w("")
    if quick_any:
        w("> **QUICK MODE** (`--quick`): small counts for a smoke test. These figures are NOT "
          "the benchmark; run without `--quick` for them.")
        w("")
    mrun = load("messaging_run.json") or {}
    w(f"- Messaging and Synapse figures: run started {mrun.get('date_utc', '—')} (UTC) by "
      f"`{mrun.get('command', '—')}`; each other benchmark below gives its own date.")
    w(f"- Last invocation: {mach.get('date_utc', '—')} (UTC), `{mach.get('command', '—')}`")
    code = mrun if "git_commit" in mrun else mach
    w(f"- Code measured: commit `{code.get('git_commit', '?')}`"
      f"{' plus uncommitted changes in the work tree' if code.get('git_dirty') else ''}")
    w("")
    w("## Machine")
    w("")
    w("| | |")
    w("| --- | --- |")
    any_run = next((d for d in ours.values() if d), None) or {}
    m2 = any_run.get("machine", {})
    w(f"| CPU | {mach.get('cpu_model', '?')}, {mach.get('cores', '?')} cores (a shared VM) |")
    w(f"| RAM | {mach.get('mem_total_GiB', '?')} GiB |")
    w(f"| kernel | {mach.get('kernel', '?')} |")
    w(f"| Python | {mach.get('python', '?')} |")
    w(f"| SQLite | {mach.get('sqlite', '?')} (the stdlib `sqlite3` module) |")
    pg = mach.get("postgres") or {}
    if pg:
        w(f"| PostgreSQL | {pg.get('version')} on 127.0.0.1, "
          f"`shared_buffers={pg.get('shared_buffers')}`, "
          f"`fsync={pg.get('fsync')}`, `synchronous_commit={pg.get('synchronous_commit')}` |")
    else:
        w("| PostgreSQL | not reachable in this run |")
    pk = m2.get("packages") or {}
    if pk:
        w("| server stack | " + ", ".join(f"{k} {v}" for k, v in pk.items() if v) + " |")
    for db, d in ours.items():
        if d:
            m = d.get("machine", {})
            loadavg = ", ".join(f"{x:.2f}" for x in m.get("loadavg_at_start", []))
            w(f"| VM speed ({db} run) | calibration loop {m.get('py_calib_loop_ms')} ms (Synapse's "
              f"quoted runs: 56–64 ms); load average at start {loadavg} |")
    for db, d in syn.items():
        if d:
            calib = dig(d, "machine", "py_calib_loop_ms")
            w(f"| VM speed (Synapse {db} run) | calibration loop {calib} ms |")
    w("")
    w("## Settings")
    w("")
    w("- Inroad: one `inroad serve` process (uvicorn with uvloop + httptools, one worker), started "
      "by the benchmark after `inroad migrate` on a fresh database: SQLite in a fresh temp dir "
      "(WAL, `synchronous=NORMAL`, one serialised writer), PostgreSQL a freshly reset database "
      "(schema dropped and recreated).")
    settings = next((d.get("server_settings") for d in ours.values() if d), None)
    if settings:
        w("- Server environment: " + ", ".join(f"`{k}={v}`" for k, v in settings.items()
                                             if k not in ("INROAD_DATABASE_URL",)) + ".")
    w("- Rate limits off for the benchmark: `INROAD_SIGNUP_LIMIT_PER_HOUR=0` and "
      "`INROAD_SEND_LIMIT_PER_MINUTE=0`. Logging as shipped: one INFO access-log line per request "
      "(text format) to a file. Synapse logs at WARNING (its harness's default).")
    w("- Load: `bench/bench_messaging.py`, a separate process on the same 2 cores (asyncio on "
      f"{any_run.get('client_loop', 'uvloop')}, aiohttp with HTTP/1.1 keep-alive, the recipient's "
      "WebSocket through aiohttp), loopback only. Members sign up through the API; pairs are "
      "connected by writing both directions into `connections` (setup only, "
      "`bench/setup_connections.py`); every measured request is HTTP or WebSocket.")
    w("- Synapse: its own harness (`shared/bench/synapse/`, matrix-synapse 1.163.2), copied to "
      "`$BENCH_DIR/harness` and run unchanged in the same `run_all.py` invocation, interleaved "
      "with Inroad's runs.")
    w("")

    # -------- targets
    w("## Against the targets")
    w("")
    w("| metric | Inroad SQLite | Inroad PostgreSQL | Synapse SQLite | Synapse PostgreSQL "
      "| target | met? |")
    w("| --- | --- | --- | --- | --- | --- | --- |")

    def syn_cell(db: str, value: str, quoted_key: str) -> str:
        if syn[db]:
            return value
        return f"{QUOTED[db][quoted_key]} (issue's figure)"

    rows: list[tuple[str, ...]] = []
    # (c) throughput
    for n in (10, 50):
        cells, verd = [], []
        for db in ("sqlite", "postgres"):
            o = dig(ours[db], "phases", "tput", f"senders_{n}", "msgs_per_s")
            s = dig(syn[db], "phases", "tput", f"senders_{n}", "msgs_per_s")
            base = float(s if s is not None else QUOTED[db][f"tput{n}"])
            cells.append((o, s))
            if o is None:
                verd.append(f"{db}: not measured")
            else:
                ok = o >= 10 * base
                src = "same run" if s is not None else "issue's figure"
                quoted = float(QUOTED[db][f"tput{n}"])
                also = (f"; {f(o / quoted, 1)}× the issue's quoted {f(quoted, 0)} msg/s"
                        if s is not None else "")
                verd.append(f"{db}: {verdict(ok, short_by(o, 10 * base, ' msg/s', True))} "
                            f"({f(o / base, 1)}× Synapse, {src}{also})")
        rows.append((f"(c) accepted msg/s, {n} senders", f(cells[0][0]), f(cells[1][0]),
                     syn_cell("sqlite", f(cells[0][1]), "tput"),
                     syn_cell("postgres", f(cells[1][1]), "tput"),
                     "≥ 10× Synapse, same run, same database", "; ".join(verd)))
    # CPU per accepted message: less sensitive than wall-clock figures to what else runs on
    # the shared cores, so it shows the capacity one core would give when the run was disturbed.
    for n in (10, 50):
        cells2 = []
        for run in (ours["sqlite"], ours["postgres"], syn["sqlite"], syn["postgres"]):
            cpu = dig(run, "phases", "tput", f"senders_{n}", "cpu") or {}
            srv, dbc = cpu.get("srv_cpu_ms_per_msg"), cpu.get("db_cpu_ms_per_msg")
            if srv is None:
                cells2.append("—")
                continue
            ceiling = 1000.0 / srv
            db_part = f" + db {f(dbc, 2)}" if dbc is not None and dbc >= 0 else ""
            cells2.append(f"{f(srv, 2)}{db_part} (≤ {f(ceiling, 0)} msg/s per server core)")
        rows.append((f"(c) server CPU ms per accepted message, {n} senders", cells2[0], cells2[1],
                     cells2[2], cells2[3], "≤ 1/10 of Synapse's, for 10× on equal CPU",
                     "supporting figure"))
    # (a) send latency
    sv = {db: dig(ours[db], "phases", "send", "latency") for db in ours}
    ss = {db: dig(syn[db], "phases", "send", "latency") for db in syn}
    verd = []
    for db, lim in (("sqlite", 1.5), ("postgres", 3.0)):
        p50 = lat(sv[db])[0]
        verd.append(f"{db}: " + (verdict(None) if p50 is None else
                                 verdict(p50 <= lim, short_by(p50, lim, " ms"))))
    rows.append(("(a) send latency p50 / p99, ms", pair(sv["sqlite"]), pair(sv["postgres"]),
                 syn_cell("sqlite", pair(ss["sqlite"]), "send"),
                 syn_cell("postgres", pair(ss["postgres"]), "send"),
                 "p50 ≤ 1.5 ms SQLite, ≤ 3 ms PostgreSQL", "; ".join(verd)))
    # (b) e2e
    ev = {db: dig(ours[db], "phases", "e2e", "e2e_latency") for db in ours}
    es = {db: dig(syn[db], "phases", "e2e", "e2e_latency") for db in syn}
    verd = []
    for db in ("sqlite", "postgres"):
        p50 = lat(ev[db])[0]
        verd.append(f"{db}: " + (verdict(None) if p50 is None else
                                 verdict(p50 <= 3.0, short_by(p50, 3.0, " ms"))))
    rows.append(("(b) send → recipient sees it, p50 / p99, ms", pair(ev["sqlite"]),
                 pair(ev["postgres"]), syn_cell("sqlite", pair(es["sqlite"]), "e2e"),
                 syn_cell("postgres", pair(es["postgres"]), "e2e"), "p50 ≤ 3 ms",
                 "; ".join(verd)))
    # (e) inbox
    iv = {db: dig(ours[db], "phases", "inbox", "first_page") for db in ours}
    verd = []
    for db in ("sqlite", "postgres"):
        p99 = lat(iv[db])[1]
        verd.append(f"{db}: " + (verdict(None) if p99 is None else
                                 verdict(p99 <= 15.0, short_by(p99, 15.0, " ms"))))
    isyn = {db: dig(syn[db], "phases", "inbox", "initial_sync_warm_server", "no_filter",
                    "median_ms") for db in syn}
    rows.append(("(e) inbox first page (200 conversations) p50 / p99, ms", pair(iv["sqlite"]),
                 pair(iv["postgres"]),
                 syn_cell("sqlite", f"{f(isyn['sqlite'])} (full initial /sync, median)", "inbox"),
                 syn_cell("postgres", f"{f(isyn['postgres'])} (full initial /sync, median)",
                          "inbox"),
                 "p99 ≤ 15 ms", "; ".join(verd)))
    fv = {db: dig(ours[db], "phases", "inbox", "all_pages_limit_100") for db in ours}
    rows.append(("(e) all 200 conversations (2 pages of 100) p50 / p99, ms", pair(fv["sqlite"]),
                 pair(fv["postgres"]), "see row above", "see row above", "—", "no target"))
    # (d) RSS
    ri = {db: rss_at(ours[db], "idle_before_phases") for db in ours}
    rsi = {db: rss_at(syn[db], "idle_before_phases") for db in syn}
    verd = []
    for db in ("sqlite", "postgres"):
        v = ri[db]
        verd.append(f"{db}: " + (verdict(None) if v is None else
                                 verdict(v <= 80.0, short_by(v, 80.0, " MiB"))))
    rows.append(("(d) server RSS idle, MiB", f(ri["sqlite"]), f(ri["postgres"]),
                 syn_cell("sqlite", f(rsi["sqlite"]), "rss_idle"),
                 syn_cell("postgres", f(rsi["postgres"]), "rss_idle"), "≤ 80 MiB",
                 "; ".join(verd)))
    after_tags = ("idle_10s_after_load", "idle_10.0s_after_load", "after_inbox")
    ra = {db: rss_at(ours[db], *after_tags) for db in ours}
    rsa = {db: rss_at(syn[db], *after_tags) for db in syn}
    rows.append(("(d) server RSS after the load (peak VmHWM), MiB",
                 f"{f(ra['sqlite'])} ({f(rss_peak(ours['sqlite']))})",
                 f"{f(ra['postgres'])} ({f(rss_peak(ours['postgres']))})",
                 syn_cell("sqlite", f"{f(rsa['sqlite'])} ({f(rss_peak(syn['sqlite']))})",
                          "rss_after"),
                 syn_cell("postgres", f"{f(rsa['postgres'])} ({f(rss_peak(syn['postgres']))})",
                          "rss_after"), "—", "no target"))
    for r in rows:
        w("| " + " | ".join(r) + " |")
    w("")
    if not any(syn.values()):
        w("Synapse was not run in this invocation (`--synapse`), so its columns are the issue's "
          "quoted figures (measured on an AMD EPYC 2-vCPU VM), labelled as such; the 10× "
          "throughput check then uses the top of the quoted range.")
        w("")

    # -------- details
    for db in ("sqlite", "postgres"):
        d = ours[db]
        w(f"## Inroad on {'SQLite' if db == 'sqlite' else 'PostgreSQL'}: every figure")
        w("")
        if not d:
            w("Not run.")
            w("")
            continue
        if d.get("error"):
            w(f"**The run failed:** `{d['error']}` (see `bench/out/messaging-{db}.log`).")
            w("")
        w(f"Run {d.get('date_utc')} → {d.get('finished_utc')}, run id `{d.get('run_id')}`.")
        w("")
        w("| phase | n | p50 ms | p90 ms | p99 ms | max ms | notes |")
        w("| --- | --- | --- | --- | --- | --- | --- |")

        def line(name: str, s: Any, notes: str = "") -> None:
            if not isinstance(s, dict):
                return
            w(f"| {name} | {s.get('n', '—')} | {f(s.get('p50_ms'), 2)} | {f(s.get('p90_ms'), 2)} | "
              f"{f(s.get('p99_ms'), 2)} | {f(s.get('max_ms'), 2)} | {notes} |")

        ph = d.get("phases", {})
        send = ph.get("send", {})
        cpu = send.get("cpu") or {}
        line("(a) send, sequential", send.get("latency"),
             f"{send.get('sequential_msgs_per_s')} msg/s sequential; server CPU "
             f"{cpu.get('srv_cpu_ms_per_msg')} ms/msg, db {db_share(cpu, 'db_cpu_ms_per_msg')} "
             f"ms/msg; statuses {send.get('status_counts')}; other load "
             f"{cpu.get('other_cpu_pct_of_one_core')}% of a core")
        e2e = ph.get("e2e", {})
        cpu = e2e.get("cpu") or {}
        line("(b) send → WebSocket frame", e2e.get("e2e_latency"),
             f"delivered {e2e.get('delivered')}/{e2e.get('messages')}, not within "
             f"{d.get('params', {}).get('e2e_wait_s')} s: {e2e.get('not_delivered_within_wait')}; "
             f"frames {e2e.get('ws_frames_by_type')}")
        line("(b) the POST in the same run", e2e.get("send_latency_same_run"))
        tput_runs = [t for t in (ph.get("tput") or {}).values()
                     if isinstance(t, dict) and "senders" in t]
        for t in sorted(tput_runs, key=lambda t: int(t["senders"])):
            cpu = t.get("cpu") or {}
            line(f"(c) {t['senders']} senders, latency under load", t.get("latency_under_load"),
                 f"**{t.get('msgs_per_s')} msg/s** ({t.get('accepted')} 2xx in "
                 f"{t.get('duration_s')} s); statuses {t.get('status_counts')}; server "
                 f"{cpu.get('srv_cpu_pct_of_one_core')}% of a core "
                 f"({cpu.get('srv_cpu_ms_per_msg')} ms/msg), db "
                 f"{db_share(cpu, 'db_cpu_pct_of_one_core')}%, "
                 f"client {cpu.get('cli_cpu_pct_of_one_core')}%, machine busy "
                 f"{cpu.get('machine_busy_pct')}%, other load "
                 f"{cpu.get('other_cpu_pct_of_one_core')}%")
        ib = ph.get("inbox", {})
        chk = ib.get("first_page_check") or {}
        line("(e) inbox first page", ib.get("first_page"),
             f"first request {f(ib.get('first_request_ms'), 2)} ms; {chk.get('items')} items, "
             f"{chk.get('bytes')} bytes, with last message {chk.get('with_last_message')}, unread "
             f"counts {chk.get('unread_counts')}; build {ib.get('build_s')} s")
        line("(e) inbox, all pages (limit 100)", ib.get("all_pages_limit_100"),
             f"{ib.get('all_pages_conversations_seen')} conversations")
        ic = ph.get("inboxcold", {})
        line("(e') inbox first page after a restart", ic.get("first_page"),
             f"first request after restart {f(ic.get('first_request_ms'), 2)} ms")
        line("(e') all pages after a restart", ic.get("all_pages_limit_100"))
        w("")
        w("RSS (d), VmRSS / VmHWM MiB: " + "; ".join(
            f"{s['at']} {s['VmRSS_MiB']} / {s['VmHWM_MiB']}" for s in d.get("rss", [])))
        w("")

    # -------- synapse
    w("## Synapse, same run")
    w("")
    if not any(syn.values()):
        w("Not run (pass `--synapse`). The issue's quoted figures (2-core VM): send p50/p99 "
          "11–13/17–19 ms SQLite, 20–25/31–33 ms PostgreSQL; send→seen 16–17/21–26 ms (SQLite); "
          "throughput 94–140 msg/s (SQLite), 66–91 msg/s (PostgreSQL); inbox of 200 rooms (initial "
          "sync) 630–655 ms (SQLite); RSS 120 MiB idle, 200 MiB after load. Details: "
          "`shared/bench/synapse/RESULTS.md`.")
        w("")
    for db, d in syn.items():
        if not d:
            continue
        ph = d.get("phases", {})
        w(f"**{db}** (run id `{d.get('run_id')}`): send {pair(dig(ph, 'send', 'latency'))} ms; "
          f"e2e {pair(dig(ph, 'e2e', 'e2e_latency'))} ms; throughput "
          f"{dig(ph, 'tput', 'senders_10', 'msgs_per_s')} msg/s (10 senders), "
          f"{dig(ph, 'tput', 'senders_50', 'msgs_per_s')} msg/s (50); initial sync of "
          f"{dig(ph, 'inbox', 'rooms')} rooms first/median "
          f"{dig(ph, 'inbox', 'initial_sync_warm_server', 'no_filter', 'first_ms')} / "
          f"{dig(ph, 'inbox', 'initial_sync_warm_server', 'no_filter', 'median_ms')} ms; RSS idle "
          f"{rss_at(d, 'idle_before_phases')} MiB, after load {rss_at(d, *after_tags)} MiB "
          f"(peak {rss_peak(d)}).")
        w("")

    # -------- other benchmarks
    w("## Other benchmarks")
    w("")
    g = load("graph.json")
    if g:
        w(f"### Network graph (`bench/bench_graph.py`, run {g.get('date_utc', '?')})")
        w("")
        prm = g.get("params") or {}
        over = g.get("over_target") or "none"
        w(f"{f(prm.get('connections_each'), 0)} connections each for A and B "
          f"({f(prm.get('shared'), 0)} shared), {f(prm.get('connection_rows'), 0)} connection "
          f"rows, {prm.get('runs')} timed runs per case after {prm.get('warmups')} warm-ups; "
          f"target p99 ≤ {g.get('target_p99_ms')} ms. Over target: {over}.")
        w("")
        w("| database | case | p50 ms | p99 ms | max ms | result |")
        w("| --- | --- | --- | --- | --- | --- |")
        for db_name, cases in (g.get("results") or {}).items():
            for case, r in cases.items():
                w(f"| {db_name} | {case} | {r.get('p50_ms')} | {r.get('p99_ms')} | "
                  f"{r.get('max_ms')} | {r.get('result')} |")
    elif (OUT / "graph-missing.txt").exists():
        w("- Network graph: `bench/bench_graph.py` is not in the tree yet, so it was not run.")
    else:
        w("- Network graph: not run in this invocation (or it failed: see `bench/out/graph.log`).")
    w("")
    ep = load("endpoints.json")
    if ep and ep.get("rows"):
        w(f"### Read endpoints on the demo network (`{ep.get('command')}`, run "
          f"{ep.get('date_utc')})")
        w("")
        w("Sequential requests from a separate process (httpx, loopback) to `inroad serve` on "
          "SQLite seeded by `inroad demo --members 200`, signed in as the demo account.")
        w("")
        w("| endpoint | n | p50 ms | p99 ms |")
        w("| --- | --- | --- | --- |")
        for r in ep["rows"]:
            w(f"| `{r['endpoint']}` | {r['n']} | {r['p50_ms']} | {r['p99_ms']} |")
        w("")
    elif ep:
        w(f"- Read endpoints: the run printed no figures (exit {ep.get('exit')}); see "
          "`bench/out/endpoints.log`.")
        w("")
    c = load("coach.json")
    if c and c.get("p50_ms") is not None:
        w(f"- Message coach (`{c.get('command', 'bench/bench_coach.py')}`), "
          f"`inroad.coach.review()` in-process: p50 {c['p50_ms']} ms, p99 {c['p99_ms']} ms, "
          f"max {c['max_ms']} ms over {c.get('calls')} calls ({c.get('messages')} messages × "
          f"{c.get('rounds')} rounds; run {c.get('date_utc', '?')}).")
    elif c:
        w(f"- Message coach: the run did not print figures (exit {c.get('exit')}); see "
          "`bench/out/coach.log`.")
    else:
        w("- Message coach: not run in this invocation.")
    w("")

    # -------- profiles
    profs = sorted(OUT.glob("messaging-*-profile.json"))
    if profs:
        w("## Where the server's time goes (py-spy, separate profiled runs)")
        w("")
        w("py-spy samples the server (`record --gil --rate 200`, blocking) during a phase of a "
          "separate run (`run_all.py --profile`: send, 50 senders, inbox), so these runs' own "
          "figures are not the measured ones. `--gil` samples only the thread holding the GIL: "
          "the Python work one process serialises (SQLite and PostgreSQL release the GIL while "
          "they work). Shares are of those samples: inclusive (the function is on the stack) "
          "or self (on top). SQLAlchemy's asyncio layer runs its sync core in greenlets, which "
          "py-spy shows as stacks of their own, so request-side rows (\"send: …\") leave out "
          "the SQL they cause; the \"SQLAlchemy, all statements\" row counts both.")
        w("")
        for p in profs:
            d = json.loads(p.read_text())
            for ph_name, ph in (d.get("phases") or {}).items():
                entries = [ph] if "profile" in ph else [v for v in ph.values()
                                                       if isinstance(v, dict) and "profile" in v]
                for e in entries:
                    pr = e["profile"]
                    who = f" {e['senders']} senders" if e.get("senders") else ""
                    w(f"### {d.get('label')} / {ph_name}{who}: {pr.get('samples')} samples")
                    w("")
                    shares, ours_top = buckets(Path(pr.get("file", "")))
                    if shares:
                        w("By concern (inclusive share of the non-idle samples):")
                        w("")
                        w("| share % | where |")
                        w("| --- | --- |")
                        for name, pct in sorted(shares, key=lambda kv: -kv[1]):
                            w(f"| {pct} | {name} |")
                        w("")
                    w("| inclusive % | Inroad function | | self % | any function |")
                    w("| --- | --- | --- | --- | --- |")
                    inc = [{"pct": v, "frame": k} for k, v in ours_top]
                    slf = pr.get("self", [])[:15]
                    for i in range(max(len(inc), len(slf))):
                        a = inc[i] if i < len(inc) else {"pct": "", "frame": ""}
                        b = slf[i] if i < len(slf) else {"pct": "", "frame": ""}
                        w(f"| {a['pct']} | `{a['frame']}` | | {b['pct']} | `{b['frame']}` |")
                    w("")
    if ANALYSIS.exists():
        w("## Analysis")
        w("")
        w(ANALYSIS.read_text().strip())
        w("")
    w("## Caveats")
    w("")
    w("- Client and server share the machine's 2 cores, and other engineers' test runs may share "
      "them too: each phase records the machine's busy % and the CPU used by processes other than "
      "the server, its database backends and the client (\"other load\"). Compare only figures "
      "from the same run.")
    w("- SQLite durability differs: Inroad runs WAL with `synchronous=NORMAL` (a commit is not "
      "fsynced until the next checkpoint; a power cut can lose the last commits but not corrupt "
      "the file), Synapse WAL with its default (`FULL`, fsync per commit).")
    w("- The inbox comparison is not like for like: Inroad's first page is 20 conversations with "
      "the last message and unread count each; Synapse's initial `/sync` returns all 200 rooms "
      "with state and up to 10 timeline events each. The \"all pages\" row is the closer match.")
    w("- CPU of PostgreSQL backends: Inroad's figures count only backends of its own database; "
      "Synapse's harness counts every `postgres` process on the machine.")
    w("")
    return "\n".join(L)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--only", default="messaging,graph,coach,endpoints",
                   help="comma separated: messaging, graph, coach, endpoints")
    p.add_argument("--dbs", default="sqlite,postgres")
    p.add_argument("--quick", action="store_true", help="small counts: a smoke test")
    p.add_argument("--synapse", action="store_true",
                   help="also run the Synapse harness on the same databases, interleaved")
    p.add_argument("--profile", action="store_true",
                   help="also a separate py-spy'd messaging run per database")
    p.add_argument("--postgres-url",
                   default=os.environ.get("INROAD_BENCH_POSTGRES_URL", DEFAULT_PG))
    p.add_argument("--timeout", type=float, default=1800.0, help="bound per benchmark, seconds")
    p.add_argument("--render-only", action="store_true")
    args = p.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    only = {x for x in args.only.split(",") if x}
    dbs = [x for x in args.dbs.split(",") if x]
    if not args.render_only:
        info = machine()
        info["date_utc"] = datetime.now(UTC).isoformat(timespec="seconds")
        info["command"] = "python bench/run_all.py " + " ".join(sys.argv[1:])
        if "postgres" in dbs:
            info["postgres"] = postgres_facts(args.postgres_url)
            if info["postgres"] is None:
                dbs.remove("postgres")
        (OUT / "machine.json").write_text(json.dumps(info, indent=2))
        if "messaging" in only:
            (OUT / "messaging_run.json").write_text(json.dumps(
                {"date_utc": info["date_utc"], "command": info["command"],
                 "git_commit": info.get("git_commit"), "git_dirty": info.get("git_dirty")},
                indent=2))
            for name in ("messaging", "synapse"):
                for db in ("sqlite", "postgres"):
                    (OUT / f"{name}-{db}.json").unlink(missing_ok=True)
            for stale in OUT.glob("messaging-*-profile.json"):
                stale.unlink()
            for db in dbs:
                run_messaging(args, db)
                if args.synapse:
                    run_synapse(args, db)
            if args.profile:
                for db in dbs:
                    run_messaging(args, db, profile=True)
        if "graph" in only:
            run_graph(args)
        if "coach" in only:
            run_coach(args)
        if "endpoints" in only:
            run_endpoints(args)
    RESULTS.write_text(render(args))
    log(f"wrote {RESULTS.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
