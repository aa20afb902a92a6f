"""Rebuild ``src/inroad/coach/model.json`` from labelled messages.

Usage: python scripts/train_coach.py [DATA.jsonl ...]
(default: ../shared/data/coach_dev.jsonl and data/coach_train_extra.jsonl)

Never pass data/coach_holdout.jsonl: it is the untouched test set the docs report on.
Training is deterministic, so the same files always give the same model.json
(tests/coach/test_evaluate.py checks the shipped file against a fresh run).
"""

from __future__ import annotations

import sys
from pathlib import Path

from inroad.coach.dataset import DatasetError, Example, load_examples
from inroad.coach.model import MODEL_PATH, dumps
from inroad.coach.training import train

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = (
    REPO.parent / "shared" / "data" / "coach_dev.jsonl",
    REPO / "data" / "coach_train_extra.jsonl",
)
HOLDOUT = REPO / "data" / "coach_holdout.jsonl"


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or list(DEFAULT_DATA)
    if any(p.resolve() == HOLDOUT.resolve() for p in paths):
        print(f"error: {HOLDOUT.name} is the held-out test set; never train on it", file=sys.stderr)
        return 1
    examples: list[Example] = []
    try:
        for path in paths:
            examples.extend(load_examples(path))
    except DatasetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    MODEL_PATH.write_text(dumps(train(examples)), "utf-8")
    names = ", ".join(str(p) for p in paths)
    print(f"trained on {len(examples)} messages from {names} -> {MODEL_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
