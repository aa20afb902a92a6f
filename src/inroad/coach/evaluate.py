"""Per-label precision, recall and F1 — cross-validated, or on a held-out file — as Rich tables.

Each fold's models are refitted on that fold's training part only (``training.train``), plus any
extra training messages, which are never scored; the ``lengthy`` rule has no fitted parameters.
The concept detectors themselves are fixed code written by people who read the training data, so
cross-validation is optimistic; ``score_holdout`` on messages nobody tuned anything on is the
honest figure (see docs/coach.md).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from rich.table import Table

from inroad.coach.dataset import LABELS, Example, load_examples
from inroad.coach.labeller import predict_labels
from inroad.coach.model import LabelModel, load
from inroad.coach.training import train

# The repository's training augmentation set (absent from an installed package).
DEFAULT_TRAIN_EXTRA = Path(__file__).resolve().parents[3] / "data" / "coach_train_extra.jsonl"


@dataclass(frozen=True, slots=True)
class LabelScore:
    label: str
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def support(self) -> int:
        return self.true_positives + self.false_negatives

    @property
    def precision(self) -> float:
        predicted = self.true_positives + self.false_positives
        return self.true_positives / predicted if predicted else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.support if self.support else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True, slots=True)
class EvalReport:
    """``folds`` is 0 for a held-out evaluation; ``extra`` counts training-only messages."""

    path: Path
    folds: int
    seed: int
    messages: int
    scores: tuple[LabelScore, ...]
    extra: int = 0

    def score(self, label: str) -> LabelScore:
        return next(s for s in self.scores if s.label == label)


def cross_validate(
    path: Path, folds: int = 5, seed: int = 0, train_extra: Path | None = None
) -> EvalReport:
    """Shuffle the messages in ``path`` with ``seed``, split them into ``folds`` parts, and score
    every message with models fitted on the other parts plus every message of ``train_extra``
    (always training, never scored; any whose text is also in ``path`` is left out, so nothing
    scored is ever trained on). Raises ``DatasetError`` for an unreadable or invalid file and
    ``ValueError`` unless ``2 <= folds <= number of messages``."""
    examples = load_examples(path)
    if not 2 <= folds <= len(examples):
        raise ValueError(f"folds must be between 2 and {len(examples)}; got {folds}")
    texts = {e.text for e in examples}
    extra = [e for e in load_examples(train_extra) if e.text not in texts] if train_extra else []
    order = list(range(len(examples)))
    random.Random(seed).shuffle(order)
    predicted: dict[int, dict[str, bool]] = {}
    for fold in range(folds):
        held = order[fold::folds]
        held_set = set(held)
        model = train([examples[i] for i in order if i not in held_set] + extra)
        for i in held:
            predicted[i] = predict_labels(examples[i].text, examples[i].channel, model)
    scores = tuple(_score(label, examples, predicted) for label in LABELS)
    return EvalReport(
        path=path, folds=folds, seed=seed, messages=len(examples), scores=scores,
        extra=len(extra),
    )


def score_holdout(path: Path, model: Mapping[str, LabelModel] | None = None) -> EvalReport:
    """Score every message in ``path`` with ``model`` (default: the shipped ``model.json``),
    which must not have been fitted on them. Raises ``DatasetError`` for an invalid file."""
    examples = load_examples(path)
    fitted = model if model is not None else load()
    predicted = {
        i: predict_labels(e.text, e.channel, fitted) for i, e in enumerate(examples)
    }
    scores = tuple(_score(label, examples, predicted) for label in LABELS)
    return EvalReport(path=path, folds=0, seed=0, messages=len(examples), scores=scores)


def _score(
    label: str, examples: list[Example], predicted: dict[int, dict[str, bool]]
) -> LabelScore:
    pairs = [(predicted[i][label], e.labels[label]) for i, e in enumerate(examples)]
    return LabelScore(
        label=label,
        true_positives=sum(p and t for p, t in pairs),
        false_positives=sum(p and not t for p, t in pairs),
        false_negatives=sum(t and not p for p, t in pairs),
    )


def render(report: EvalReport) -> Table:
    """A table of precision, recall, F1 and support per label."""
    if report.folds:
        title = (
            f"Coach {report.folds}-fold cross-validation, seed {report.seed} "
            f"({report.messages} messages from {report.path.name}"
            + (f"; {report.extra} extra messages always in training)" if report.extra else ")")
        )
    else:
        title = f"Shipped coach model on {report.messages} held-out messages ({report.path.name})"
    table = Table(title=title)
    table.add_column("label")
    for column in ("precision", "recall", "F1", "support"):
        table.add_column(column, justify="right")
    for s in report.scores:
        table.add_row(
            s.label, f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}", str(s.support)
        )
    return table
