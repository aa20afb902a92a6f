"""Fitting the label models from labelled messages (used by the training script and by CV)."""

from __future__ import annotations

from collections.abc import Sequence

from inroad.coach.dataset import Example
from inroad.coach.features import detect, features_for
from inroad.coach.model import LEARNED_LABELS, LabelModel, fit


def train(examples: Sequence[Example]) -> dict[str, LabelModel]:
    """One logistic regression per learned label, fitted on ``examples`` only."""
    fired = [detect(e.text) for e in examples]
    return {
        label: fit(
            [
                (features_for(label, f), e.labels[label])
                for f, e in zip(fired, examples, strict=True)
            ]
        )
        for label in LEARNED_LABELS
    }
