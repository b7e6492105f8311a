"""Time training and ranking through the app, database included, on a scratch database.

Run from the repository root against an empty, migrated database (``make bench-rank`` does, on
SQLite): the app's own database settings are used, so ``DATABASE_URL`` selects PostgreSQL::

    .venv/bin/python -m benchmarks.bench_rank [--reps 2000] [--candidates 100000] [--repeat 3]

It writes ``--reps`` hired reps (with tiers) and ``--candidates`` interviewed candidates, each
with 1-4 submitted scorecards from ``scoring.synthetic`` (planted structure, interviewer
leniency, missing ratings), with bulk INSERTs. Then it times, end to end as the app does them:

- ``train_version``: read every scorecard, 5-fold x 3-repeat evaluation against the baselines,
  fit, save, activate, and score every interviewed candidate;
- ``rank_candidates``: re-score every interviewed candidate with the active model (read the
  scorecards, predict with reasons and certainty, replace the stored scores).

Results are printed and written to ``benchmarks/results/rank-<timestamp>.json``.
"""

import argparse
import json
import platform
import statistics
import sys
import time
from datetime import UTC, datetime

from sqlalchemy import func, insert, select, text

from benchmarks.bench_pool import RESULTS_FOLDER
from hiring import create_app
from hiring.ranking import rank_candidates
from hiring.training import train_version
from models import (
    Candidate,
    CandidateScore,
    Hire,
    Interview,
    Rating,
    Role,
    Scorecard,
    ScorecardTemplate,
    Tier,
    Trait,
    User,
    db,
)
from scoring.synthetic import make_data

BATCH = 20_000
TARGET_S = 10.0


def insert_in_batches(conn, model, rows: list[dict]) -> None:
    """Insert ``rows`` with executemany, BATCH at a time."""
    for start in range(0, len(rows), BATCH):
        conn.execute(insert(model), rows[start : start + BATCH])


def load(reps: int, candidates: int, seed: int) -> dict:
    """Write the synthetic history into the app's empty database; return what was written."""
    data = make_data(reps, candidates, random_state=seed)
    now = datetime.now(UTC)
    with db.engine.connect() as conn:
        if conn.scalar(select(func.count()).select_from(Candidate)):
            raise SystemExit("The database already has candidates; run this on an empty one.")
        traits = dict(conn.execute(select(Trait.key, Trait.id)).all())
        template = conn.scalar(select(ScorecardTemplate.id).where(ScorecardTemplate.is_current.is_(True)))
        interviewer_ids = sorted({card.interviewer_id for card in data.scorecards})
        insert_in_batches(
            conn,
            User,
            [
                {"id": iid, "email": f"rater{iid}@bench.example", "name": f"Rater {iid}", "role": Role.INTERVIEWER}
                for iid in interviewer_ids
            ],
        )
        people = [*data.labels, *data.candidate_ids]
        insert_in_batches(
            conn,
            Candidate,
            [{"id": cid, "name": f"Person {cid}", "email": f"person{cid}@bench.example"} for cid in people],
        )
        insert_in_batches(
            conn,
            Hire,
            [{"candidate_id": cid, "hired_on": now.date(), "tier": Tier(tier)} for cid, tier in data.labels.items()],
        )
        interviews, cards, ratings = [], [], []
        for number, card in enumerate(data.scorecards, start=1):
            interviews.append(
                {"id": number, "candidate_id": card.candidate_id, "kind": "behavioural", "scheduled_at": now,
                 "template_id": template}
            )  # fmt: skip
            cards.append(
                {"id": number, "interview_id": number, "interviewer_id": card.interviewer_id,
                 "candidate_id": card.candidate_id, "template_id": template, "status": "submitted",
                 "recommendation": card.recommendation, "answers": {}, "submitted_at": now}
            )  # fmt: skip
            ratings.extend(
                {"scorecard_id": number, "trait_id": traits[key], "score": score} for key, score in card.ratings.items()
            )
        insert_in_batches(conn, Interview, interviews)
        insert_in_batches(conn, Scorecard, cards)
        insert_in_batches(conn, Rating, ratings)
        if conn.dialect.name == "postgresql":
            for table in ("user_account", "candidate", "interview", "scorecard"):
                # Table names from the fixed tuple above, not from input.
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"))  # noqa: S608
        conn.commit()
    return {"reps": reps, "candidates": candidates, "scorecards": len(cards), "ratings": len(ratings)}


def timed(action) -> tuple[float, object]:
    """Run ``action`` and return (seconds, its result)."""
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def cpu_timed(action) -> tuple[float, float, object]:
    """Run ``action`` and return (wall-clock seconds, this process's CPU seconds, its result).

    CPU time far below wall-clock means the machine was busy with something else (or waiting
    for the database server, on PostgreSQL: its CPU is not counted here).
    """
    started = time.process_time()
    seconds, result = timed(action)
    return seconds, time.process_time() - started, result


def run(repeat: int) -> dict:
    """Time training once and ranking ``repeat`` times in the current app context."""
    train_seconds, version = timed(lambda: train_version(None))
    rank_times, cpu_times = [], []
    for _ in range(repeat):
        seconds, cpu, scored = cpu_timed(lambda: (rank_candidates(), db.session.commit())[0])
        rank_times.append(seconds)
        cpu_times.append(cpu)
    stored = db.session.scalar(select(func.count()).select_from(CandidateScore))
    return {
        "train_seconds": round(train_seconds, 2),
        "rank_seconds_median": round(statistics.median(rank_times), 2),
        "rank_seconds": [round(s, 2) for s in rank_times],
        "rank_cpu_seconds_median": round(statistics.median(cpu_times), 2),
        "scored": scored,
        "stored_scores": stored,
        "model_version": version.number,
        "spearman": version.report["metrics"]["model"]["spearman"]["mean"],
        "verdict": version.report["verdict"],
    }


def main(argv: list[str] | None = None) -> None:
    """Parse the command line, load the data, time training and ranking, save the results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=2000, help="hired reps with a tier (default %(default)s)")
    parser.add_argument("--candidates", type=int, default=100_000, help="interviewed candidates (default %(default)s)")
    parser.add_argument("--repeat", type=int, default=3, help="ranking runs (default %(default)s)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    app = create_app()
    with app.app_context():
        load_seconds, loaded = timed(lambda: load(args.reps, args.candidates, args.seed))
        print(f"Loaded {loaded} in {load_seconds:.0f} s", file=sys.stderr)
        results = run(args.repeat)
        database = db.engine.dialect.name
    results = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": platform.platform(),
        "database": database,
        **loaded,
        **results,
        "target_seconds": TARGET_S,
    }
    print(json.dumps(results, indent=2))
    RESULTS_FOLDER.mkdir(exist_ok=True)
    path = RESULTS_FOLDER / f"rank-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps(results, indent=2) + "\n")
    print(f"Results written to {path}")


if __name__ == "__main__":
    main()
