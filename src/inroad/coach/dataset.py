"""Reading labelled messages (schema: ``shared/data/README.md``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from inroad.coach.text import CHANNELS

LABELS: tuple[str, ...] = (
    "job_ask",
    "sales_pitch",
    "romantic",
    "lengthy",
    "call_to_action",
    "shared_context",
)


class DatasetError(ValueError):
    """The file cannot be read or a line does not follow the schema; the message says where."""


@dataclass(frozen=True, slots=True)
class Example:
    id: str
    channel: str
    text: str
    labels: dict[str, bool]


def load_examples(path: Path) -> list[Example]:
    """Parse a JSON Lines file of labelled messages; raise ``DatasetError`` on any problem."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"cannot read {path}: {exc}") from exc
    examples = [_parse(line, path, n) for n, line in enumerate(lines, 1) if line.strip()]
    if not examples:
        raise DatasetError(f"{path} holds no messages")
    return examples


def _parse(line: str, path: Path, n: int) -> Example:
    where = f"{path}:{n}"
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise DatasetError(f"{where}: not JSON ({exc.msg})") from exc
    if not isinstance(row, dict):
        raise DatasetError(f"{where}: expected a JSON object")
    text, channel, labels = row.get("text"), row.get("channel"), row.get("labels")
    if not isinstance(text, str):
        raise DatasetError(f"{where}: 'text' must be a string")
    if channel not in CHANNELS:
        raise DatasetError(f"{where}: 'channel' must be one of {', '.join(CHANNELS)}")
    if not isinstance(labels, dict) or set(labels) != set(LABELS):
        raise DatasetError(f"{where}: 'labels' must have exactly {', '.join(LABELS)}")
    if not all(isinstance(v, bool) for v in labels.values()):
        raise DatasetError(f"{where}: every label must be true or false")
    return Example(id=str(row.get("id", n)), channel=channel, text=text, labels=dict(labels))
