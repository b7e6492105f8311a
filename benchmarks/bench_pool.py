"""Time the talent pool list, its searches and a busy candidate's page, on a database filled by ``benchmarks.generate``.

Run from the repository root (``make bench`` does)::

    .venv/bin/python -m benchmarks.bench_pool [--repeat 30] [--warmup 3] [--check] [--only WORDS]

Each case is requested through the Flask test client as a signed-in manager:
the whole request is timed (routing, access check, queries, template), not the
network. Every response must be 200 and show what SQL says it should (the pool
list's "Showing 1–50 of N candidates", N counted independently; the candidate
page's timeline entries), so that a broken page is never timed as a fast one.
Results are printed and written to ``benchmarks/results/pool-<timestamp>.json``.

The database is the one the app is configured for: the SQLite file in
``BENCH_INSTANCE_PATH`` or ``DATABASE_URL`` (PostgreSQL too).
"""

import argparse
import json
import math
import os
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
from sqlalchemy import event, func, or_, select

from benchmarks.generate import COMMON_WORD, HEAVY_EMAIL, RARE_WORD
from hiring import create_app
from hiring.candidate_forms import SORT_CHOICES
from hiring.pool import DEFAULT_SORT
from hiring.timeline import TIMELINE_PAGE
from models import Candidate, Role, Scorecard, StatusChange, Touch, User, db

RESULTS_FOLDER = Path(__file__).resolve().parent / "results"
# Median targets in milliseconds, on SQLite at 100,000 candidates (issue 10); p95 must stay within twice them.
LIST_TARGET_MS = 50
COMMON_SEARCH_TARGET_MS = 100
P95_FACTOR = 2


@dataclass(frozen=True)
class Case:
    """One page request to time."""

    label: str
    url: str
    target_ms: float
    search_word: str | None = None  # a pool list case: the expected total counts candidates with this word
    candidate_page: bool = False


def pool_url(**args) -> str:
    """Return the pool list's URL with these query arguments."""
    return "/candidates/" + (f"?{urlencode(args)}" if args else "")


def build_cases() -> list[Case]:
    """Every sort the list offers (each direction), the two searches and the heavy candidate's page."""
    cases = [
        Case(f"sorted by {choice.label}" + (" (default)" if choice.value == DEFAULT_SORT else ""),
             pool_url() if choice.value == DEFAULT_SORT else pool_url(sort=choice.value), LIST_TARGET_MS)
        for choice in SORT_CHOICES
    ]  # fmt: skip
    cases.append(Case(f"search {RARE_WORD!r} (~7 %)", pool_url(q=RARE_WORD), LIST_TARGET_MS, RARE_WORD))
    cases.append(Case(f"search {COMMON_WORD!r} (~50 %)", pool_url(q=COMMON_WORD), COMMON_SEARCH_TARGET_MS, COMMON_WORD))
    heavy = "candidate page (20 scorecards, 200 timeline entries, 50 shown)"
    cases.append(Case(heavy, "", LIST_TARGET_MS, candidate_page=True))
    return cases


def expected_total(search_word: str | None) -> int:
    """Count the candidates the list should report, without the app's search code."""
    query = select(func.count()).select_from(Candidate)
    if search_word:
        # search_text is space-separated folded words, and search matches word prefixes.
        word = search_word
        query = query.where(or_(Candidate.search_text.like(f"{word}%"), Candidate.search_text.like(f"% {word}%")))
    return db.session.scalar(query)


def heavy_candidate() -> tuple[int, int]:
    """Return the id of the generated heavy candidate and the number of timeline entries its page must show."""
    candidate_id = db.session.scalar(select(Candidate.id).where(Candidate.email == HEAVY_EMAIL))
    if candidate_id is None:
        raise SystemExit(f"No candidate {HEAVY_EMAIL}; generate the database with this version of benchmarks.generate.")
    counts = [
        db.session.scalar(select(func.count()).select_from(model).where(*where))
        for model, where in (
            (Touch, [Touch.candidate_id == candidate_id]),
            (StatusChange, [StatusChange.candidate_id == candidate_id]),
            (Scorecard, [Scorecard.candidate_id == candidate_id, Scorecard.submitted_at.is_not(None)]),
        )
    ]
    return candidate_id, min(TIMELINE_PAGE, sum(counts))


def page_check(case: Case, page_size: int) -> tuple[str, callable]:
    """Return the URL to request and a test of the response text, from what SQL says the page must show."""
    if case.candidate_page:
        candidate_id, entries = heavy_candidate()
        return f"/candidates/{candidate_id}", lambda text: text.count('<li class="list-group-item">') == entries
    total = expected_total(case.search_word)
    expected = f"Showing 1–{min(page_size, total)} of {total} candidates"
    return case.url, lambda text: expected in text


def percentile(samples: list[float], share: float) -> float:
    """Return the nearest-rank percentile of ``samples`` (``share`` from 0 to 1)."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


class StatementCounter:
    """Counts the SQL statements the app's engine runs while active (to report queries per page)."""

    def __init__(self):
        self.count = 0

    def __enter__(self):
        event.listen(db.engine, "before_cursor_execute", self.seen)
        return self

    def __exit__(self, *exc):
        event.remove(db.engine, "before_cursor_execute", self.seen)

    def seen(self, *args):
        """Count one statement."""
        self.count += 1


def time_case(client, url: str, is_right, warmup: int, repeat: int) -> tuple[list[float], list[float], int]:
    """Request ``url`` warmup + repeat times; return wall and CPU milliseconds, and the statements of one request."""
    wall, cpu = [], []
    with StatementCounter() as counter:
        response = client.get(url)
    for number in range(warmup + repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        elapsed, elapsed_cpu = (time.perf_counter() - started) * 1000, (time.process_time() - started_cpu) * 1000
        if response.status_code != 200 or not is_right(response.get_data(as_text=True)):
            raise SystemExit(f"{url} answered {response.status_code} without what it must show; not timing it.")
        if number >= warmup:
            wall.append(elapsed)
            cpu.append(elapsed_cpu)
    return wall, cpu, counter.count


def database_description() -> str:
    """Return the database engine and version, e.g. "sqlite 3.40.1"."""
    with db.engine.connect():  # the version is known once a connection has been made
        dialect = db.engine.dialect
    version = ".".join(map(str, dialect.server_version_info or ()))
    return f"{dialect.name} {version}".strip()


def sign_in_client():
    """Return a test client signed in as the first active manager."""
    manager = db.session.scalar(
        select(User).where(User.role == Role.MANAGER, User.active.is_(True)).order_by(User.id).limit(1)
    )
    if manager is None:
        raise SystemExit("No active manager in the database; run benchmarks.generate first.")
    client = current_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = manager.get_id()
        session["_fresh"] = True
    return client


def run(cases: list[Case], warmup: int, repeat: int) -> dict:
    """Time the cases in the current app context; return the results."""
    client = sign_in_client()
    page_size = current_app.config["PAGE_SIZE"]
    results = []
    for case in cases:
        url, is_right = page_check(case, page_size)
        db.session.remove()  # the checks' reads must not linger in the session the requests use
        wall, cpu, statements = time_case(client, url, is_right, warmup, repeat)
        median, p95 = statistics.median(wall), percentile(wall, 0.95)
        met = median < case.target_ms and p95 < P95_FACTOR * case.target_ms
        results.append(
            {
                "case": case.label,
                "url": url,
                "median_ms": round(median, 1),
                "p95_ms": round(p95, 1),
                "min_ms": round(min(wall), 1),
                "max_ms": round(max(wall), 1),
                "cpu_median_ms": round(statistics.median(cpu), 1),
                "sql_statements": statements,
                "target_median_ms": case.target_ms,
                "target_p95_ms": P95_FACTOR * case.target_ms,
                "target_met": met,
                "samples_ms": [round(s, 2) for s in wall],
            }
        )
        print(
            f"{case.label:<52} median {median:7.1f} ms  p95 {p95:7.1f} ms  cpu {statistics.median(cpu):6.1f} ms"
            f"  {statements:2} SQL  < {case.target_ms:g}: {'met' if met else 'MISSED'}"
        )
    return {
        "benchmark": "pool list",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "candidates": db.session.scalar(select(func.count()).select_from(Candidate)),
        "database": database_description(),
        "python": platform.python_version(),
        "sqlalchemy": sqlalchemy.__version__,
        "machine": f"{platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs",
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
    parser.add_argument("--only", nargs="*", default=[], help="run only the cases whose label has one of these words")
    args = parser.parse_args(argv)
    cases = [case for case in build_cases() if not args.only or any(word in case.label for word in args.only)]
    app = create_app()
    with app.app_context():
        print(f"{len(cases)} cases on {database_description()}, {args.warmup} warm-ups then {args.repeat} timed each:")
        results = run(cases, args.warmup, args.repeat)
    print(f"Results written to {write_results(results)}")
    if args.check and not all(case["target_met"] for case in results["cases"]):
        sys.exit(1)


if __name__ == "__main__":
    main()
