"""``flask --app hiring import ...``: candidates, scorecards, hires, outcomes, self-identification and resumes."""

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from hiring.column_mapping import TARGETS, ColumnMapping
from hiring.csv_import import import_candidates, plural
from hiring.eeo_import import import_eeo
from hiring.rep_import import import_hires, import_outcomes
from hiring.scorecard_import import import_scorecards

import_cli = AppGroup("import", help="Import records from files.")

# Problems printed by a command; the rest are counted.
SHOWN_PROBLEMS = 50


def mapping_lines(mapping: ColumnMapping | None) -> list[str]:
    """Return the mapping as lines of text for the terminal: which Bench column each file column is read as."""
    if mapping is None:
        return []
    lines = [f"Columns (recognised as {mapping.profile.label}):"]
    width = max((len(header) for _, header, _ in mapping.describe()), default=0)
    lines += [f"  {letter:>2} {header:<{width}}  -> {target}" for letter, header, target in mapping.describe()]
    return lines


def report_lines(report, limit: int = SHOWN_PROBLEMS) -> list[str]:
    """Return the report as lines of text for the terminal: notes, problems (at most ``limit`` of each), counts."""
    lines = list(report.notes)
    if report.unknown_columns:
        lines.append(f"Ignored unknown columns: {', '.join(report.unknown_columns)}.")
    if getattr(report, "ignored_columns", None):
        lines.append(f"Ignored as the mapping says: {', '.join(report.ignored_columns)}.")
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
    if duplicates := getattr(report, "duplicates", 0):
        flagged = "flagged" if report.committed else "to flag"
        lines.append(
            f"Possible duplicates {flagged} for merge: {duplicates:,} (review them on the Duplicates page, "
            "/candidates/duplicates)."
        )
    return lines


def parse_map_option(values: tuple[str, ...]) -> dict[str, str]:
    """Return the --map options as {source header: Bench column}; raise click.BadParameter if one is malformed."""
    overrides = {}
    for value in values:
        header, equals, target = value.rpartition("=")
        if not equals or not header.strip() or not target.strip():
            raise click.BadParameter(f'“{value}” is not written as "Source Header=bench_column".', param_hint="--map")
        overrides[header.strip()] = target.strip()
    return overrides


@import_cli.command("candidates")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skip-invalid", is_flag=True, help="Import the good rows even if other rows have errors.")
@click.option("--dry-run", is_flag=True, help="Check the whole file and report, but import nothing.")
@click.option(
    "--map",
    "mappings",
    multiple=True,
    metavar='"Source Header=bench_column"',
    help="Read a column as this Bench column (or 'ignore'); repeatable. Columns: " + ", ".join(TARGETS) + ".",
)
def import_candidates_command(file: Path, skip_invalid: bool, dry_run: bool, mappings: tuple[str, ...]) -> None:
    """Import candidates from a CSV or XLSX file, from Bench or another system (OpenCATS, Lever, Greenhouse).

    Headers are recognised by alias; the mapping used is printed, and --map changes it. Importing again
    updates the candidates (matched by external_id, else e-mail, else name with phone or LinkedIn URL).
    Nothing is imported if any row has an error, unless --skip-invalid is given.
    """
    overrides = parse_map_option(mappings)
    with (
        file.open("rb") as stream,
        click.progressbar(length=max(file.stat().st_size, 1), label=f"Reading {file.name}", file=sys.stderr) as bar,
    ):
        report = import_candidates(
            stream,
            skip_invalid=skip_invalid,
            dry_run=dry_run,
            overrides=overrides,
            on_progress=lambda done: bar.update(done - bar.pos),
        )
    for line in mapping_lines(report.mapping):
        click.echo(line)
    if report.mapping_errors:
        raise click.ClickException(
            f"{report.file_error} Nothing was imported. Say what a column holds with "
            '--map "Source Header=bench_column".'
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


# JSON Resume (self-contained section: the lead may move its import to the top of the file).
@import_cli.command("json-resume")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--skip-invalid", is_flag=True, help="Import the good files even if other files have errors.")
def import_json_resume_command(path: Path, skip_invalid: bool) -> None:
    """Import JSON Resume files (jsonresume.org, schema 1.x): one FILE, or every *.json file of a FOLDER.

    The folder is not searched recursively (at most 500 files, 2 MB each). A candidate is matched by the
    same document imported before, else by e-mail, and created otherwise; fields already filled in Bench
    are never replaced. Nothing is imported if any file has an error, unless --skip-invalid is given.
    """
    from hiring.json_resume import import_path

    report = import_path(path, skip_invalid=skip_invalid)
    if report.folder_error:
        raise click.ClickException(f"{report.folder_error} Nothing was imported.")
    for line in report.lines():
        click.echo(line)
    if report.committed:
        click.echo("Import finished.")
    else:
        raise click.ClickException(
            f"Nothing was imported: {plural(report.skipped, 'file')} with errors. Fix them, or run again with "
            f"--skip-invalid to import the {plural(report.good_files, 'good file')}."
        )


# Resume files (self-contained section: the lead may move its import to the top of the file).
@import_cli.command("resumes")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--skip-invalid", is_flag=True, help="Import the good files even if other files have errors.")
def import_resumes_command(folder: Path, skip_invalid: bool) -> None:
    """Attach the PDF and DOCX resumes of a FOLDER (not searched recursively) to candidates.

    Each file is judged by its content and its text read under limits. The e-mail at the top of the text
    finds the candidate; with none, a candidate is created (name and e-mail from the text) and possible
    duplicates are flagged for merge. Importing again adds nothing. Nothing is imported if any file has an
    error, unless --skip-invalid is given.
    """
    from hiring.resume_import import import_resume_folder

    report = import_resume_folder(folder, skip_invalid=skip_invalid)
    if report.ignored:
        click.echo(f"Ignored {plural(len(report.ignored), 'file')} that are not *.pdf or *.docx files.")
    for name, message in report.errors:
        click.echo(f"{name}: {message}")
    for duplicate in report.duplicates:
        click.echo(
            f"{duplicate.file}: candidate #{duplicate.candidate_id} may be the same person as "
            f"#{duplicate.other_id} ({', '.join(duplicate.reasons)}); review and merge at "
            f"/candidates/{duplicate.candidate_id}/merge/{duplicate.other_id}"
        )
    if report.without_email:
        click.echo(f"{plural(report.without_email, 'file')} had no e-mail address; named from the text or file name.")
    click.echo(report.summary())
    if not report.committed:
        raise click.ClickException(
            f"Nothing was imported: {plural(len(report.errors), 'file')} with errors. Fix or remove them, or run "
            "again with --skip-invalid to import the good files."
        )
