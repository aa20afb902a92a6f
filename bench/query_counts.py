"""SQL statements and transactions per request on the measured paths, counted in-process.

  python bench/query_counts.py [--db sqlite|postgres] [--postgres-url URL] [--conversations 200]

Builds the app with ``create_app`` against a fresh database, sets up two members in a 1:1 and one
member in ``--conversations`` 1:1s the way ``bench_messaging.py`` does, then counts the statements
the server runs (SQLAlchemy ``before_cursor_execute`` on its engines) for one send, one inbox
first page and one sign-up. Evidence for where per-request time goes; not a timing benchmark.
A PostgreSQL database given here is WIPED, as in ``bench_messaging.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from asgi_lifespan import LifespanManager

from inroad.app import create_app
from inroad.settings import Settings
from inroad.storage.migrate import upgrade

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_messaging import check_loopback_pg, reset_postgres
from setup_connections import connect_pairs


class StatementLog:
    def __init__(self) -> None:
        self.active = False
        self.kinds: Counter[str] = Counter()
        self.sql: list[str] = []

    def hook(self, engine: sa.engine.Engine) -> None:
        @sa.event.listens_for(engine, "before_cursor_execute")
        def _count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
            if self.active:
                self.kinds[statement.split(None, 1)[0].upper()] += 1
                self.sql.append(" ".join(statement.split())[:160])

    def measure(self) -> StatementLog:
        self.active = True
        self.kinds.clear()
        self.sql.clear()
        return self

    def __enter__(self) -> StatementLog:
        return self

    def __exit__(self, *_: object) -> None:
        self.active = False

    def result(self) -> dict[str, Any]:
        return {"statements": sum(self.kinds.values()), "by_kind": dict(self.kinds),
                "sql": list(self.sql)}


async def run(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    if args.db == "postgres":
        check_loopback_pg(args.postgres_url)
        await reset_postgres(args.postgres_url)
        url = args.postgres_url
    else:
        url = f"sqlite:///{tmp / 'inroad.db'}"
    upgrade(url)
    settings = Settings(database_url=url, data_dir=tmp, signup_limit_per_hour=0,
                        send_limit_per_minute=0, log_json=False)
    app = create_app(settings)
    db = app.state.services.db
    log = StatementLog()
    log.hook(db.write_engine.sync_engine)
    if db.read_engine is not db.write_engine:
        log.hook(db.read_engine.sync_engine)
    out: dict[str, Any] = {"db": args.db}
    rid = secrets.token_hex(3)
    async with LifespanManager(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1"
    ) as client:

        async def signup(tag: str) -> tuple[str, dict[str, str]]:
            handle = f"q{rid}-{tag}"
            r = await client.post("/api/v1/auth/signup", json={
                "email": f"{handle}@bench.invalid", "password": "pw-bench-123",
                "name": f"Q {tag}", "handle": handle})
            r.raise_for_status()
            return handle, {"Authorization": f"Bearer {r.json()['token']}"}

        a, ha = await signup("a")
        with log.measure():
            b, _ = await signup("b")
        out["signup"] = log.result()
        await connect_pairs(url, [(a, b)])
        r = await client.post("/api/v1/conversations", headers=ha, json={
            "participants": [b], "text": "hello", "client_id": "c0"})
        r.raise_for_status()
        conv = r.json()["conversation"]["id"]
        for i in range(3):  # warm caches the way the benchmark's warm-up does
            await client.post(f"/api/v1/conversations/{conv}/messages", headers=ha,
                              json={"text": f"w{i}", "client_id": f"w{i}"})
        with log.measure():
            r = await client.post(f"/api/v1/conversations/{conv}/messages", headers=ha,
                                  json={"text": "counted", "client_id": "m1"})
        assert r.status_code == 201, r.text
        out["send"] = log.result()

        me, hme = await signup("inbox")
        partners = [await signup(f"p{i}") for i in range(args.conversations)]
        await connect_pairs(url, [(p, me) for p, _ in partners])
        for i, (_, hp) in enumerate(partners):
            r = await client.post("/api/v1/conversations", headers=hp, json={
                "participants": [me], "text": "m0", "client_id": f"i{i}"})
            cid = r.json()["conversation"]["id"]
            await client.post(f"/api/v1/conversations/{cid}/messages", headers=hme,
                              json={"text": "m1", "client_id": f"r{i}"})
            await client.post(f"/api/v1/conversations/{cid}/messages", headers=hp,
                              json={"text": "m2", "client_id": f"s{i}"})
        await client.get("/api/v1/conversations", headers=hme)
        with log.measure():
            r = await client.get("/api/v1/conversations", headers=hme)
        assert r.status_code == 200, r.text
        out["inbox_first_page"] = {**log.result(), "items": len(r.json()["items"])}
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    p.add_argument("--postgres-url")
    p.add_argument("--conversations", type=int, default=200)
    p.add_argument("--out")
    args = p.parse_args()
    if args.db == "postgres" and not args.postgres_url:
        p.error("--db postgres needs --postgres-url")
    tmp = Path(tempfile.mkdtemp(prefix="inroad-qc-"))
    try:
        res = asyncio.run(run(args, tmp))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    text = json.dumps(res, indent=2)
    if args.out:
        Path(args.out).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
