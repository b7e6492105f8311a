"""``flask --app hiring train`` and ``flask --app hiring rank``."""

import csv
import json
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from hiring.audit import record
from hiring.export import safe_cell
from hiring.ranking import active_version, ranker_problem, ranking_query, ranking_row
from hiring.training import claim_job, outcome_message, run_job
from models import JobStatus, Opening, TrainingJob, db

RANK_COLUMNS = [
    "external_id", "email", "name", "predicted_tier", "p_a", "p_b", "p_c", "score", "certainty", "model_version",
    "reasons_up", "reasons_down",
]  # fmt: skip


@click.command("train")
@with_appcontext
def train_command() -> None:
    """Train a new model version from hired reps' scorecards and results, audit it, and activate it unless flagged.

    It runs as a training job in this process, so it waits for no one and is refused while another job runs.
    """
    job, new = claim_job(None)
    if not new:
        raise click.ClickException(
            f"A training job is already running ({job.progress} %: {job.message}). Wait for it to finish."
        )
    shown = [-1]

    def progress(fraction: float, message: str) -> None:
        percent = int(100 * fraction)
        if percent != shown[0]:
            shown[0] = percent
            click.echo(f"{percent:3d} %  {message}", err=True)

    run_job(current_app._get_current_object(), job.id, progress)
    job = db.session.get(TrainingJob, job.id, populate_existing=True)
    if job.status is not JobStatus.SUCCEEDED:
        raise click.ClickException(job.message)
    version = job.model_version
    click.echo(f"{outcome_message(version)} Trained on {version.report['n_reps']} reps.")
    click.echo(version.report["verdict"])
    click.echo(f"Adverse-impact audit: {version.audit['summary']}")


@click.command("rank")
@with_appcontext
@click.option("--format", "output", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--opening", "opening_id", type=int, help="Only the candidates of this opening (its id).")
@click.option("--limit", type=click.IntRange(min=1), help="Print at most this many candidates.")
def rank_command(output: str, opening_id: int | None, limit: int | None) -> None:
    """Print the active model's ranking of interviewed candidates, best first."""
    version = active_version()
    problem = ranker_problem(version)
    if problem:
        raise click.ClickException(problem)
    if opening_id is not None and db.session.get(Opening, opening_id) is None:
        raise click.ClickException(f"There is no opening with id {opening_id}.")
    # The stored scores are current: every change of evidence and every activation re-scores.
    query = ranking_query(opening_id)
    if limit:
        query = query.limit(limit)
    rows = [ranking_row(candidate, fit) for candidate, fit in db.session.execute(query)]
    if output == "json":
        json.dump(rows, sys.stdout, indent=2)
        click.echo()
    else:
        writer = csv.DictWriter(sys.stdout, RANK_COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({key: safe_cell(value) for key, value in row.items()})
    record("model.ranking_exported", version, details={"format": output, "rows": len(rows), "opening_id": opening_id})
    db.session.commit()
