"""The ``inroad`` command: serve, migrate, demo data, administration, the message coach."""

from __future__ import annotations

import asyncio
import getpass
import sys
from typing import Annotated

import typer
from rich.console import Console

from inroad.settings import Settings

app = typer.Typer(
    help="Inroad: a self-hostable professional network built around messaging.",
    no_args_is_help=True,
    add_completion=False,
)
admin_app = typer.Typer(help="Operator commands: operators, plans.", no_args_is_help=True)
app.add_typer(admin_app, name="admin")
err = Console(stderr=True)
out = Console()


def fail(message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}")
    return typer.Exit(code=1)


@app.command()
def migrate() -> None:
    """Bring the database (INROAD_DATABASE_URL) to the newest schema."""
    from inroad.storage.migrate import upgrade

    settings = Settings.from_env()
    try:
        upgrade(settings.database_url)
    except Exception as exc:
        raise fail(f"migration failed: {exc}") from exc
    out.print(f"Database is up to date ({settings.database_url.split('@')[-1]}).")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[
        int, typer.Option(help="Worker processes (more than 1 needs INROAD_REDIS_URL).")
    ] = 1,
) -> None:
    """Serve the web UI and the API. Never seeds data; run `inroad migrate` first."""
    import uvicorn

    settings = Settings.from_env()
    if workers > 1 and not settings.redis_url:
        raise fail("--workers above 1 needs INROAD_REDIS_URL so workers share live events")
    out.print(f"Inroad on http://{host}:{port}  (database: {settings.database_url.split('@')[-1]})")
    uvicorn.run(
        "inroad.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
        ws_per_message_deflate=False,
    )


@app.command()
def demo(
    members: Annotated[int, typer.Option(min=2, max=20000, help="How many demo members.")] = 200,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Do nothing when members exist.")
    ] = False,
    seed: Annotated[int, typer.Option(help="Random seed, for a repeatable network.")] = 7,
) -> None:
    """Seed a realistic demo network (members, profiles, connections, invitations)."""
    from inroad.demo import seed_demo
    from inroad.storage.migrate import upgrade

    settings = Settings.from_env()
    upgrade(settings.database_url)
    created = asyncio.run(
        seed_demo(settings, count=members, if_empty=if_empty, seed=seed, console=out)
    )
    if created == 0:
        out.print("The database already has members; demo data not added.")


@admin_app.command("create-operator")
def create_operator(
    email: Annotated[str, typer.Option(prompt=True, help="Operator's email.")],
    name: Annotated[str, typer.Option(prompt=True, help="Display name.")] = "Operator",
    password: Annotated[str | None, typer.Option(help="Password (asked for when omitted).")] = None,
) -> None:
    """Create an operator account, or make an existing member an operator."""
    from inroad.accounts.admin import make_operator

    if password is None:
        password = (
            getpass.getpass("Password: ") if sys.stdin.isatty() else sys.stdin.readline().strip()
        )
    settings = Settings.from_env()
    try:
        handle = asyncio.run(make_operator(settings, email=email, name=name, password=password))
    except Exception as exc:
        raise fail(str(exc)) from exc
    out.print(f"{email} is an operator (/in/{handle}).")


@admin_app.command("plan")
def admin_plan(
    handle: Annotated[str, typer.Argument(help="The member's handle.")],
    plan: Annotated[
        str,
        typer.Argument(help="free|career|business|sales_navigator|recruiter_lite (free ends it)."),
    ],
) -> None:
    """Grant a member a plan, or end it with `free`; credits follow the ledger rules."""
    from inroad.errors import InroadError
    from inroad.premium.actions import set_plan_from_cli

    try:
        change = asyncio.run(set_plan_from_cli(Settings.from_env(), handle, plan))
    except InroadError as exc:
        raise fail(exc.message) from exc
    state = "now has" if change.changed else "already had"
    out.print(f"{handle} {state} the {plan} plan; InMail credits: {change.balance}.")


def _register_plugins() -> None:
    from inroad.coach import commands as coach_commands

    coach_commands.register(app)


def main() -> None:
    _register_plugins()
    app()
