"""Time the talent pool list (``/candidates/``) on a database filled by ``benchmarks.generate``.

Run from the repository root (``make bench`` does)::

    .venv/bin/python -m benchmarks.bench_pool [--repeat 30] [--warmup 3] [--check]

Each case is requested through the Flask test client as a signed-in manager:
the whole request is timed (routing, access check, queries, template), not the
network. Every response must be 200 and show the expected total ("Showing 1–50
of N candidates", N counted independently with SQL), so that a broken page is
never timed as a fast one. Results are printed and written to
``benchmarks/results/pool-<timestamp>.json``.
"""

import argparse
import json
import math
import platform
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import sqlalchemy
from flask import current_app
from sqlalchemy import func, or_, select

from benchmarks.generate import COMMON_WORD, RARE_WORD
from hiring import create_app
from models import Candidate, Role, User, db

RESULTS_FOLDER = Path(__file__).resolve().parent / "results"
TARGET_MS = 100  # median, on SQLite at 100,000 candidates


@dataclass(frozen=True)
class Case:
    """One page request to time."""

    label: str
    args: dict
    search_word: str | None = None  # the expected total counts candidates with this word
    has_target: bool = False


CASES = [
    Case("first page (default sort)", {}, has_target=True),
    Case("sorted by name", {"sort": "name"}),
    Case("sorted by next touch, latest first", {"sort": "-next_touch"}),
    Case(f"search {RARE_WORD!r} (~7 %)", {"q": RARE_WORD}, RARE_WORD, has_target=True),
    Case(f"search {COMMON_WORD!r} (~50 %)", {"q": COMMON_WORD}, COMMON_WORD, has_target=True),
]


def expected_total(case: Case) -> int:
    """Count the candidates the page should report, without the app's search code."""
    query = select(func.count()).select_from(Candidate)
    if case.search_word:
        # search_text is space-separated folded words, and search matches word prefixes.
        word = case.search_word
        query = query.where(or_(Candidate.search_text.like(f"{word}%"), Candidate.search_text.like(f"% {word}%")))
    return db.session.scalar(query)


def percentile(samples: list[float], share: float) -> float:
    """Return the nearest-rank percentile of ``samples`` (``share`` from 0 to 1)."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def time_case(client, url: str, expected_text: str, warmup: int, repeat: int) -> list[float]:
    """Request ``url`` warmup + repeat times; return the timed durations in milliseconds."""
    samples = []
    for number in range(warmup + repeat):
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200 or expected_text not in response.get_data(as_text=True):
            raise SystemExit(
                f"{url} answered {response.status_code} without {expected_text!r}; not timing a broken page."
            )
        if number >= warmup:
            samples.append(elapsed)
    return samples


def database_description() -> str:
    """Return the database engine and version, e.g. "sqlite 3.40.1"."""
    with db.engine.connect():  # the version is known once a connection has been made
        dialect = db.engine.dialect
    version = ".".join(map(str, dialect.server_version_info or ()))
    return f"{dialect.name} {version}".strip()


def run(warmup: int, repeat: int) -> dict:
    """Time every case in the current app context; return the results."""
    manager = db.session.scalar(
        select(User).where(User.role == Role.MANAGER, User.active.is_(True)).order_by(User.id).limit(1)
    )
    if manager is None:
        raise SystemExit("No active manager in the database; run benchmarks.generate first.")
    candidates = db.session.scalar(select(func.count()).select_from(Candidate))
    page_size = current_app.config["PAGE_SIZE"]
    client = current_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = manager.get_id()
        session["_fresh"] = True
    results = []
    for case in CASES:
        total = expected_total(case)
        url = "/candidates/" + (f"?{urlencode(case.args)}" if case.args else "")
        expected_text = f"Showing 1–{min(page_size, total)} of {total} candidates"
        samples = time_case(client, url, expected_text, warmup, repeat)
        median, p95 = statistics.median(samples), percentile(samples, 0.95)
        results.append(
            {
                "case": case.label,
                "url": url,
                "expected_total": total,
                "median_ms": round(median, 1),
                "p95_ms": round(p95, 1),
                "min_ms": round(min(samples), 1),
                "max_ms": round(max(samples), 1),
                "target_median_ms": TARGET_MS if case.has_target else None,
                "target_met": median < TARGET_MS if case.has_target else None,
                "samples_ms": [round(s, 2) for s in samples],
            }
        )
        target = f"target < {TARGET_MS} ms: {'met' if median < TARGET_MS else 'MISSED'}" if case.has_target else ""
        print(f"{case.label:<38} {total:>8} found   median {median:7.1f} ms   p95 {p95:7.1f} ms   {target}")
    return {
        "benchmark": "pool list",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "candidates": candidates,
        "database": database_description(),
        "python": platform.python_version(),
        "sqlalchemy": sqlalchemy.__version__,
        "machine": platform.platform(),
        "warmup": warmup,
        "repeat": repeat,
        "cases": results,
    }


def write_results(results: dict) -> Path:
    """Write the results as JSON into benchmarks/results/ and return the file's path."""
    RESULTS_FOLDER.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    path = RESULTS_FOLDER / f"pool-{stamp}.json"
    path.write_text(json.dumps(results, indent=2) + "\n")
    return path


def main(argv: list[str] | None = None) -> None:
    """Parse the command line, run the cases and save the results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per case (default %(default)s)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests first (default %(default)s)")
    parser.add_argument("--check", action="store_true", help="exit with status 1 if a target is missed")
    args = parser.parse_args(argv)
    app = create_app()
    with app.app_context():
        print(f"Pool list on {database_description()}, {args.warmup} warm-ups then {args.repeat} timed requests each:")
        results = run(args.warmup, args.repeat)
    print(f"Results written to {write_results(results)}")
    if args.check and any(case["target_met"] is False for case in results["cases"]):
        sys.exit(1)


if __name__ == "__main__":
    main()
