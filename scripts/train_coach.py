"""Rebuild ``src/inroad/coach/model.json`` from labelled messages.

Usage: python scripts/train_coach.py [DATA.jsonl]   (default: ../shared/data/coach_dev.jsonl)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from inroad.coach.dataset import DatasetError, load_examples
from inroad.coach.model import MODEL_PATH, to_json
from inroad.coach.training import train

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "coach_dev.jsonl"


def main(argv: list[str]) -> int:
    data = Path(argv[0]) if argv else DEFAULT_DATA
    try:
        examples = load_examples(data)
    except DatasetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    document = to_json(train(examples))
    MODEL_PATH.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", "utf-8")
    print(f"trained on {len(examples)} messages from {data} -> {MODEL_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
