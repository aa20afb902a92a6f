"""Per-label logistic regression over concept detectors, in pure Python.

Runtime only reads ``model.json`` and sums a handful of weights, so the web server needs neither
numpy nor scikit-learn. Fitting (``fit``) is Newton's method on at most a dozen binary features
per label, which takes milliseconds in plain Python and keeps training dependency-free too.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inroad.coach.features import LABEL_DETECTORS

MODEL_PATH = Path(__file__).with_name("model.json")
MODEL_FORMAT = 1
LEARNED_LABELS: tuple[str, ...] = tuple(LABEL_DETECTORS)

# Strength of the L2 penalty on weights (not the bias): enough to keep a detector that fired on
# only a few training messages from swinging a label on its own.
L2 = 0.03
_NEWTON_STEPS = 25


@dataclass(frozen=True, slots=True)
class LabelModel:
    """``P(label) = sigmoid(bias + sum of weights of the fired features)``."""

    bias: float
    weights: Mapping[str, float]

    def score(self, fired: Iterable[str]) -> float:
        z = self.bias + sum(self.weights.get(name, 0.0) for name in fired)
        return 1.0 / (1.0 + math.exp(-z))

    def predict(self, fired: Iterable[str]) -> bool:
        return self.score(fired) >= 0.5


Model = Mapping[str, LabelModel]


def fit(examples: Sequence[tuple[frozenset[str], bool]], l2: float = L2) -> LabelModel:
    """Fit an L2-regularised logistic regression on (fired features, label) pairs."""
    names = sorted({name for fired, _ in examples for name in fired})
    dim = len(names) + 1  # index 0 is the bias
    index = {name: i + 1 for i, name in enumerate(names)}
    rows = [([0, *(index[n] for n in fired)], 1.0 if label else 0.0) for fired, label in examples]
    theta = [0.0] * dim
    for _ in range(_NEWTON_STEPS):
        grad = [l2 * t for t in theta]
        grad[0] = 0.0
        hess = [[0.0] * dim for _ in range(dim)]
        for j in range(1, dim):
            hess[j][j] = l2
        hess[0][0] = 1e-6
        for active, y in rows:
            p = 1.0 / (1.0 + math.exp(-sum(theta[i] for i in active)))
            w = p * (1.0 - p)
            for i in active:
                grad[i] += p - y
                for j in active:
                    hess[i][j] += w
        step = _solve(hess, grad)
        theta = [t - s for t, s in zip(theta, step, strict=True)]
        if max(abs(s) for s in step) < 1e-8:
            break
    return LabelModel(bias=theta[0], weights={n: theta[index[n]] for n in names})


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Solve ``matrix @ x = vector`` by Gaussian elimination (the Hessian is small and SPD)."""
    n = len(vector)
    a = [[*row, v] for row, v in zip(matrix, vector, strict=True)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        a[col], a[pivot] = a[pivot], a[col]
        for r in range(col + 1, n):
            factor = a[r][col] / a[col][col]
            for c in range(col, n + 1):
                a[r][c] -= factor * a[col][c]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (a[r][n] - sum(a[r][c] * x[c] for c in range(r + 1, n))) / a[r][r]
    return x


def to_json(model: Model) -> dict[str, Any]:
    """The JSON document ``load`` reads back."""
    return {
        "format": MODEL_FORMAT,
        "labels": {
            label: {
                "bias": round(m.bias, 6),
                "weights": {k: round(v, 6) for k, v in sorted(m.weights.items())},
            }
            for label, m in model.items()
        },
    }


def load(path: Path = MODEL_PATH) -> dict[str, LabelModel]:
    """Read a model written by ``scripts/train_coach.py``; raise ``ValueError`` if malformed."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    if doc.get("format") != MODEL_FORMAT or set(doc.get("labels", {})) != set(LEARNED_LABELS):
        raise ValueError(f"{path} is not a coach model (format {MODEL_FORMAT})")
    return {
        label: LabelModel(bias=float(entry["bias"]), weights=dict(entry["weights"]))
        for label, entry in doc["labels"].items()
    }
