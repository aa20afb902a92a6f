"""Quality bars: cross-validation on the shared dev set, and the untouched holdout set.

The holdout floors are the figures measured once, after the last change to the detectors and
the training data (docs/coach.md); a change that lowers any of them fails here.
"""

import json
from pathlib import Path

import pytest

from inroad.coach.dataset import load_examples
from inroad.coach.evaluate import DEFAULT_TRAIN_EXTRA, cross_validate, score_holdout
from inroad.coach.model import MODEL_PATH, dumps
from inroad.coach.training import train

REPO_ROOT = Path(__file__).resolve().parents[2]
DEV_SET = REPO_ROOT.parent / "shared" / "data" / "coach_dev.jsonl"
HOLDOUT = REPO_ROOT / "data" / "coach_holdout.jsonl"
needs_dev = pytest.mark.skipif(not DEV_SET.exists(), reason=f"dev set not found at {DEV_SET}")

# F1 measured on data/coach_holdout.jsonl (151 messages) with the shipped model.json.
HOLDOUT_F1_FLOORS = {
    "job_ask": 0.923,
    "sales_pitch": 0.954,
    "romantic": 0.909,
    "lengthy": 1.000,
    "call_to_action": 0.964,
    "shared_context": 0.804,
}


@needs_dev
def test_cross_validation_f1_at_least_090_per_label() -> None:
    report = cross_validate(DEV_SET, folds=5, seed=0, train_extra=DEFAULT_TRAIN_EXTRA)
    assert report.messages == 240
    assert report.extra == len(load_examples(DEFAULT_TRAIN_EXTRA))
    low = {s.label: round(s.f1, 3) for s in report.scores if s.f1 < 0.90}
    assert not low, f"labels under F1 0.90: {low}"


def test_holdout_f1_does_not_drop_below_the_measured_figures() -> None:
    report = score_holdout(HOLDOUT)
    assert report.messages == 151
    below = {
        s.label: round(s.f1, 3)
        for s in report.scores
        if round(s.f1, 3) < HOLDOUT_F1_FLOORS[s.label]
    }
    assert not below, f"holdout F1 under the recorded floors {HOLDOUT_F1_FLOORS}: {below}"


def test_holdout_is_disjoint_from_training_data() -> None:
    held = {e.text for e in load_examples(HOLDOUT)}
    training = {e.text for e in load_examples(DEFAULT_TRAIN_EXTRA)}
    if DEV_SET.exists():
        training |= {e.text for e in load_examples(DEV_SET)}
    assert not held & training


@needs_dev
def test_shipped_model_is_reproduced_by_training_on_dev_and_extra() -> None:
    examples = load_examples(DEV_SET) + load_examples(DEFAULT_TRAIN_EXTRA)
    assert json.loads(dumps(train(examples))) == json.loads(MODEL_PATH.read_text("utf-8"))


def test_extra_messages_that_repeat_scored_ones_are_left_out(tmp_path: Path) -> None:
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
    extra.write_text("\n".join([*rows[:3], line % (99, "Lunch Friday?", "true")]), "utf-8")
    report = cross_validate(data, folds=2, seed=0, train_extra=extra)
    assert report.extra == 1
