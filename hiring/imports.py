"""Importing candidates from CSV files: the upload page and ``flask --app hiring import candidates``."""

import csv
import io
import sys
from datetime import date, timedelta
from pathlib import Path

import click
from flask import Blueprint, Response, current_app, render_template
from flask.cli import AppGroup
from flask_login import current_user

from hiring.access import allow
from hiring.csv_forms import CandidateImportForm
from hiring.csv_import import ImportReport, import_candidates, plural
from hiring.csv_reading import COLUMNS
from hiring.eeo_import import import_eeo
from hiring.rep_import import import_hires, import_outcomes
from hiring.scorecard_import import import_scorecards
from models import PoolStatus, Role, Source

bp = Blueprint("imports", __name__, url_prefix="/candidates")
import_cli = AppGroup("import", help="Import records from files.")

# Problems printed by the command; the rest are counted.
SHOWN_PROBLEMS = 50
COLUMN_HELP = {
    "external_id": "The person's id in another system (an ATS, a CRM). Re-imports match on it first.",
    "first_name": "First name; used with last_name when there is no name column.",
    "last_name": "Last name.",
    "name": "Full name. Every row needs a name, or a first and last name.",
    "email": "E-mail address. Re-imports match on it when there is no external_id.",
    "phone": "Phone number, best with the country code (+1 415 555 0100).",
    "location": "City or region.",
    "linkedin": "LinkedIn profile URL.",
    "company": "Current company.",
    "title": "Current job title.",
    "source": "How they came to us: " + ", ".join(source.value for source in Source) + ".",
    "owner_email": "E-mail of the manager or admin who owns the candidate in Bench.",
    "tags": "Tags separated by semicolons: enterprise; saas; boston.",
    "notes": "Free text, added below any notes already there.",
    "status": "One of: " + ", ".join(status.value for status in PoolStatus) + ". New candidates default to prospect.",
    "next_touch": "Date of the next touch, written YYYY-MM-DD.",
}


def upload_limits() -> dict:
    """Return the upload page's limits: the file size in megabytes (None if unlimited) and the number of rows."""
    max_bytes = current_app.config.get("MAX_CONTENT_LENGTH")
    return {
        "megabytes": max_bytes // (1024 * 1024) if max_bytes else None,
        "rows": current_app.config["IMPORT_MAX_ROWS_UPLOAD"],
    }


@bp.route("/import", methods=["GET", "POST"])
@allow(Role.MANAGER, Role.ADMIN)
def upload():
    """Upload a CSV file of candidates: check it, import it if it is clean (or bad rows may be skipped), report."""
    form = CandidateImportForm()
    limits = upload_limits()
    report = None
    if form.validate_on_submit():
        report = import_candidates(
            form.file.data.read(),
            skip_invalid=form.skip_invalid.data,
            dry_run=form.check.data,
            max_rows=limits["rows"],
            actor=current_user._get_current_object(),
            via="upload page",
        )
    filename = form.file.data.filename if report else None
    return render_template(
        "imports/upload.html", form=form, report=report, filename=filename, limits=limits, columns=COLUMN_HELP
    )


@bp.get("/import/example.csv")
@allow(Role.MANAGER, Role.ADMIN)
def example_file():
    """Download an example file with every column the import reads."""
    example = {
        "external_id": "ATS-1042",
        "first_name": "Dana",
        "last_name": "Reyes",
        "email": "dana.reyes@example.com",
        "phone": "+1 415 555 0100",
        "location": "Austin, TX",
        "linkedin": "https://www.linkedin.com/in/dana-reyes-example",
        "company": "Northwind Traders",
        "title": "Account Executive",
        "source": Source.EVENT.value,
        "owner_email": current_user.email,
        "tags": "enterprise; saas",
        "notes": "Met at the SaaS sales meetup; strong on discovery.",
        "status": PoolStatus.PROSPECT.value,
        "next_touch": (date.today() + timedelta(days=14)).isoformat(),
    }
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerow([example.get(column, "") for column in COLUMNS])
    # The byte-order mark makes Excel open the file as UTF-8.
    return Response(
        "\ufeff" + buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=candidates-example.csv"},
    )


def report_lines(report: ImportReport, limit: int = SHOWN_PROBLEMS) -> list[str]:
    """Return the report as lines of text for the terminal: notes, problems (at most ``limit`` of each), counts."""
    lines = list(report.notes)
    if report.unknown_columns:
        lines.append(f"Ignored unknown columns: {', '.join(report.unknown_columns)}.")
    for title, problems, count in (
        ("Errors", report.errors, report.error_count),
        ("Warnings", report.warnings, report.warning_count),
    ):
        if count:
            lines.append(f"{title} ({count:,}):")
            lines += [f"  {problem}" for problem in problems[:limit]]
            if count > min(limit, len(problems)):
                lines.append(f"  ... and {count - min(limit, len(problems)):,} more.")
    lines.append(report.summary())
    return lines


@import_cli.command("candidates")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skip-invalid", is_flag=True, help="Import the good rows even if other rows have errors.")
@click.option("--dry-run", is_flag=True, help="Check the whole file and report, but import nothing.")
def import_candidates_command(file: Path, skip_invalid: bool, dry_run: bool) -> None:
    """Import candidates from a CSV file. Importing again updates them (matched by external_id, else e-mail).

    Nothing is imported if any row has an error, unless --skip-invalid is given.
    """
    with (
        file.open("rb") as stream,
        click.progressbar(length=max(file.stat().st_size, 1), label=f"Reading {file.name}", file=sys.stderr) as bar,
    ):
        report = import_candidates(
            stream,
            skip_invalid=skip_invalid,
            dry_run=dry_run,
            on_progress=lambda done: bar.update(done - bar.pos),
        )
    if report.file_error:
        raise click.ClickException(f"{report.file_error} Nothing was imported.")
    for line in report_lines(report):
        click.echo(line)
    if report.committed:
        click.echo("Import finished.")
    elif report.error_count:
        verb = "has" if report.skipped == 1 else "have"
        raise click.ClickException(
            f"Nothing was imported: {plural(report.skipped, 'row')} {verb} errors. Fix them, or run again with "
            f"--skip-invalid to import the {plural(report.good_rows, 'good row')}."
        )
    else:
        click.echo("Dry run: the file is ready to import; nothing was imported.")


@import_cli.command("scorecards")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skip-invalid", is_flag=True, help="Import the good rows even if other rows have errors.")
def import_scorecards_command(file: Path, skip_invalid: bool) -> None:
    """Import submitted scorecards from another system: one row per interviewer and interview.

    Nothing is imported if any row has an error, unless --skip-invalid is given.
    """
    with file.open("rb") as stream:
        report = import_scorecards(stream, skip_invalid=skip_invalid)
    echo_problems(report)
    were = "was" if report.unchanged == 1 else "were"
    click.echo(f"Imported {plural(report.created, 'scorecard')}; {report.unchanged:,} {were} already there.")


def echo_problems(report) -> None:
    """Print an all-or-nothing import's problems; fail (exit code 1) if nothing was imported."""
    if report.file_error:
        raise click.ClickException(f"{report.file_error} Nothing was imported.")
    for line in report_lines(report):
        click.echo(line)
    if not report.committed:
        raise click.ClickException(
            f"Nothing was imported: {plural(report.error_count, 'problem')} found. Fix them, or run again with "
            f"--skip-invalid to import the {plural(report.good_rows, 'good row')}."
        )


def echo_rep_import(report, noun: str) -> None:
    """Print a hires or outcomes import's report; fail (exit code 1) if nothing was imported."""
    echo_problems(report)
    click.echo(
        f"Imported {noun}: {report.created:,} new, {report.updated:,} updated, {report.unchanged:,} unchanged. "
        f"{plural(report.tiers_changed, 'rep')} changed tier."
    )


@import_cli.command("hires")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skip-invalid", is_flag=True, help="Import the good rows even if other rows have errors.")
def import_hires_command(file: Path, skip_invalid: bool) -> None:
    """Import hires: candidate_ref, hired_on, and optional role, territory, segment, left_on.

    Importing again updates the hires. Nothing is imported if any row has an error, unless --skip-invalid is given.
    """
    with file.open("rb") as stream:
        echo_rep_import(import_hires(stream, skip_invalid=skip_invalid), "hires")


@import_cli.command("outcomes")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skip-invalid", is_flag=True, help="Import the good rows even if other rows have errors.")
def import_outcomes_command(file: Path, skip_invalid: bool) -> None:
    """Import reps' monthly results: candidate_ref, period (YYYY-MM), quota, booked.

    Importing a month again replaces it. Nothing is imported if any row has an error, unless --skip-invalid is given.
    """
    with file.open("rb") as stream:
        echo_rep_import(import_outcomes(stream, skip_invalid=skip_invalid), "months of results")


@import_cli.command("eeo")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skip-invalid", is_flag=True, help="Import the good rows even if other rows have errors.")
def import_eeo_command(file: Path, skip_invalid: bool) -> None:
    """Import voluntary self-identification: candidate_ref, sex, race_ethnicity, and optional veteran, disability.

    Importing again updates the answers. Nothing is imported if any row has an error, unless --skip-invalid is
    given. The output gives counts and problems, never anyone's answers.
    """
    with file.open("rb") as stream:
        report = import_eeo(stream, skip_invalid=skip_invalid)
    echo_problems(report)
    click.echo(
        f"Imported self-identification: {report.created:,} new, {report.updated:,} updated, "
        f"{report.unchanged:,} unchanged."
    )
