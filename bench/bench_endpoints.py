"""Sequential latency of a few read endpoints on a demo network, through a real server.

Starts `inroad serve` on a fresh SQLite data dir seeded with `inroad demo --members 200`, logs in
as the demo account and times GET /healthz, a member profile, a people search and the inbox from
this separate client process over loopback. Every loop is bounded. Prints p50/p99 per endpoint.

    python bench/bench_endpoints.py [--n 500]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent
PORT = 8161


def wait_ready(client: httpx.Client) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if client.get("/readyz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit("the server did not become ready in 30 s")


def measure(name: str, call: Callable[[int], httpx.Response], n: int) -> None:
    for i in range(20):
        call(i)
    samples = []
    for i in range(n):
        start = time.perf_counter()
        response = call(i)
        samples.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{name}: HTTP {response.status_code}: {response.text[:200]}")
    samples.sort()
    print(f"{name}: p50 {samples[n // 2]:.2f} ms, p99 {samples[int(n * 0.99)]:.2f} ms (n={n})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500, help="requests per endpoint (≤ 5000)")
    n = min(parser.parse_args().n, 5000)
    data = tempfile.mkdtemp(prefix="inroad-bench-")
    env = dict(os.environ, INROAD_DATA_DIR=data, INROAD_LOG_FORMAT="text")
    env.pop("INROAD_DATABASE_URL", None)
    subprocess.run(
        [BIN / "inroad", "demo", "--members", "200"], env=env, check=True, capture_output=True
    )
    server = subprocess.Popen(
        [BIN / "inroad", "serve", "--port", str(PORT)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{PORT}", timeout=10) as client:
            wait_ready(client)
            login = client.post(
                "/api/v1/auth/login",
                json={"email": "demo@inroad.example", "password": "demo-password"},
            )
            headers = {"Authorization": f"Bearer {login.json()['token']}"}
            found = client.get("/api/v1/search/members", params={"limit": 50}, headers=headers)
            handles = [m["handle"] for m in found.json()["items"]]
            measure("GET /healthz", lambda i: client.get("/healthz"), n)
            measure(
                "GET /api/v1/members/{handle}",
                lambda i: client.get(
                    f"/api/v1/members/{handles[i % len(handles)]}", headers=headers
                ),
                n,
            )
            measure(
                "GET /api/v1/search/members?q=python",
                lambda i: client.get(
                    "/api/v1/search/members", params={"q": "python"}, headers=headers
                ),
                n,
            )
            measure(
                "GET /api/v1/conversations",
                lambda i: client.get("/api/v1/conversations", headers=headers),
                n,
            )
    finally:
        server.terminate()
        server.wait(timeout=15)
    print("load average:", " ".join(Path("/proc/loadavg").read_text().split()[:3]))


if __name__ == "__main__":
    main()
