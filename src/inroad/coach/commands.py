"""The ``coach`` and ``coach-eval`` CLI commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from inroad.coach.dataset import DatasetError
from inroad.coach.review import Review, review
from inroad.coach.text import CHANNELS


def register(app: typer.Typer) -> None:
    """Add ``coach`` and ``coach-eval`` to ``app``."""
    app.command("coach")(coach_command)
    app.command("coach-eval")(coach_eval_command)


def coach_command(
    text: Annotated[str, typer.Argument(help="The draft message.")],
    channel: Annotated[str, typer.Option(help="dm, inmail or invite_note.")],
    first: Annotated[
        bool, typer.Option("--first/--not-first", help="Is this the first message to them?")
    ] = True,
    subject: Annotated[str | None, typer.Option(help="InMail subject line.")] = None,
) -> None:
    """Review a draft message: labels, issues and length."""
    if channel not in CHANNELS:
        _fail(f"--channel must be one of {', '.join(CHANNELS)}; got {channel!r}")
    result = review(text, channel=channel, first_message=first, subject=subject)
    Console().print(_review_table(result))


def coach_eval_command(
    file: Annotated[Path, typer.Argument(help="Labelled messages (JSON Lines).")],
    cv: Annotated[int, typer.Option("--cv", help="Number of folds.")] = 5,
    seed: Annotated[int, typer.Option(help="Shuffle seed.")] = 0,
    train_extra: Annotated[
        Path | None,
        typer.Option(
            "--train-extra",
            help="More labelled messages, always in the training part of every fold and never "
            "scored. Default: the repository's data/coach_train_extra.jsonl when present.",
        ),
    ] = None,
    dev_only: Annotated[
        bool, typer.Option("--dev-only", help="Train on FILE's folds alone (no extra set).")
    ] = False,
    holdout: Annotated[
        Path | None,
        typer.Option(
            "--holdout",
            help="Also score the shipped model on these held-out messages (never trained on).",
        ),
    ] = None,
) -> None:
    """Cross-validate the coach on a labelled file and print per-label P/R/F1."""
    # Imported here so `inroad coach` does not pay for the evaluation code.
    from inroad.coach.evaluate import DEFAULT_TRAIN_EXTRA, cross_validate, render, score_holdout

    if dev_only and train_extra is not None:
        _fail("--dev-only and --train-extra cannot be combined")
    extra = None if dev_only else train_extra
    if extra is None and not dev_only and DEFAULT_TRAIN_EXTRA.exists():
        extra = DEFAULT_TRAIN_EXTRA
    console = Console()
    try:
        console.print(render(cross_validate(file, folds=cv, seed=seed, train_extra=extra)))
        if holdout is not None:
            console.print(render(score_holdout(holdout)))
    except (DatasetError, ValueError) as exc:
        _fail(str(exc))


def _review_table(result: Review) -> Table:
    table = Table(title="Coach review", show_header=False)
    table.add_column("what", style="bold")
    table.add_column("detail")
    for label, value in result.labels.items():
        table.add_row(label, "yes" if value else "no")
    for issue in result.issues:
        table.add_row(f"{issue.severity}: {issue.code}", issue.message)
    n = result.length
    table.add_row(
        "length",
        f"{n.chars} chars, {n.words} {'word' if n.words == 1 else 'words'}, "
        f"{n.paragraphs} {'paragraph' if n.paragraphs == 1 else 'paragraphs'}",
    )
    return table


def _fail(message: str) -> NoReturn:
    Console(stderr=True).print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(code=1)
