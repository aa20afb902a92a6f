"""Time ``inroad.coach.review`` per message over the dev set.

Usage: python bench/bench_coach.py [DATA.jsonl] [--rounds N]   (default 20 rounds, max 200)
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from inroad.coach import review
from inroad.coach.dataset import load_examples

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "coach_dev.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    examples = load_examples(args.data)
    rounds = max(1, min(args.rounds, 200))
    review("warm-up", channel="dm")  # loads model.json once, as the server does at first use
    timings: list[float] = []
    for _ in range(rounds):
        for e in examples:
            start = time.perf_counter()
            review(e.text, channel=e.channel)
            timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
    print(f"review() over {len(examples)} messages x {rounds} rounds = {len(timings)} calls")
    print(f"p50 {statistics.median(timings):.3f} ms  p99 {p99:.3f} ms  max {timings[-1]:.3f} ms")


if __name__ == "__main__":
    main()
