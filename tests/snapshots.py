"""Snapshots of a test database: records that take seconds to make (a trained model, say) are made once per module
and put back, quickly, in the fresh database of each test that starts from them.

A module builds a snapshot in a module-scoped fixture with ``build_snapshot``; a function-scoped fixture calls
``restore_snapshot`` on the test's app before anything else writes to it. The test then changes its copy freely.
"""

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from flask import Flask

from hiring import create_app
from hiring.training import wait_for_all_jobs
from models import User, db
from tests.conftest import POSTGRES_URL, base_config, empty_database, reset_postgres, seeded_rows

T = TypeVar("T")


@dataclass(frozen=True)
class Snapshot:
    """What a database held: a copy of its file (SQLite) or its rows (PostgreSQL), and the app's instance folder."""

    sqlite_file: Path | None
    rows: dict[str, list[dict]] | None
    instance: Path


def build_snapshot(migrated_database: dict, folder: Path, build: Callable[[Flask], T]) -> tuple[Snapshot, T]:
    """Call ``build`` with an app on an empty database, then keep what its database and instance folder hold;
    return the snapshot and what ``build`` returned (the ids of the records it made, say)."""
    with empty_database(migrated_database, folder) as settings:
        app = create_app(base_config(**settings))
        app.instance_path = str(folder / "instance")
        built = build(app)
        wait_for_all_jobs()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
            if POSTGRES_URL:
                sqlite_file, rows = None, seeded_rows(db.engine)
            else:
                sqlite_file, rows = folder / "snapshot.sqlite", None
                shutil.copyfile(db.engine.url.database, sqlite_file)
    instance = folder / "snapshot-instance"
    instance.mkdir()
    if Path(app.instance_path).exists():
        shutil.copytree(app.instance_path, instance, dirs_exist_ok=True)
    return Snapshot(sqlite_file, rows, instance), built


def restore_snapshot(app: Flask, snapshot: Snapshot) -> None:
    """Make the app's empty test database and its instance folder hold what ``snapshot`` kept."""
    with app.app_context():
        assert db.session.scalar(db.select(User.id).limit(1)) is None, "restore a snapshot before adding records"
        db.session.remove()
        if snapshot.rows is not None:
            reset_postgres(db.engine, snapshot.rows)
        else:
            db.engine.dispose()
            shutil.copyfile(snapshot.sqlite_file, db.engine.url.database)
    shutil.copytree(snapshot.instance, app.instance_path, dirs_exist_ok=True)
