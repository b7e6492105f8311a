"""``flask --app hiring audit``: the adverse-impact audit for scripts and records."""

import click
from flask.cli import with_appcontext

from hiring.audit import record
from hiring.fairness import render_report
from hiring.fairness_data import audit_details, run_audit
from hiring.ranking import active_version, ranker_problem
from models import ModelVersion, Opening, db


@click.command("audit")
@with_appcontext
@click.option("--format", "output", type=click.Choice(["json", "csv", "html"]), default="json", show_default=True)
@click.option("--version", "number", type=int, help="The model version to audit (default: the active one).")
@click.option("--opening", "opening_id", type=int, help="Only the candidates of this opening (its id).")
@click.option("--top", type=click.IntRange(min=1), help="Length of the top of the ranking (default: the top fifth).")
@click.option("--output", "path", type=click.Path(dir_okay=False, writable=True), help="Write to this file.")
def audit_command(output: str, number: int | None, opening_id: int | None, top: int | None, path: str | None) -> None:
    """Print the adverse-impact audit of a model version's ranking and of the decisions people made."""
    if number is None:
        version = active_version()
    else:
        version = db.session.scalar(db.select(ModelVersion).where(ModelVersion.number == number))
        if version is None:
            raise click.ClickException(f"There is no model version {number}.")
    problem = ranker_problem(version)
    if problem:
        raise click.ClickException(problem)
    opening = None
    if opening_id is not None:
        opening = db.session.get(Opening, opening_id)
        if opening is None:
            raise click.ClickException(f"There is no opening with id {opening_id}.")
    report = run_audit(version, opening, top)
    record("model.audit_exported", version, details=audit_details(report, format=output))
    db.session.commit()
    text = render_report(report, output)
    if path:
        with open(path, "w", encoding="utf-8", newline="") as file:
            file.write(text)
        click.echo(f"Wrote the audit of model version {version.number} to {path}: {report['summary']}", err=True)
    else:
        click.echo(text)
