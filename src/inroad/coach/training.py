"""Fitting the label models from labelled messages (used by the training script and by CV)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from inroad.coach.dataset import Example
from inroad.coach.features import detect, features_for
from inroad.coach.model import LEARNED_LABELS, NB_FEATURE, LabelModel, fit
from inroad.coach.ngrams import fit_ratios, grams, nb_score

# The n-gram score a training message gets must come from ratios fitted WITHOUT that message,
# or the regression would learn to trust a score that is far sharper on seen text than on new
# text. Ratios for each inner fold come from the other folds (cross-fitting).
INNER_FOLDS = 5


def train(examples: Sequence[Example]) -> dict[str, LabelModel]:
    """One logistic regression per learned label, fitted on ``examples`` only."""
    fired = [detect(e.text) for e in examples]
    docs = [grams(e.text) for e in examples]
    return {label: _train_label(label, examples, fired, docs) for label in LEARNED_LABELS}


def _train_label(
    label: str,
    examples: Sequence[Example],
    fired: Sequence[frozenset[str]],
    docs: Sequence[frozenset[int]],
) -> LabelModel:
    truth = [e.labels[label] for e in examples]
    held_out_nb = [0.0] * len(examples)
    for fold in range(INNER_FOLDS):
        rest = [i for i in range(len(examples)) if i % INNER_FOLDS != fold]
        ratios = fit_ratios([docs[i] for i in rest], [truth[i] for i in rest])
        for i in range(fold, len(examples), INNER_FOLDS):
            held_out_nb[i] = nb_score(docs[i], ratios)
    rows: list[tuple[dict[str, float], bool]] = [
        ({**dict.fromkeys(features_for(label, f), 1.0), NB_FEATURE: nb}, t)
        for f, nb, t in zip(fired, held_out_nb, truth, strict=True)
    ]
    return replace(fit(rows), ratios=fit_ratios(docs, truth))
