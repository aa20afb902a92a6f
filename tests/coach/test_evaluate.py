"""Cross-validation on the shared dev set meets the quality bar."""

from pathlib import Path

import pytest

from inroad.coach.evaluate import cross_validate

REPO_ROOT = Path(__file__).resolve().parents[2]
DEV_SET = REPO_ROOT.parent / "shared" / "data" / "coach_dev.jsonl"


@pytest.mark.skipif(not DEV_SET.exists(), reason=f"dev set not found at {DEV_SET}")
def test_cross_validation_f1_at_least_090_per_label() -> None:
    report = cross_validate(DEV_SET, folds=5, seed=0)
    assert report.messages == 240
    low = {s.label: round(s.f1, 3) for s in report.scores if s.f1 < 0.90}
    assert not low, f"labels under F1 0.90: {low}"
