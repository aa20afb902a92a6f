"""Messaging benchmark: Inroad's server as its own process, load from this process, loopback only.

Phases (``--phases``, comma separated), shaped like the Synapse peer harness
(``shared/bench/synapse/bench.py``) so the figures compare:

  send       (a) one member sends to a 1:1 back to back: warm-up, then ``--send-n`` sends timed
  e2e        (b) the recipient holds a WebSocket on ``/api/v1/events``; each message is timed from
                 just before the sender's POST to the frame's arrival, then the next goes out
                 ``--e2e-gap-s`` (20 ms) after delivery
  tput       (c) N senders (``--tput-senders 10,50``), each in its own 1:1, send back to back:
                 ``--tput-warmup-s`` (2 s) warm-up, then 2xx completed inside ``--tput-s`` (20 s)
  inbox      (e) a member in ``--inbox-convs`` (200) 1:1s, each with ``--inbox-msgs`` (3) messages
                 (2 from the partner, 1 from the member): time the first page of
                 ``GET /api/v1/conversations`` (and, for comparison with Synapse's full initial
                 sync, every page)
  inboxcold  (e') restart the server on the same database, time the same requests from cold
RSS (d): ``VmRSS``/``VmHWM`` of the server process (and its children) idle after start, after each
phase, and ``--idle-after-s`` after the load.

Setup (members, connections, conversations) is not timed: members sign up through
``POST /api/v1/auth/signup``; pairs are connected by ``setup_connections`` (``--connect db``,
the default) or through the invitations API (``--connect api``). Every measured request goes
over HTTP or the WebSocket. Every loop is bounded in count and in time. The server gets
``INROAD_SIGNUP_LIMIT_PER_HOUR=0`` and ``INROAD_SEND_LIMIT_PER_MINUTE=0``; its PID is stopped at
the end, on error, on SIGTERM, and (through PR_SET_PDEATHSIG) if this process dies.

The PostgreSQL database given with ``--postgres-url`` is WIPED (schema ``public`` dropped).
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import contextlib
import ctypes
import json
import math
import os
import platform
import resource
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import aiohttp

REPO = Path(__file__).resolve().parents[1]
OUT_DIR = REPO / "bench" / "out"
CLK_TCK = os.sysconf("SC_CLK_TCK")
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
API = "/api/v1"
# Below uvicorn's 5 s keep-alive timeout: the client drops an idle connection before the server
# does, so a request never races the server's close (ECONNRESET between phases).
KEEPALIVE_S = 3.0
T = TypeVar("T")


# --------------------------------------------------------------------------------------- stats
def pct(sorted_vals: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile of an already sorted list (the Synapse harness's definition)."""
    if not sorted_vals:
        return None
    k = max(0, min(len(sorted_vals) - 1, math.ceil(p / 100.0 * len(sorted_vals)) - 1))
    return sorted_vals[k]


def summarize(ms: Iterable[float]) -> dict[str, Any]:
    s = sorted(ms)
    if not s:
        return {"n": 0}

    def r(v: float | None) -> float | None:
        return None if v is None else round(v, 3)

    return {
        "n": len(s),
        "p50_ms": r(pct(s, 50)),
        "p90_ms": r(pct(s, 90)),
        "p99_ms": r(pct(s, 99)),
        "max_ms": r(s[-1]),
        "mean_ms": r(sum(s) / len(s)),
        "min_ms": r(s[0]),
    }


# --------------------------------------------------------------------------------- /proc probes
def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (uvicorn with ``--workers`` forks children)."""
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(d))
    out: list[int] = []
    todo = [pid]
    while todo and len(out) < 1000:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def proc_mem(pid: int) -> dict[str, float] | None:
    """VmRSS / VmHWM in MiB, summed over the server's process tree."""
    total = {"VmRSS": 0, "VmHWM": 0}
    seen = False
    for p in process_tree(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    k, _, v = line.partition(":")
                    if k in total:
                        total[k] += int(v.split()[0])
                        seen = True
        except OSError:
            continue
    if not seen:
        return None
    return {f"{k}_MiB": round(v / 1024.0, 1) for k, v in total.items()}


def proc_cpu_s(pid: int) -> float | None:
    """utime+stime of the server's process tree, seconds."""
    total, seen = 0.0, False
    for p in process_tree(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / CLK_TCK
            seen = True
        except (OSError, IndexError, ValueError):
            continue
    return total if seen else None


def postgres_backends_cpu_s(dbname: str) -> dict[int, float]:
    """CPU seconds per PostgreSQL backend serving ``dbname`` (their title names the database),
    so other engineers' test databases on the same cluster are not counted."""
    out: dict[int, float] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/cmdline", "rb") as f:
                title = f.read().replace(b"\0", b" ").decode("utf-8", "replace")
            if not title.startswith("postgres:") or f" {dbname} " not in title:
                continue
            with open(f"/proc/{d}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            out[int(d)] = (int(fields[11]) + int(fields[12])) / CLK_TCK
        except (OSError, ValueError, IndexError):
            continue
    return out


def machine_cpu() -> tuple[int, int]:
    with open("/proc/stat") as f:
        parts = [int(x) for x in f.readline().split()[1:]]
    return sum(parts), parts[3] + parts[4]


@dataclass
class CpuWindow:
    """CPU seconds of server / its database backends / this client, and whole-machine busy %."""

    pid: int
    pg_dbname: str | None

    def snap(self) -> dict[str, Any]:
        ru = resource.getrusage(resource.RUSAGE_SELF)
        return {
            "t": time.perf_counter(),
            "srv": proc_cpu_s(self.pid),
            "db": postgres_backends_cpu_s(self.pg_dbname) if self.pg_dbname else None,
            "cli": ru.ru_utime + ru.ru_stime,
            "mach": machine_cpu(),
        }

    @staticmethod
    def diff(a: dict[str, Any], b: dict[str, Any], n_msgs: int | None = None) -> dict[str, Any]:
        wall = b["t"] - a["t"]
        out: dict[str, Any] = {"wall_s": round(wall, 3)}
        ours = 0.0
        for k in ("srv", "db", "cli"):
            if a[k] is not None and b[k] is not None:
                if k == "db":
                    # Per backend: one that exits inside the window (the pool's overflow
                    # connections do) takes its CPU with it, so this is a lower bound.
                    used = sum(v - a[k].get(pid, 0.0) for pid, v in b[k].items())
                else:
                    used = b[k] - a[k]
                ours += used
                out[f"{k}_cpu_s"] = round(used, 2)
                out[f"{k}_cpu_pct_of_one_core"] = round(100 * used / wall, 1) if wall else None
                if n_msgs:
                    out[f"{k}_cpu_ms_per_msg"] = round(1000 * used / n_msgs, 3)
        tot = b["mach"][0] - a["mach"][0]
        idle = b["mach"][1] - a["mach"][1]
        if tot:
            busy = (tot - idle) / tot
            out["machine_busy_pct"] = round(100 * busy, 1)
            # What else ran on the shared 2 cores meanwhile (other engineers' tests, say):
            # machine busy core-seconds minus ours.
            ncpu = os.cpu_count() or 1
            out["other_cpu_pct_of_one_core"] = round(
                max(0.0, 100 * (busy * ncpu * wall - ours) / wall), 1
            ) if wall else None
        return out


# --------------------------------------------------------------------------------- the server
def _pdeathsig() -> None:
    """In the child before exec: SIGTERM when the benchmark dies, so no server outlives it."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def check_loopback_pg(url: str) -> str:
    """Refuse any PostgreSQL URL that is not on this machine; returns the database name."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    if u.host not in (None, *LOOPBACK):
        sys.exit(f"refusing: the PostgreSQL URL must point at loopback, got host {u.host!r}")
    if not u.database:
        sys.exit("refusing: the PostgreSQL URL names no database")
    return u.database


async def reset_postgres(url: str) -> str:
    """Create the database if missing, then drop and recreate schema ``public``. Returns version."""
    import asyncpg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    kw: dict[str, Any] = {"host": u.host or "127.0.0.1", "port": u.port or 5432,
                          "user": u.username or "postgres", "password": u.password}
    try:
        conn = await asyncpg.connect(database=u.database, **kw)
    except asyncpg.InvalidCatalogNameError:
        admin = await asyncpg.connect(database="postgres", **kw)
        try:
            await admin.execute(f'CREATE DATABASE "{u.database}"')
        finally:
            await admin.close()
        conn = await asyncpg.connect(database=u.database, **kw)
    try:
        await conn.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
        return str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()


class Server:
    """``inroad migrate`` then ``inroad serve`` as a child process; stops exactly that PID."""

    def __init__(self, args: argparse.Namespace, label: str) -> None:
        self.args = args
        self.label = label
        self.port = args.port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.inroad = Path(sys.executable).with_name("inroad")
        self.tmp = Path(tempfile.mkdtemp(prefix=f"inroad-bench-{label}-"))
        self.log_path = Path(args.out_dir) / f"server-{label}.log"
        self.pid_file = Path(args.out_dir) / f"server-{label}.pid"
        if args.db == "sqlite":
            self.database_url = f"sqlite:///{self.tmp / 'inroad.db'}"
        else:
            self.database_url = args.postgres_url
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("INROAD_")}
        self.env.update(
            INROAD_DATABASE_URL=self.database_url,
            INROAD_DATA_DIR=str(self.tmp),
            INROAD_SECRET_KEY=secrets.token_urlsafe(32),
            INROAD_LOG_FORMAT="text",
            INROAD_SIGNUP_LIMIT_PER_HOUR="0",
            INROAD_SEND_LIMIT_PER_MINUTE="0",
            INROAD_BASE_URL=self.base_url,
        )
        if args.workers > 1:
            self.env["INROAD_REDIS_URL"] = args.redis_url
        atexit.register(self.stop)

    def settings(self) -> dict[str, str]:
        shown = {k: v for k, v in self.env.items() if k.startswith("INROAD_")}
        shown["INROAD_SECRET_KEY"] = "(random per run)"
        shown["INROAD_DATA_DIR"] = "(fresh temp dir)"
        return shown

    def migrate(self) -> None:
        subprocess.run([str(self.inroad), "migrate"], env=self.env, check=True, timeout=300,
                       stdout=subprocess.DEVNULL)

    def start(self) -> None:
        cmd = [str(self.inroad), "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        if self.args.workers > 1:
            cmd += ["--workers", str(self.args.workers)]
        log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child for its lifetime
        log.write(f"--- {datetime.now(UTC).isoformat()} {' '.join(cmd)}\n".encode())
        log.flush()
        self.proc = subprocess.Popen(cmd, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                     cwd=self.tmp, preexec_fn=_pdeathsig)
        log.close()
        self.pid_file.write_text(str(self.proc.pid))
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"server exited with {self.proc.returncode}; see {self.log_path}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                              b"Connection: close\r\n\r\n")
                    if s.recv(64).startswith(b"HTTP/1.1 200"):
                        return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server not healthy within 90 s; see {self.log_path}")

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        with contextlib.suppress(OSError):
            self.pid_file.unlink()

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)


# ----------------------------------------------------------------------------- py-spy profiling
class Profiler:
    """``py-spy record --format raw --gil`` on the server during one phase, summarised into top
    frames. Blocking sampling (the default) pauses the server briefly per sample: accurate
    stacks, slower server, hence separate profiled runs."""

    def __init__(self, pid: int, path: Path, rate: int) -> None:
        self.path = path
        venv_bin = str(Path(sys.executable).parent)
        exe = shutil.which("py-spy", path=venv_bin) or shutil.which("py-spy")
        if not exe:
            raise RuntimeError("py-spy not found: pip install py-spy into the venv")
        self.proc = subprocess.Popen(
            # --gil: only the thread holding the GIL, i.e. the Python work one process
            # serialises (sqlite3 and asyncpg release the GIL while the database works).
            [exe, "record", "--pid", str(pid), "--rate", str(rate), "--format", "raw", "--gil",
             "-o", str(path)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=_pdeathsig,
        )
        time.sleep(0.5)  # py-spy attaches before the load starts

    def finish(self, top: int = 25) -> dict[str, Any]:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        return summarise_collapsed(self.path, top)


def _frame_name(frame: str) -> str:
    """``func (path/to/mod.py:123)`` → ``func (to/mod.py)``: group by function, not by line."""
    name, _, loc = frame.partition(" (")
    file = loc.rsplit(":", 1)[0].rstrip(")")
    parts = file.split("/")
    short = "/".join(parts[-3:]) if "site-packages" in file or "inroad" in file else parts[-1]
    return f"{name} ({short})"


# Leaf frames where a thread waits rather than works: uvloop polling (no Python frame above the
# runner) and aiosqlite's worker blocked on its queue. --nonblocking sampling still records them.
IDLE_LEAVES = ("Runner.run (asyncio/runners.py:118)",
               "_connection_worker_thread (aiosqlite/core.py:59)")


def summarise_collapsed(path: Path, top: int) -> dict[str, Any]:
    """Self (leaf) and inclusive shares per function of the non-idle samples in py-spy's
    collapsed stacks, and the share of samples that were idle waits (``IDLE_LEAVES``)."""
    self_c: Counter[str] = Counter()
    incl_c: Counter[str] = Counter()
    total = idle = 0
    if not path.exists():
        return {"samples": 0, "file": str(path)}
    with open(path) as f:
        for line in f:
            stack, _, n = line.rstrip("\n").rpartition(" ")
            if not stack or not n.isdigit():
                continue
            count = int(n)
            raw = [fr for fr in stack.split(";") if not fr.startswith(("process ", "thread "))]
            if not raw:
                continue
            if raw[-1].endswith(IDLE_LEAVES):
                idle += count
                continue
            frames = [_frame_name(fr) for fr in raw]
            total += count
            self_c[frames[-1]] += count
            for fr in set(frames):
                incl_c[fr] += count

    def table(c: Counter[str]) -> list[dict[str, Any]]:
        return [{"pct": round(100 * v / total, 1), "frame": k} for k, v in c.most_common(top)]

    return {"samples": total, "idle_samples": idle, "file": str(path), "self": table(self_c),
            "inclusive": table(incl_c)}


# --------------------------------------------------------------------------------- HTTP client
class ApiError(RuntimeError):
    pass


@dataclass
class Member:
    handle: str
    email: str
    password: str
    token: str


@dataclass
class Api:
    session: aiohttp.ClientSession
    base: str
    timeout: aiohttp.ClientTimeout
    run_id: str
    counter: int = 0
    statuses: Counter[str] = field(default_factory=Counter)

    async def call(self, method: str, path: str, token: str | None = None,
                   body: dict[str, Any] | None = None, params: dict[str, str] | None = None,
                   parse: bool = True) -> tuple[int, Any, int]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with self.session.request(method, self.base + path, json=body, params=params,
                                        headers=headers, timeout=self.timeout) as r:
            raw = await r.read()
        data: Any = None
        if parse and raw:
            try:
                data = json.loads(raw)
            except ValueError:
                data = {"_raw": raw[:200].decode("utf-8", "replace")}
        return r.status, data, len(raw)

    async def must(self, method: str, path: str, ok: Sequence[int] = (200, 201),
                   **kw: Any) -> Any:
        st, data, _ = await self.call(method, path, **kw)
        if st not in ok:
            raise ApiError(f"{method} {path} -> {st} {str(data)[:300]}")
        return data

    def client_id(self, tag: str) -> str:
        self.counter += 1
        return f"{self.run_id}-{tag}-{self.counter}"

    async def signup(self, tag: str) -> Member:
        self.counter += 1
        handle = f"b{self.run_id}-{tag}-{self.counter}"
        email = f"{handle}@bench.invalid"
        password = f"pw-{self.run_id}-bench"
        d = await self.must("POST", f"{API}/auth/signup", ok=(201,), body={
            "email": email, "password": password, "name": f"Bench {tag} {self.counter}",
            "handle": handle})
        return Member(handle=d["member"]["handle"], email=email, password=password,
                      token=d["token"])

    async def start_conversation(self, a: Member, b: Member, text: str) -> str:
        d = await self.must("POST", f"{API}/conversations", ok=(201,), token=a.token, body={
            "participants": [b.handle], "text": text, "client_id": self.client_id("c")})
        return str(d["conversation"]["id"])

    async def send(self, who: Member, conv: str, text: str,
                   parse: bool = False) -> tuple[int, float, Any]:
        body = {"text": text, "client_id": self.client_id("m")}
        t0 = time.perf_counter()
        path = f"{API}/conversations/{quote(conv, safe='')}/messages"
        st, data, _ = await self.call("POST", path, token=who.token, body=body, parse=parse)
        return st, (time.perf_counter() - t0) * 1000.0, data

    async def connect_via_invitation(self, a: Member, b: Member) -> None:
        d = await self.must("POST", f"{API}/invitations", token=a.token, body={
            "to": b.handle, "how_you_know": {"relation": "other"}})
        if d.get("connected"):
            return
        await self.must("POST", f"{API}/invitations/{quote(str(d['id']), safe='')}/accept",
                        token=b.token)


async def gather_limited(n: int, coros: Sequence[Awaitable[T]]) -> list[T]:
    sem = asyncio.Semaphore(n)

    async def run(c: Awaitable[T]) -> T:
        async with sem:
            return await c

    return await asyncio.gather(*(run(c) for c in coros))


@dataclass
class Ctx:
    args: argparse.Namespace
    api: Api
    server: Server
    cpu: CpuWindow
    profile: set[str]


async def connect(ctx: Ctx, pairs: Sequence[tuple[Member, Member]]) -> None:
    if ctx.args.connect == "api":
        await gather_limited(8, [ctx.api.connect_via_invitation(a, b) for a, b in pairs])
        return
    from setup_connections import connect_pairs

    await connect_pairs(ctx.server.database_url, [(a.handle, b.handle) for a, b in pairs])


async def make_pairs(ctx: Ctx, tag: str, n: int) -> list[tuple[Member, Member, str]]:
    """``n`` (sender, recipient, conversation) triples: fresh members, connected, in a 1:1."""
    conc = ctx.args.setup_concurrency
    people = await gather_limited(conc, [ctx.api.signup(tag) for _ in range(2 * n)])
    pairs = [(people[2 * i], people[2 * i + 1]) for i in range(n)]
    await connect(ctx, pairs)
    convs = await gather_limited(conc, [ctx.api.start_conversation(a, b, f"hello from {tag}")
                                        for a, b in pairs])
    return [(a, b, c) for (a, b), c in zip(pairs, convs, strict=True)]


async def maybe_profile(ctx: Ctx, phase: str) -> Profiler | None:
    if phase not in ctx.profile:
        return None
    path = Path(ctx.args.out_dir) / f"profile-{ctx.server.label}-{phase}.txt"
    # Started from the loop's own thread: PR_SET_PDEATHSIG is tied to the thread that forks.
    return Profiler(ctx.server.pid, path, ctx.args.profile_rate)


# ------------------------------------------------------------------------------------- phases
async def phase_send(ctx: Ctx) -> dict[str, Any]:
    args, api = ctx.args, ctx.api
    ((a, _b, conv),) = await make_pairs(ctx, "snd", 1)
    for i in range(args.warmup):
        st, _, body = await api.send(a, conv, f"warmup {i}", parse=True)
        if st != 201:
            raise ApiError(f"warm-up send -> {st} {body}")
    prof = await maybe_profile(ctx, "send")
    lat, codes = [], Counter[str]()
    c0 = ctx.cpu.snap()
    deadline = time.perf_counter() + args.phase_max_s
    for i in range(args.send_n):
        if time.perf_counter() > deadline:
            break
        st, ms, _ = await api.send(a, conv, f"hello {i} from the send-latency phase")
        codes[str(st)] += 1
        if 200 <= st < 300:
            lat.append(ms)
    c1 = ctx.cpu.snap()
    res: dict[str, Any] = {
        "messages": args.send_n, "completed": sum(codes.values()),
        "status_counts": dict(codes), "errors": sum(v for k, v in codes.items() if k[0] != "2"),
        "latency": summarize(lat),
        "sequential_msgs_per_s": round(len(lat) / (c1["t"] - c0["t"]), 1),
        "cpu": CpuWindow.diff(c0, c1, len(lat)),
    }
    if prof:
        res["profile"] = prof.finish()
    return res


async def phase_e2e(ctx: Ctx) -> dict[str, Any]:
    args, api = ctx.args, ctx.api
    ((a, b, conv),) = await make_pairs(ctx, "e2e", 1)
    prefix = f"e2e-{api.run_id}-"
    total = args.warmup + args.e2e_n
    hard_deadline = time.perf_counter() + args.e2e_max_s
    sent_at: dict[int, float] = {}
    got: dict[int, float] = {}
    waiters: dict[int, asyncio.Event] = {}
    frames = Counter[str]()
    ws_url = api.base.replace("http://", "ws://") + f"{API}/events?token={quote(b.token)}"
    ws = await api.session.ws_connect(ws_url, autoping=True, heartbeat=None,
                                      timeout=aiohttp.ClientWSTimeout(ws_close=5))

    async def reader() -> None:
        for _ in range(50 * total + 100):  # bounded: far more frames than this phase can cause
            remaining = hard_deadline - time.perf_counter()
            if remaining <= 0:
                return
            try:
                msg = await asyncio.wait_for(ws.receive(), timeout=remaining)
            except TimeoutError:
                return
            t = time.perf_counter()
            if msg.type != aiohttp.WSMsgType.TEXT:
                frames[f"ws:{msg.type.name}"] += 1
                if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED,
                                aiohttp.WSMsgType.ERROR):
                    return
                continue
            event = json.loads(msg.data)
            frames[str(event.get("type"))] += 1
            if event.get("type") != "message.created":
                continue
            text = ((event.get("data") or {}).get("message") or {}).get("text") or ""
            if text.startswith(prefix):
                seq = int(text[len(prefix):].split()[0])
                if seq not in got:
                    got[seq] = t
                    w = waiters.get(seq)
                    if w:
                        w.set()

    task = asyncio.create_task(reader())
    await asyncio.sleep(0.3)  # the socket is registered before the first send
    send_ms: list[float] = []
    lost = 0
    codes = Counter[str]()
    prof: Profiler | None = None
    c0: dict[str, Any] | None = None
    try:
        for i in range(total):
            if time.perf_counter() > hard_deadline or task.done():
                break
            if i == args.warmup:
                prof = await maybe_profile(ctx, "e2e")
                c0 = ctx.cpu.snap()
            ev = asyncio.Event()
            waiters[i] = ev
            sent_at[i] = time.perf_counter()
            st, ms, _ = await api.send(a, conv, f"{prefix}{i} end-to-end probe")
            if i >= args.warmup:
                codes[str(st)] += 1
                if 200 <= st < 300:
                    send_ms.append(ms)
            try:
                await asyncio.wait_for(ev.wait(), timeout=args.e2e_wait_s)
            except TimeoutError:
                if i >= args.warmup:
                    lost += 1
            await asyncio.sleep(args.e2e_gap_s)
        c1 = ctx.cpu.snap()
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        await ws.close()
    e2e = [(got[i] - sent_at[i]) * 1000.0 for i in range(args.warmup, total) if i in got]
    res: dict[str, Any] = {
        "messages": args.e2e_n,
        "gap_between_messages_s": args.e2e_gap_s,
        "delivered": len(e2e),
        "not_delivered_within_wait": lost,
        "send_status_counts": dict(codes),
        "ws_frames_by_type": dict(frames),
        "e2e_latency": summarize(e2e),
        "send_latency_same_run": summarize(send_ms),
        "cpu": CpuWindow.diff(c0, c1, len(e2e)) if c0 else None,
    }
    if prof:
        res["profile"] = prof.finish()
    return res


async def phase_tput_n(ctx: Ctx, n: int) -> dict[str, Any]:
    args, api = ctx.args, ctx.api
    pairs = await make_pairs(ctx, f"tp{n}", n)
    lat: list[float] = []
    codes = Counter[str]()
    prof = await maybe_profile(ctx, "tput")
    t_start = time.perf_counter()
    t_meas = t_start + args.tput_warmup_s
    t_end = t_meas + args.tput_s
    snaps: dict[str, dict[str, Any]] = {}

    async def snapper() -> None:
        await asyncio.sleep(max(0.0, t_meas - time.perf_counter()))
        snaps["a"] = ctx.cpu.snap()
        await asyncio.sleep(max(0.0, t_end - time.perf_counter()))
        snaps["b"] = ctx.cpu.snap()

    async def worker(idx: int) -> None:
        a, _b, conv = pairs[idx]
        for seq in range(args.tput_max_per_sender):
            if time.perf_counter() >= t_end:
                break
            status: str
            ms: float | None
            try:
                st, ms, _ = await api.send(a, conv, f"throughput {idx}/{seq}")
                status = str(st)
            except (aiohttp.ClientError, TimeoutError) as e:
                status, ms = type(e).__name__, None
            t1 = time.perf_counter()
            if t_meas <= t1 <= t_end:
                codes[status] += 1
                if status.startswith("2") and ms is not None:
                    lat.append(ms)

    await asyncio.gather(snapper(), *(worker(i) for i in range(n)))
    ok = sum(v for k, v in codes.items() if k.startswith("2"))
    res: dict[str, Any] = {
        "senders": n, "duration_s": args.tput_s, "warmup_s": args.tput_warmup_s,
        "accepted": ok, "status_counts": dict(codes),
        "msgs_per_s": round(ok / args.tput_s, 1),
        "latency_under_load": summarize(lat),
        "cpu": CpuWindow.diff(snaps["a"], snaps["b"], ok),
    }
    if prof:
        res["profile"] = prof.finish()
    return res


async def build_inbox(ctx: Ctx) -> tuple[Member, dict[str, Any]]:
    """A member in ``--inbox-convs`` 1:1s; in each: partner, member, partner, ... messages."""
    args, api = ctx.args, ctx.api
    conc = args.setup_concurrency
    t0 = time.perf_counter()
    me = await api.signup("inbox")
    partners = await gather_limited(conc, [api.signup("ibp") for _ in range(args.inbox_convs)])
    await connect(ctx, [(p, me) for p in partners])
    start_ms: list[float] = []

    async def build_one(i: int, p: Member) -> None:
        t = time.perf_counter()
        conv = await api.start_conversation(p, me, f"inbox message 0 in DM {i}")
        start_ms.append((time.perf_counter() - t) * 1000.0)
        for m in range(1, args.inbox_msgs):
            who = p if m % 2 == 0 else me
            st, _, d = await api.send(who, conv, f"inbox message {m} in DM {i}", parse=True)
            if st != 201:
                raise ApiError(f"inbox send -> {st} {d}")

    await gather_limited(8, [build_one(i, p) for i, p in enumerate(partners)])
    return me, {"build_s": round(time.perf_counter() - t0, 1),
                "start_conversation_latency_conc8": summarize(start_ms)}


async def time_inbox(ctx: Ctx, me: Member) -> dict[str, Any]:
    """First page: the very first request, then ``--inbox-requests`` more (p50/p99). All pages:
    ``limit=100`` and ``next_cursor`` until the end, ``--inbox-full-repeats`` times."""
    args, api = ctx.args, ctx.api
    path = f"{API}/conversations"

    async def first_page() -> tuple[int, float, Any, int]:
        t = time.perf_counter()
        st, data, nbytes = await api.call("GET", path, token=me.token)
        return st, (time.perf_counter() - t) * 1000.0, data, nbytes

    st, first_ms, data, nbytes = await first_page()
    if st != 200:
        raise ApiError(f"GET {path} -> {st} {data}")
    items = data.get("items", [])
    check = {
        "items": len(items),
        "bytes": nbytes,
        "with_last_message": sum(1 for c in items if c.get("last_message")),
        "unread_counts": dict(Counter(str(c.get("unread_count")) for c in items)),
        "has_next_cursor": data.get("next_cursor") is not None,
    }
    prof = await maybe_profile(ctx, "inbox")
    lat: list[float] = []
    codes = Counter[str]()
    c0 = ctx.cpu.snap()
    deadline = time.perf_counter() + args.phase_max_s
    for _ in range(args.inbox_requests):
        if time.perf_counter() > deadline:
            break
        st, ms, _, _ = await first_page()
        codes[str(st)] += 1
        if st == 200:
            lat.append(ms)
    c1 = ctx.cpu.snap()
    full_ms: list[float] = []
    full_count = 0
    for _ in range(args.inbox_full_repeats):
        if time.perf_counter() > deadline:
            break
        t = time.perf_counter()
        cursor: str | None = None
        seen = 0
        for _page in range(100):  # bounded: 200 conversations are 2 pages of 100
            params = {"limit": "100", **({"cursor": cursor} if cursor else {})}
            page = await api.must("GET", path, ok=(200,), token=me.token, params=params)
            seen += len(page.get("items", []))
            cursor = page.get("next_cursor")
            if not cursor:
                break
        full_ms.append((time.perf_counter() - t) * 1000.0)
        full_count = seen
    res: dict[str, Any] = {
        "first_request_ms": round(first_ms, 3),
        "first_page_check": check,
        "first_page": summarize(lat),
        "first_page_status_counts": dict(codes),
        "first_page_cpu": CpuWindow.diff(c0, c1, len(lat)),
        "all_pages_limit_100": summarize(full_ms),
        "all_pages_conversations_seen": full_count,
    }
    if prof:
        res["profile"] = prof.finish()
    return res


# --------------------------------------------------------------------------------------- main
def _ver(p: str) -> str | None:
    try:
        return metadata.version(p)
    except metadata.PackageNotFoundError:
        return None


def machine_info() -> dict[str, Any]:
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    best: float | None = None
    for _ in range(3):  # the Synapse harness's calibration loop: how fast the VM is right now
        t0 = time.perf_counter()
        sum(i * i for i in range(2_000_000))
        dt = (time.perf_counter() - t0) * 1000.0
        best = dt if best is None else min(best, dt)
    return {
        "py_calib_loop_ms": round(best or 0.0, 1),
        "nproc": os.cpu_count(),
        "cpu_model": model,
        "mem_total_GiB": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "loadavg_at_start": os.getloadavg(),
        "sqlite": sqlite3.sqlite_version,
        "packages": {p: _ver(p) for p in ("inroad", "fastapi", "starlette", "uvicorn", "uvloop",
                                          "httptools", "pydantic", "SQLAlchemy", "aiosqlite",
                                          "asyncpg", "aiohttp")},
    }


async def run_phases(args: argparse.Namespace, server: Server, out: dict[str, Any]) -> None:
    run_id = secrets.token_hex(3)
    out["run_id"] = run_id
    pg_db = check_loopback_pg(args.postgres_url) if args.db == "postgres" else None
    profile = {p for p in args.profile.split(",") if p}

    def rss(tag: str) -> None:
        m = proc_mem(server.pid)
        if m:
            out["rss"].append({"at": tag, **m})
            print(f"  RSS {tag}: {m}", flush=True)

    connector = aiohttp.TCPConnector(limit=0, force_close=False, keepalive_timeout=KEEPALIVE_S)
    async with aiohttp.ClientSession(connector=connector) as session:
        api = Api(session, server.base_url, aiohttp.ClientTimeout(total=args.request_timeout),
                  run_id)
        ctx = Ctx(args, api, server, CpuWindow(server.pid, pg_db), profile)
        rss("idle_before_phases")
        me: Member | None = None
        for ph in [p for p in args.phases.split(",") if p]:
            t0 = time.perf_counter()
            print(f"phase {ph} ...", flush=True)
            res: dict[str, Any]
            if ph == "send":
                res = await phase_send(ctx)
            elif ph == "e2e":
                res = await phase_e2e(ctx)
            elif ph == "tput":
                res = {}
                for n in [int(x) for x in args.tput_senders.split(",") if x]:
                    res[f"senders_{n}"] = r = await phase_tput_n(ctx, n)
                    print(f"  tput n={n}: {r['msgs_per_s']} msg/s {r['status_counts']}", flush=True)
                    rss(f"after_tput_{n}")
            elif ph == "inbox":
                me, build = await build_inbox(ctx)
                rss("after_inbox_build")
                res = {"conversations": args.inbox_convs, "messages_per_conversation":
                       args.inbox_msgs, **build, **(await time_inbox(ctx, me))}
            elif ph == "inboxcold":
                if me is None:
                    raise SystemExit("inboxcold needs the inbox phase before it")
                if args.idle_after_s:
                    await asyncio.sleep(args.idle_after_s)
                    rss(f"idle_{args.idle_after_s:g}s_after_load")
                await session.close()
                server.stop()
                server.start()  # from this thread, for PR_SET_PDEATHSIG (see Profiler)
                await asyncio.sleep(args.settle_s)
                rss("idle_after_restart")
                session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(
                    limit=0, keepalive_timeout=KEEPALIVE_S))
                api.session = session
                ctx.cpu = CpuWindow(server.pid, pg_db)
                res = await time_inbox(ctx, me)
            else:
                raise SystemExit(f"unknown phase {ph!r}")
            res["phase_wall_s"] = round(time.perf_counter() - t0, 1)
            out["phases"][ph] = res
            print("  " + json.dumps(res)[:1200], flush=True)
            rss(f"after_{ph}")
        if args.idle_after_s and "inboxcold" not in out["phases"]:
            await asyncio.sleep(args.idle_after_s)
            rss(f"idle_{args.idle_after_s:g}s_after_load")
        await session.close()


QUICK = {"warmup": 5, "send_n": 50, "e2e_n": 30, "tput_s": 3.0, "tput_warmup_s": 1.0,
         "inbox_convs": 20, "inbox_requests": 30, "inbox_full_repeats": 3, "idle_after_s": 2.0,
         "settle_s": 1.0}


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    p.add_argument("--postgres-url", default=os.environ.get("INROAD_BENCH_POSTGRES_URL"),
                   help="loopback PostgreSQL database to WIPE and use "
                   "(env INROAD_BENCH_POSTGRES_URL)")
    p.add_argument("--port", type=int, default=0, help="server port (default: a free one)")
    p.add_argument("--workers", type=int, default=1, help="server processes (>1 needs --redis-url)")
    p.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    p.add_argument("--connect", choices=("db", "api"), default="db",
                   help="how setup connects pairs: setup_connections (db) or invitations (api)")
    p.add_argument("--phases", default="send,e2e,tput,inbox,inboxcold")
    p.add_argument("--quick", action="store_true", help="small counts, for a smoke test")
    p.add_argument("--label", default=None, help="defaults to the --db value")
    p.add_argument("--out", help="write the JSON here (default bench/out/messaging-<label>.json)")
    p.add_argument("--out-dir", default=str(OUT_DIR))
    p.add_argument("--profile", default="", help="py-spy the server during these phases "
                   "(send,e2e,tput,inbox); slows it, so use a separate run from the measured one")
    p.add_argument("--profile-rate", type=int, default=200)
    p.add_argument("--request-timeout", type=float, default=60.0)
    p.add_argument("--setup-concurrency", type=int, default=8)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--send-n", type=int, default=500)
    p.add_argument("--e2e-n", type=int, default=300)
    p.add_argument("--e2e-gap-s", type=float, default=0.02)
    p.add_argument("--e2e-wait-s", type=float, default=10.0)
    p.add_argument("--e2e-max-s", type=float, default=240.0)
    p.add_argument("--tput-senders", default="10,50")
    p.add_argument("--tput-s", type=float, default=20.0)
    p.add_argument("--tput-warmup-s", type=float, default=2.0)
    p.add_argument("--tput-max-per-sender", type=int, default=100_000)
    p.add_argument("--inbox-convs", type=int, default=200)
    p.add_argument("--inbox-msgs", type=int, default=3)
    p.add_argument("--inbox-requests", type=int, default=300)
    p.add_argument("--inbox-full-repeats", type=int, default=20)
    p.add_argument("--phase-max-s", type=float, default=300.0, help="time bound of a timed loop")
    p.add_argument("--idle-after-s", type=float, default=10.0)
    p.add_argument("--settle-s", type=float, default=5.0, help="idle time before the idle RSS")
    args = p.parse_args(argv)
    if args.quick:
        given = {a.lstrip("-").split("=")[0].replace("-", "_") for a in (argv or sys.argv[1:])}
        for k, v in QUICK.items():
            if k not in given:
                setattr(args, k, v)
    if args.db == "postgres" and not args.postgres_url:
        p.error("--db postgres needs --postgres-url (or INROAD_BENCH_POSTGRES_URL)")
    args.label = args.label or args.db
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    Path(args.out_dir).mkdir(parents=True, exist_ok=True)
    # SIGTERM (run_all's time bound) unwinds through the finally below and stops the server.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    out: dict[str, Any] = {
        "label": args.label, "db": args.db, "quick": args.quick,
        "date_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_info(), "rss": [], "phases": {},
        "params": {k: v for k, v in vars(args).items()
                   if k not in ("out", "out_dir", "postgres_url")},
    }
    if args.db == "postgres":
        check_loopback_pg(args.postgres_url)
        out["postgres_version"] = asyncio.run(reset_postgres(args.postgres_url))
    server = Server(args, args.label)
    out["server_settings"] = server.settings()
    loop_factory: Callable[[], asyncio.AbstractEventLoop] | None = None
    try:
        import uvloop

        loop_factory = uvloop.new_event_loop
        out["client_loop"] = "uvloop"
    except ImportError:
        out["client_loop"] = "asyncio"
    status = 0
    try:
        server.migrate()
        server.start()
        out["server_pid"] = server.pid
        time.sleep(args.settle_s)
        with asyncio.Runner(loop_factory=loop_factory) as runner:
            runner.run(run_phases(args, server, out))
    except Exception as exc:  # recorded in the JSON so run_all can report it
        out["error"] = f"{type(exc).__name__}: {exc}"
        print(f"error: {out['error']}", file=sys.stderr, flush=True)
        status = 1
    finally:
        server.cleanup()
        out["finished_utc"] = datetime.now(UTC).isoformat(timespec="seconds")
        dest = Path(args.out or Path(args.out_dir) / f"messaging-{args.label}.json")
        dest.write_text(json.dumps(out, indent=2))
        print(f"results: {dest}", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
