"""The CLI commands, on a throwaway Typer app."""

from pathlib import Path

import typer
from typer.testing import CliRunner

from inroad.coach.commands import register

runner = CliRunner()


def make_app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def test_coach_prints_review() -> None:
    result = runner.invoke(
        make_app(), ["coach", "Is your team hiring? Could you refer me?", "--channel", "dm"]
    )
    assert result.exit_code == 0, result.output
    assert "job_ask" in result.output and "length" in result.output


def test_coach_rejects_bad_channel() -> None:
    result = runner.invoke(make_app(), ["coach", "Hi", "--channel", "fax"])
    assert result.exit_code != 0
    assert "channel" in result.stderr


def test_coach_eval_prints_table(tmp_path: Path) -> None:
    line = (
        '{"id": "x%d", "channel": "dm", "first_message": true, "sender_role": "member", '
        '"text": "%s", "labels": {"job_ask": false, "sales_pitch": false, "romantic": false, '
        '"lengthy": false, "call_to_action": %s, "shared_context": false}}'
    )
    rows = [line % (i, "Coffee soon?" if i % 2 else "Congrats!", "true" if i % 2 else "false")
            for i in range(10)]
    data = tmp_path / "small.jsonl"
    data.write_text("\n".join(rows), encoding="utf-8")
    result = runner.invoke(make_app(), ["coach-eval", str(data), "--cv", "2"])
    assert result.exit_code == 0, result.output
    assert "call_to_action" in result.output and "F1" in result.output


def test_coach_eval_invalid_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n", encoding="utf-8")
    for path in (bad, tmp_path / "missing.jsonl"):
        result = runner.invoke(make_app(), ["coach-eval", str(path)])
        assert result.exit_code == 1
        assert "error" in result.stderr


def test_coach_eval_holdout_and_extra_options(tmp_path: Path) -> None:
    line = (
        '{"id": "x%d", "channel": "dm", "first_message": true, "sender_role": "member", '
        '"text": "%s", "labels": {"job_ask": false, "sales_pitch": false, "romantic": false, '
        '"lengthy": false, "call_to_action": %s, "shared_context": false}}'
    )
    rows = [line % (i, f"Coffee soon {i}?" if i % 2 else f"Congrats {i}!",
                    "true" if i % 2 else "false") for i in range(10)]
    data = tmp_path / "small.jsonl"
    data.write_text("\n".join(rows), encoding="utf-8")
    extra = tmp_path / "extra.jsonl"
    extra.write_text(line % (99, "Lunch on Friday?", "true"), encoding="utf-8")
    result = runner.invoke(
        make_app(),
        ["coach-eval", str(data), "--cv", "2", "--train-extra", str(extra), "--holdout", str(data)],
    )
    assert result.exit_code == 0, result.output
    assert "1 extra messages always in training" in result.output
    assert "held-out messages" in result.output
    both = runner.invoke(
        make_app(), ["coach-eval", str(data), "--dev-only", "--train-extra", str(extra)]
    )
    assert both.exit_code == 1 and "--dev-only" in both.stderr
