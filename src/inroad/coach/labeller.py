"""Turning a message into the six label values."""

from __future__ import annotations

from collections.abc import Mapping

from inroad.coach.dataset import LABELS
from inroad.coach.features import detect, features_for
from inroad.coach.model import LabelModel
from inroad.coach.ngrams import grams
from inroad.coach.text import is_lengthy


def predict_labels(text: str, channel: str, model: Mapping[str, LabelModel]) -> dict[str, bool]:
    """All six labels for ``text``: ``lengthy`` by rule, the rest by ``model``."""
    fired = detect(text)
    doc = grams(text)
    labels = {
        label: model[label].predict(features_for(label, fired), doc)
        for label in LABELS
        if label != "lengthy"
    }
    labels["lengthy"] = is_lengthy(text, channel)
    return {label: labels[label] for label in LABELS}
