"""``flask --app hiring backup PATH`` and ``restore PATH``: copies of the SQLite database, taken while the app runs.

SQLite's online backup API copies the database page by page under a read
lock, so the copy is a consistent snapshot even while the app writes; the same
API writes a restored copy into the live file, which the running app's
connections then read (a renamed file would leave them on the old one).
PostgreSQL has its own tools, pg_dump and pg_restore; the commands say how to use them.
"""

import os
import sqlite3
import tempfile
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import click
from alembic.script import ScriptDirectory
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import URL

from models import db

SQLITE_HEADER = b"SQLite format 3\x00"


class BackupError(click.ClickException):
    """A backup or restore that cannot be done; the message says why."""


def postgres_instructions(url: URL) -> str:
    """Return how to back up and restore a PostgreSQL database with pg_dump and pg_restore."""
    # libpq tools take postgresql:// URLs without SQLAlchemy's "+psycopg"; never print the password.
    target = url.set(drivername="postgresql").render_as_string(hide_password=True)
    return (
        "Bench is on PostgreSQL: back it up and restore it with PostgreSQL's own tools "
        "(the password comes from PGPASSWORD or ~/.pgpass).\n"
        f'  Back up:  pg_dump --format=custom --file=bench.dump "{target}"\n'
        f'  Restore:  pg_restore --clean --if-exists --no-owner --dbname="{target}" bench.dump\n'
        "Stop Bench before restoring, then run: flask --app hiring db upgrade"
    )


def live_database() -> Path:
    """Return the path of the app's SQLite file; BackupError on PostgreSQL or an in-memory database."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        raise BackupError(postgres_instructions(url))
    if not url.database or url.database == ":memory:":
        raise BackupError("The database is in memory; there is no file to back up or restore.")
    return Path(url.database)


def copy_database(source: Path, target: Path) -> None:
    """Copy the SQLite database ``source`` into ``target`` with the online backup API (a consistent snapshot)."""
    timeout = current_app.config["DATABASE_STATEMENT_TIMEOUT"] or 5
    with (
        closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True, timeout=timeout)) as reader,
        closing(sqlite3.connect(target, timeout=timeout)) as writer,
    ):
        # In one step: the read lock is held for the whole copy, so writers wait a moment
        # instead of restarting the copy again and again while they write.
        reader.backup(writer)


def backup_database(target: Path, force: bool = False) -> Path:
    """Write a consistent copy of the live SQLite database to ``target``; return the live database's path."""
    live = live_database()
    if target.exists() and not force:
        raise BackupError(f"{target} already exists. Choose another file, or give --force to overwrite it.")
    if target.resolve() == live.resolve():
        raise BackupError(f"{target} is the live database itself.")
    # Written beside the target and renamed into place, so PATH never holds half a backup.
    # mkstemp creates the file readable by its owner only: a backup holds personal data.
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    os.close(fd)
    try:
        copy_database(live, Path(temporary))
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return live


def known_revisions() -> list[str]:
    """Return the schema revisions of this version of Bench, newest first."""
    folder = Path(current_app.extensions["migrate"].directory)
    return [script.revision for script in ScriptDirectory(str(folder)).walk_revisions()]


def check_backup(path: Path) -> str:
    """Return the schema revision of the Bench backup at ``path``; BackupError saying why if it is not one."""
    if not path.is_file():
        raise BackupError(f"{path} is not a file.")
    with path.open("rb") as stream:
        if stream.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise BackupError(f"{path} is not an SQLite database, so not a Bench backup. Nothing was restored.")
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        problems = [row[0] for row in connection.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise BackupError(f"{path} is damaged ({problems[0]}). Nothing was restored.")
        if connection.execute("PRAGMA foreign_key_check").fetchone() is not None:
            raise BackupError(f"{path} has rows that point to missing records. Nothing was restored.")
        try:
            revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError:
            revision = None
    finally:
        connection.close()
    if revision is None:
        raise BackupError(
            f"{path} is an SQLite database but not a Bench one (no schema version). Nothing was restored."
        )
    if revision[0] not in known_revisions():
        raise BackupError(
            f"{path} has schema version {revision[0]}, which this version of Bench does not know "
            "(a backup from a newer Bench?). Nothing was restored."
        )
    return revision[0]


def restore_database(source: Path) -> tuple[Path, Path]:
    """Replace the live SQLite database with the backup ``source``; return (live path, copy of the replaced one).

    The backup API writes into the live file, under its write lock, so that a running
    app's connections read the restored data on their next query.
    """
    live = live_database()
    check_backup(source)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    kept = live.with_name(f"{live.name}.before-restore-{stamp}")
    backup_database(kept)
    db.session.remove()
    db.engine.dispose()  # no pooled connection of this process holds the old pages
    copy_database(source, live)
    return live, kept


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def backup_command(path: Path, force: bool) -> None:
    """Back up the SQLite database to PATH, safely while Bench runs (on PostgreSQL: explains pg_dump)."""
    live = backup_database(path, force=force)
    click.echo(f"Backed up {live} to {path} ({path.stat().st_size:,} bytes).")
    click.echo(
        "Also back up the instance folder's models/ and uploads/ folders (trained models, resume files). "
        "Keep backups encrypted: they hold personal data."
    )


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(path: Path, yes: bool) -> None:
    """Replace the SQLite database with the backup at PATH, keeping a copy of the one replaced."""
    live = live_database()
    revision = check_backup(path)
    if not yes:
        click.confirm(f"Replace everything in {live} with the backup {path}?", abort=True)
    live, kept = restore_database(path)
    click.echo(f"Restored {path} into {live}. The database it replaced is kept as {kept}.")
    if revision != known_revisions()[0]:
        click.echo("The backup is from an older version of Bench: run flask --app hiring db upgrade now.")
