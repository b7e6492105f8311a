"""Time training and ranking of the fit model on synthetic interview data (``scoring.synthetic``).

Run from the repository root::

    .venv/bin/python -m benchmarks.bench_model [--reps 2000] [--candidates 100000] [--repeat 3] [--check]

Training covers everything ``scoring.train.train`` does: repeated stratified 5-fold x 3 for both
feature variants and the mean-of-ratings baseline, reliability, grouped permutation importance,
validity per trait and interviewer, and the final fit. Ranking covers ``scoring.rank.rank`` from
scorecards to sorted predictions with certainty and reasons. Data generation is not timed.
Each run must produce a working result (the model beats the mean-of-ratings baseline on the
planted structure; one prediction per candidate), so that a broken run is never timed as a fast
one. Results are printed and written to ``benchmarks/results/model.json``.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import scipy
import sklearn
import skops

from scoring.rank import rank
from scoring.synthetic import make_data
from scoring.train import train

RESULTS_FILE = Path(__file__).resolve().parent / "results" / "model.json"
TARGET_S = 10.0  # median, for 2,000 reps (training) and 100,000 candidates (ranking)
SEED = 1


def timed(function, *args, **kwargs) -> tuple[object, float, float]:
    """Call ``function``; return its result, the wall-clock seconds and the CPU seconds it took."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - wall, time.process_time() - cpu


def check_training(result, reps: int) -> None:
    """Stop unless training gave a model that learned the planted structure."""
    report = result.report
    if report["n_reps"] != reps or not report["beats"]["mean_rating"]:
        raise SystemExit(f"Training did not beat the mean-of-ratings baseline: {report['verdict']} Not timing it.")


def run(reps: int, candidates: int, repeat: int, warmup: int) -> dict:
    """Generate the data once, then time training and ranking ``warmup + repeat`` times each."""
    data = make_data(reps, candidates, random_state=SEED)
    rep_cards = [card for card in data.scorecards if card.candidate_id in data.labels]
    candidate_cards = [card for card in data.scorecards if card.candidate_id not in data.labels]
    samples: dict[str, list[tuple[float, float]]] = {"train": [], "rank": []}
    for number in range(warmup + repeat):
        result, wall, cpu = timed(train, rep_cards, data.labels, data.trait_keys, trait_names=data.trait_names)
        check_training(result, reps)
        predictions, rank_wall, rank_cpu = timed(rank, result.ranker, candidate_cards)
        if len(predictions) != candidates:
            raise SystemExit(f"Ranking returned {len(predictions)} predictions for {candidates} candidates.")
        del predictions  # the app stores them and lets go; 100,000 live objects would slow the next run
        if number >= warmup:
            samples["train"].append((wall, cpu))
            samples["rank"].append((rank_wall, rank_cpu))
        print(
            f"  run {number + 1}{' (warm-up)' if number < warmup else ''}: train {wall:.2f} s, rank {rank_wall:.2f} s"
        )
    metrics = result.report["metrics"]
    cases = []
    for case, label, size in (("train", "train, 5-fold x 3 CV", reps), ("rank", "rank", candidates)):
        walls = [wall for wall, _ in samples[case]]
        median = statistics.median(walls)
        cases.append(
            {
                "case": label,
                "size": size,
                "median_s": round(median, 2),
                "min_s": round(min(walls), 2),
                "max_s": round(max(walls), 2),
                "median_cpu_s": round(statistics.median(cpu for _, cpu in samples[case]), 2),
                "target_median_s": TARGET_S,
                "target_met": median < TARGET_S,
                "samples_s": [round(wall, 3) for wall in walls],
            }
        )
    return {
        "benchmark": "fit model",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "reps": reps,
        "candidates": candidates,
        "traits": len(data.trait_keys),
        "seed": SEED,
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "skops": skops.__version__,
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "warmup": warmup,
        "repeat": repeat,
        "cases": cases,
        "last_report": {
            "normalized": result.report["normalized"],
            "spearman": {name: metrics[name]["spearman"]["mean"] for name in metrics},
            "beats": result.report["beats"],
        },
    }


def write_results(results: dict) -> Path:
    """Write the results as JSON into benchmarks/results/ and return the file's path."""
    RESULTS_FILE.parent.mkdir(exist_ok=True)
    RESULTS_FILE.write_text(json.dumps(results, indent=2) + "\n")
    return RESULTS_FILE


def main(argv: list[str] | None = None) -> None:
    """Parse the command line, run the benchmark and save the results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=2000, help="labelled reps to train on (default %(default)s)")
    parser.add_argument("--candidates", type=int, default=100_000, help="candidates to rank (default %(default)s)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs (default %(default)s)")
    parser.add_argument("--warmup", type=int, default=0, help="untimed runs first (default %(default)s)")
    parser.add_argument("--check", action="store_true", help="exit with status 1 if a target is missed")
    args = parser.parse_args(argv)
    print(f"Fit model: {args.reps} reps, {args.candidates} candidates, {args.warmup} warm-ups, {args.repeat} runs:")
    results = run(args.reps, args.candidates, args.repeat, args.warmup)
    for case in results["cases"]:
        verdict = "met" if case["target_met"] else "MISSED"
        print(
            f"{case['case']:<22} {case['size']:>8}   median {case['median_s']:6.2f} s   "
            f"(CPU {case['median_cpu_s']:.2f} s)   target < {TARGET_S:g} s: {verdict}"
        )
    spearman = results["last_report"]["spearman"]
    print(f"Spearman: model {spearman['model']:.3f}, mean of ratings {spearman['mean_rating']:.3f}")
    print(f"Results written to {write_results(results)}")
    if args.check and not all(case["target_met"] for case in results["cases"]):
        sys.exit(1)


if __name__ == "__main__":
    main()
