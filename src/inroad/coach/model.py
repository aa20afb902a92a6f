"""Per-label logistic regression over concept detectors and an n-gram score, in pure Python.

Runtime only reads ``model.json`` and sums a handful of weights plus one n-gram table lookup per
word pair, so the web server needs neither numpy nor scikit-learn. Fitting (``fit``) is Newton's
method on at most a dozen features per label (the concept detectors, ``short`` and the
real-valued ``nb`` score of ``ngrams.py``), which takes milliseconds in plain Python.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inroad.coach.features import LABEL_DETECTORS
from inroad.coach.ngrams import BUCKETS, nb_score

MODEL_PATH = Path(__file__).with_name("model.json")
MODEL_FORMAT = 2
LEARNED_LABELS: tuple[str, ...] = tuple(LABEL_DETECTORS)
NB_FEATURE = "nb"

# Strength of the L2 penalty on weights (not the bias): enough to keep a detector that fired on
# only a few training messages from swinging a label on its own.
L2 = 0.03
_NEWTON_STEPS = 25


@dataclass(frozen=True, slots=True)
class LabelModel:
    """``P(label) = sigmoid(bias + weights of the fired features + weights["nb"] * nb score)``,
    where the nb score is ``ngrams.nb_score(message n-grams, ratios)``."""

    bias: float
    weights: Mapping[str, float]
    ratios: Mapping[int, float] = field(default_factory=dict)

    def score(self, fired: frozenset[str], doc: frozenset[int]) -> float:
        z = self.bias + sum(self.weights.get(name, 0.0) for name in fired)
        z += self.weights.get(NB_FEATURE, 0.0) * nb_score(doc, self.ratios)
        return _sigmoid(z)

    def predict(self, fired: frozenset[str], doc: frozenset[int]) -> bool:
        return self.score(fired, doc) >= 0.5


Model = Mapping[str, LabelModel]


def _sigmoid(z: float) -> float:
    if z < -40:
        return 0.0
    return 1.0 / (1.0 + math.exp(-z))


def fit(examples: Sequence[tuple[Mapping[str, float], bool]], l2: float = L2) -> LabelModel:
    """Fit an L2-regularised logistic regression on (feature values, label) pairs; a binary
    feature is present with value 1.0. The returned model has no n-gram ratios."""
    names = sorted({name for values, _ in examples for name in values})
    dim = len(names) + 1  # index 0 is the bias
    index = {name: i + 1 for i, name in enumerate(names)}
    rows = [
        ([(0, 1.0), *((index[n], v) for n, v in values.items())], 1.0 if label else 0.0)
        for values, label in examples
    ]
    theta = [0.0] * dim
    for _ in range(_NEWTON_STEPS):
        grad = [l2 * t for t in theta]
        grad[0] = 0.0
        hess = [[0.0] * dim for _ in range(dim)]
        for j in range(1, dim):
            hess[j][j] = l2
        hess[0][0] = 1e-6
        for active, y in rows:
            p = _sigmoid(sum(theta[i] * v for i, v in active))
            w = p * (1.0 - p)
            for i, vi in active:
                grad[i] += (p - y) * vi
                for j, vj in active:
                    hess[i][j] += w * vi * vj
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
    """The JSON document ``load`` reads back. The n-gram buckets are listed once (``vocab``) and
    each label's ratios are a list aligned with it (0 = no ratio), which halves the file."""
    vocab = sorted({g for m in model.values() for g in m.ratios})
    return {
        "format": MODEL_FORMAT,
        "buckets": BUCKETS,
        "vocab": vocab,
        "labels": {
            label: {
                "bias": round(m.bias, 6),
                "weights": {k: round(v, 6) for k, v in sorted(m.weights.items())},
                "ngrams": [m.ratios.get(g, 0) for g in vocab],
            }
            for label, m in model.items()
        },
    }


def dumps(model: Model) -> str:
    """``to_json`` as text: readable weights, the long n-gram lists on one line each."""
    doc = to_json(model)
    lines = [
        "{",
        f' "format": {doc["format"]},',
        f' "buckets": {doc["buckets"]},',
        f' "vocab": {json.dumps(doc["vocab"], separators=(",", ":"))},',
        ' "labels": {',
    ]
    entries = []
    for label, entry in doc["labels"].items():
        ngrams = json.dumps(entry["ngrams"], separators=(",", ":"))
        entries.append(
            f'  "{label}": {{\n   "bias": {json.dumps(entry["bias"])},\n'
            f'   "weights": {json.dumps(entry["weights"])},\n   "ngrams": {ngrams}\n  }}'
        )
    lines.append(",\n".join(entries))
    lines += [" }", "}"]
    return "\n".join(lines) + "\n"


def load(path: Path = MODEL_PATH) -> dict[str, LabelModel]:
    """Read a model written by ``scripts/train_coach.py``; raise ``ValueError`` if malformed."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    if (
        doc.get("format") != MODEL_FORMAT
        or doc.get("buckets") != BUCKETS
        or set(doc.get("labels", {})) != set(LEARNED_LABELS)
        or any(
            len(entry.get("ngrams", ())) != len(doc.get("vocab", ()))
            for entry in doc["labels"].values()
        )
    ):
        raise ValueError(f"{path} is not a coach model (format {MODEL_FORMAT})")
    vocab = [int(g) for g in doc["vocab"]]
    return {
        label: LabelModel(
            bias=float(entry["bias"]),
            weights={str(k): float(v) for k, v in entry["weights"].items()},
            ratios={g: float(r) for g, r in zip(vocab, entry["ngrams"], strict=True) if r},
        )
        for label, entry in doc["labels"].items()
    }
