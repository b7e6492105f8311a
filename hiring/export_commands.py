"""``flask --app hiring export shortlist NAME --format csv|xlsx [--columns key,key] [--output FILE]``."""

import sys

import click
from flask.cli import AppGroup

from hiring.export import csv_cell, csv_chunks, write_xlsx
from hiring.export_columns import (
    UnknownColumns,
    available_columns,
    default_keys,
    load_rows,
    pick_columns,
    shortlist_ids,
    values,
)
from hiring.exports import record_export
from models import Shortlist, db

export_cli = AppGroup("export", help="Export records to files, for scripts.")


def chosen_columns(keys: str | None, shortlist: bool):
    """The columns named in ``--columns`` (comma-separated keys), or the defaults; a clear error if unknown."""
    available = available_columns(shortlist=shortlist)
    wanted = [key.strip() for key in keys.split(",") if key.strip()] if keys else default_keys(available)
    if not wanted:
        raise click.BadParameter("name at least one column.", param_hint="--columns")
    try:
        return pick_columns(wanted, available)
    except UnknownColumns as error:
        known = ", ".join(column.key for column in available)
        message = f"unknown column {', '.join(error.keys)}. The columns are: {known}."
        raise click.BadParameter(message, param_hint="--columns") from None


@export_cli.command("shortlist")
@click.argument("name")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True)
@click.option("--columns", help="Comma-separated column keys (default: the same columns as the export page).")
@click.option("--output", type=click.Path(dir_okay=False, writable=True), help="Write to this file, not stdout.")
def export_shortlist_command(name: str, fmt: str, columns: str | None, output: str | None) -> None:
    """Export the shortlist called NAME in its order, as CSV or XLSX (audited as done from the command line)."""
    shortlist = db.session.scalar(db.select(Shortlist).where(Shortlist.name == name))
    if shortlist is None:
        raise click.ClickException(f"There is no shortlist named “{name}”.")
    chosen = chosen_columns(columns, shortlist=True)
    if fmt == "xlsx" and output is None and sys.stdout.isatty():
        raise click.UsageError("An XLSX file is binary: give --output FILE, or redirect standard output to a file.")
    ids, entries = shortlist_ids(shortlist)
    rows = values(load_rows(ids, chosen, entries), chosen)
    header = [column.label for column in chosen]
    if fmt == "csv":
        chunks = csv_chunks(header, ([csv_cell(value) for value in row] for row in rows))
        if output:
            with open(output, "w", encoding="utf-8", newline="") as out:
                out.writelines(chunks)
        else:
            sys.stdout.writelines(chunks)
    elif output:
        with open(output, "wb") as out:
            write_xlsx(out, shortlist.name, header, [column.width for column in chosen], rows, len(ids))
    else:
        write_xlsx(sys.stdout.buffer, shortlist.name, header, [column.width for column in chosen], rows, len(ids))
        sys.stdout.buffer.flush()
    record_export(shortlist, fmt, len(ids), chosen)
    db.session.commit()
    if output:
        click.echo(f"Exported {len(ids)} candidates of “{shortlist.name}” to {output}.", err=True)
