"""Time exports of 20,000 candidates (a shortlist and a pool view) as CSV and XLSX, and the CSV's memory.

Run from the repository root against an empty, migrated database (``make bench-export`` does); a
database it filled before is reused as it is::

    .venv/bin/python -m benchmarks.bench_export [--candidates 20000] [--repeat 5] [--warmup 1] [--check]

It fills the database with ``benchmarks.generate`` (full records, tags, touches, a few openings),
then adds what the default columns read, with bulk INSERTs: 1-3 submitted scorecards per candidate
rating every trait in use, with a recommendation; a fit score with reasons for nine in ten
(stored under a stand-in model version: exporting reads scores, it does not compute them); and a
shortlist holding every candidate, with a comment on one in five (some formula-like).

Each case is requested through the Flask test client as a signed-in manager, with the chooser's
default columns, and timed until the whole body has been read. A response must be 200 and hold
a header and one row per candidate (checked after timing), or the run stops.

Memory: the pool's CSV export is then downloaded once more, untimed, under tracemalloc, reading
the streamed body chunk by chunk without keeping it, for three views of different sizes (the
notes word in about 7 % of candidates, the one in about half, and everyone). The peak of the
Python heap during the download must not grow with the rows: the export streams, loading the
rows in batches of ``hiring.export_columns.BATCH``. Results are printed and written to
``benchmarks/results/export-<timestamp>.json``.
"""

import argparse
import csv
import io
import json
import platform
import random
import statistics
import sys
import time
import tracemalloc
from datetime import UTC, datetime
from urllib.parse import urlencode

import sqlalchemy
from flask import current_app
from openpyxl import load_workbook
from sqlalchemy import func, insert, select, text

from benchmarks.bench_pool import RESULTS_FOLDER, database_description, percentile
from benchmarks.generate import COMMON_WORD, RARE_WORD, generate
from hiring import create_app
from hiring.export_columns import available_columns, default_keys
from models import (
    Candidate,
    CandidateScore,
    Interview,
    ModelVersion,
    Rating,
    Recommendation,
    Role,
    Scorecard,
    ScorecardTemplate,
    Shortlist,
    ShortlistEntry,
    Trait,
    User,
    db,
)

TARGET_S = 3.0  # median, per export of 20,000 rows (scaled to the rows of a run)
TARGET_ROWS = 20_000
# The peak heap of a CSV export of everyone may exceed that of the 7 % view by this factor at most:
# a bounded export pays for its batch, not its rows (and a 20,000-row body is ~15 times the smaller).
MEMORY_GROWTH_LIMIT = 2.0
BATCH = 20_000
SHORTLIST = "Benchmark: every candidate"
COMMENTS = ["Call before Friday", '=HYPERLINK("http://example.com")', "Strong referral", "+ref from Dana", "@mention"]


def insert_in_batches(conn, model, rows: list[dict]) -> None:
    """Insert ``rows`` with executemany, BATCH at a time."""
    for start in range(0, len(rows), BATCH):
        conn.execute(insert(model), rows[start : start + BATCH])


def fill(candidates: int, seed: int) -> dict:
    """Generate the candidates, then their scorecards, scores and the shortlist; return the counts."""
    generate(candidates, seed)
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    now = datetime.now(UTC)
    with db.engine.connect() as conn:
        ids = conn.scalars(select(Candidate.id).order_by(Candidate.id)).all()
        interviewers = conn.scalars(select(User.id).where(User.role == Role.INTERVIEWER)).all()
        manager = conn.scalar(select(User.id).where(User.role == Role.MANAGER).order_by(User.id))
        traits = conn.scalars(select(Trait.id).where(Trait.retired.is_(False))).all()
        template = conn.scalar(select(ScorecardTemplate.id).where(ScorecardTemplate.is_current.is_(True)))
        # Interview and scorecard share ids here; the generator may have written some of each already.
        taken = [conn.scalar(select(func.max(model.id))) or 0 for model in (Interview, Scorecard)]
        first = max(taken) + 1
        interviews, cards, ratings = [], [], []
        for candidate_id in ids:
            quality = rng.gauss(0, 0.8)
            for interviewer_id in rng.sample(interviewers, rng.randint(1, min(3, len(interviewers)))):
                number = first + len(cards)
                interviews.append({"id": number, "candidate_id": candidate_id, "kind": "behavioural",
                                   "scheduled_at": now, "template_id": template})  # fmt: skip
                scores = {tid: max(1, min(5, round(3 + quality + rng.gauss(0, 0.8)))) for tid in traits}
                mean = sum(scores.values()) / len(scores)
                recommendation = (Recommendation.STRONG_YES if mean >= 4 else Recommendation.YES if mean >= 3
                                  else Recommendation.NO if mean >= 2 else Recommendation.STRONG_NO)  # fmt: skip
                cards.append({"id": number, "interview_id": number, "interviewer_id": interviewer_id,
                              "candidate_id": candidate_id, "template_id": template, "status": "submitted",
                              "recommendation": recommendation, "answers": {}, "submitted_at": now})  # fmt: skip
                ratings.extend({"scorecard_id": number, "trait_id": tid, "score": s} for tid, s in scores.items())
        insert_in_batches(conn, Interview, interviews)
        insert_in_batches(conn, Scorecard, cards)
        insert_in_batches(conn, Rating, ratings)
        version = conn.scalar(
            insert(ModelVersion).returning(ModelVersion.id),
            {"number": 1, "file_name": "stand-in.skops", "file_sha256": "0" * 64, "rule": {}, "features": [],
             "data": {}, "libraries": {}, "report": {}, "active": False},
        )  # fmt: skip
        scores = []
        for candidate_id in ids:
            if rng.random() < 0.1:
                continue
            p_a = rng.random()
            p_b = (1 - p_a) * rng.random()
            tier = "A" if p_a >= max(p_b, 1 - p_a - p_b) else "B" if p_b >= 1 - p_a - p_b else "C"
            reasons = {
                "up": [{"key": "coachability", "label": "Coachability", "effect": 4.2, "value": 4.5},
                       {"key": "drive", "label": "Drive", "effect": 2.1, "value": 4.0},
                       {"key": "interviews", "label": "Interviews", "effect": 0.8, "value": 2}],
                "down": [{"key": "resilience", "label": "Resilience", "effect": -3.4, "value": 2.0},
                         {"key": "process", "label": "Process discipline", "effect": -1.1, "value": 2.5}],
                "certainty": ["only one interview"],
            }  # fmt: skip
            scores.append({"candidate_id": candidate_id, "model_version_id": version, "p_a": p_a, "p_b": p_b,
                           "p_c": 1 - p_a - p_b, "score": round(100 * p_a, 1), "predicted_tier": tier,
                           "certainty": rng.choice(["low", "medium", "high"]), "reasons": reasons,
                           "interviews": 2, "computed_at": now})  # fmt: skip
        insert_in_batches(conn, CandidateScore, scores)
        shortlist = conn.scalar(
            insert(Shortlist).returning(Shortlist.id),
            {"name": SHORTLIST, "description": "", "owner_id": manager, "created_at": now, "updated_at": now,
             "version": 1},
        )  # fmt: skip
        order = list(ids)
        rng.shuffle(order)  # a hand-made order, unlike any index
        entries = [
            {"shortlist_id": shortlist, "candidate_id": candidate_id, "position": position,
             "comment": rng.choice(COMMENTS) if rng.random() < 0.2 else "", "added_by_id": manager, "added_at": now}
            for position, candidate_id in enumerate(order, start=1)
        ]  # fmt: skip
        insert_in_batches(conn, ShortlistEntry, entries)
        if conn.dialect.name == "postgresql":
            for table in ("interview", "scorecard"):
                # Table names from the fixed tuple above, not from input.
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"))  # noqa: S608
        conn.commit()
    return {"candidates": len(ids), "scorecards": len(cards), "ratings": len(ratings), "scores": len(scores)}


def rows_in(fmt: str, body: bytes) -> int:
    """The number of data rows in an export (the header left out)."""
    if fmt == "csv":
        return sum(1 for _ in csv.reader(io.StringIO(body.decode("utf-8-sig")))) - 1
    sheet = load_workbook(io.BytesIO(body), read_only=True).active
    return sum(1 for _ in sheet.iter_rows(values_only=True)) - 1


def time_case(client, url: str, fmt: str, expected: int, warmup: int, repeat: int) -> list[float]:
    """Request ``url`` warmup + repeat times, reading the whole body; return the timed seconds."""
    samples, body = [], b""
    for number in range(warmup + repeat):
        started = time.perf_counter()
        response = client.get(url)
        body = response.get_data()
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}; not timing a broken export.")
        if number >= warmup:
            samples.append(elapsed)
    found = rows_in(fmt, body)
    if found != expected:
        raise SystemExit(f"{url} held {found} rows, not {expected}; not reporting a broken export.")
    return samples


def streamed_peak(client, url: str) -> tuple[int, int, int]:
    """Download ``url`` chunk by chunk under tracemalloc, keeping nothing; return (peak bytes, body bytes, lines)."""
    tracemalloc.start()
    try:
        response = client.get(url, buffered=False)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}; not measuring a broken export.")
        size = lines = 0
        for chunk in response.iter_encoded():
            size += len(chunk)
            lines += chunk.count(b"\n")
        response.close()
        return tracemalloc.get_traced_memory()[1], size, lines
    finally:
        tracemalloc.stop()


def memory_cases(client) -> list[dict]:
    """Measure the peak heap of the pool's CSV export for a small, a middling and a full view."""
    columns = [("columns", key) for key in default_keys(available_columns())]
    results = []
    for label, query in (("7 % of the pool", RARE_WORD), ("half the pool", COMMON_WORD), ("the whole pool", "")):
        url = "/exports/pool/file?" + urlencode([("q", query), ("format", "csv"), *columns])
        peak, size, lines = streamed_peak(client, url)
        results.append({"case": f"pool CSV, {label}", "body_bytes": size, "lines": lines, "peak_bytes": peak})
        print(f"CSV of {label:<16} {size / 1e6:6.1f} MB body   peak Python heap {peak / 1e6:6.2f} MB")
    growth = results[-1]["peak_bytes"] / results[0]["peak_bytes"]
    for case in results:
        case["peak_vs_smallest"] = round(case["peak_bytes"] / results[0]["peak_bytes"], 2)
    verdict = "met" if growth <= MEMORY_GROWTH_LIMIT else "MISSED"
    print(f"Peak heap, whole pool / 7 %: {growth:.2f}x (at most {MEMORY_GROWTH_LIMIT}x): {verdict}")
    return results


def run(warmup: int, repeat: int) -> tuple[list[dict], list[dict]]:
    """Time each case in the current app context, then measure the memory; return both results."""
    manager = db.session.scalar(select(User).where(User.role == Role.MANAGER).order_by(User.id).limit(1))
    shortlist = db.session.scalar(select(Shortlist).where(Shortlist.name == SHORTLIST))
    total = db.session.scalar(select(func.count()).select_from(Candidate))
    client = current_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = manager.get_id()
        session["_fresh"] = True
    results = []
    target = TARGET_S * max(total, 1) / TARGET_ROWS
    for fmt in ("csv", "xlsx"):
        pool_columns = [("columns", key) for key in default_keys(available_columns())]
        shortlist_columns = [("columns", key) for key in default_keys(available_columns(shortlist=True))]
        cases = [
            (f"shortlist, {fmt}", f"/exports/shortlists/{shortlist.id}/file?"
             + urlencode([("format", fmt), *shortlist_columns])),
            (f"pool sorted by name, {fmt}", "/exports/pool/file?"
             + urlencode([("sort", "name"), ("format", fmt), *pool_columns])),
        ]  # fmt: skip
        for label, url in cases:
            samples = time_case(client, url, fmt, total, warmup, repeat)
            median = statistics.median(samples)
            results.append(
                {
                    "case": label,
                    "rows": total,
                    "columns": len(pool_columns),
                    "median_s": round(median, 3),
                    "p95_s": round(percentile(samples, 0.95), 3),
                    "min_s": round(min(samples), 3),
                    "max_s": round(max(samples), 3),
                    "target_median_s": round(target, 3),
                    "target_met": median < target,
                    "samples_s": [round(s, 3) for s in samples],
                }
            )
            verdict = "met" if median < target else "MISSED"
            print(f"{label:<28} {total:>7} rows   median {median:6.2f} s   max {max(samples):6.2f} s   "
                  f"target < {target:.2f} s: {verdict}")  # fmt: skip
    return results, memory_cases(client)


def main(argv: list[str] | None = None) -> None:
    """Parse the command line, fill the database, time the exports and save the results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--candidates", type=int, default=TARGET_ROWS, help="candidates (default %(default)s)")
    parser.add_argument("--repeat", type=int, default=5, help="timed exports per case (default %(default)s)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed exports first (default %(default)s)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--check", action="store_true", help="exit with status 1 if a target is missed")
    args = parser.parse_args(argv)
    app = create_app()
    with app.app_context():
        started = time.perf_counter()
        if db.session.scalar(select(Shortlist.id).where(Shortlist.name == SHORTLIST)) is None:
            loaded = fill(args.candidates, args.seed)
            print(f"Loaded {loaded} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        else:  # filled by an earlier run: time again on the same data
            loaded = {"candidates": db.session.scalar(select(func.count()).select_from(Candidate))}
            print(f"Reusing the {loaded['candidates']:,} candidates of an earlier run", file=sys.stderr)
        database = database_description()
        print(f"Exports on {database}, {args.warmup} warm-up(s) then {args.repeat} timed exports each:")
        cases, memory = run(args.warmup, args.repeat)
    results = {
        "benchmark": "exports",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": database,
        "python": platform.python_version(),
        "sqlalchemy": sqlalchemy.__version__,
        "machine": platform.platform(),
        **loaded,
        "warmup": args.warmup,
        "repeat": args.repeat,
        "cases": cases,
        "memory": memory,
        "memory_growth_limit": MEMORY_GROWTH_LIMIT,
    }
    RESULTS_FOLDER.mkdir(exist_ok=True)
    path = RESULTS_FOLDER / f"export-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(results, indent=2) + "\n")
    print(f"Results written to {path}")
    bounded = memory[-1]["peak_bytes"] <= MEMORY_GROWTH_LIMIT * memory[0]["peak_bytes"]
    if args.check and not (bounded and all(case["target_met"] for case in cases)):
        sys.exit(1)


if __name__ == "__main__":
    main()
