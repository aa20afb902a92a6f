"""Time ``inroad.coach.review`` per message over a labelled file.

Usage: python bench/bench_coach.py [DATA.jsonl] [--rounds N]   (default 20 rounds, max 200)

Prints wall-clock and CPU time per call: on a busy shared machine the wall-clock tail mostly
measures waiting for a core, while CPU time is what the review itself costs.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from inroad.coach import review
from inroad.coach.dataset import load_examples

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "coach_dev.jsonl"


def _summary(name: str, timings: list[float]) -> str:
    timings = sorted(timings)
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
    return (
        f"{name}: p50 {statistics.median(timings):.3f} ms  p99 {p99:.3f} ms  "
        f"max {timings[-1]:.3f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    examples = load_examples(args.data)
    rounds = max(1, min(args.rounds, 200))
    start = time.perf_counter()
    review("warm-up", channel="dm")  # loads model.json once, as the server does at first use
    print(f"first call (loads model.json): {(time.perf_counter() - start) * 1000:.1f} ms")
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(rounds):
        for e in examples:
            start, start_cpu = time.perf_counter(), time.process_time()
            review(e.text, channel=e.channel)
            wall.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
    print(f"review() over {len(examples)} messages x {rounds} rounds = {len(wall)} calls")
    print(_summary("wall", wall))
    print(_summary("cpu ", cpu))


if __name__ == "__main__":
    main()
