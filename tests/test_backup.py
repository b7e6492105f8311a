"""Backups: ``flask --app hiring backup`` and ``restore`` on SQLite, and the pointer to pg_dump on PostgreSQL.

Backups are SQLite's business; most tests here make an SQLite database of their
own, so they run in the SQLite run only. The last test runs in both runs, against
whichever database the run uses.
"""

import shutil
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from hiring import create_app
from hiring.backup_commands import check_backup, known_revisions
from models import Candidate, db
from tests.conftest import POSTGRES_URL, base_config, migrate_to_head
from tests.factories import make_candidate


@pytest.fixture(scope="module")
def sqlite_template(tmp_path_factory) -> Path:
    """An SQLite database migrated to head, copied by each test."""
    path = tmp_path_factory.mktemp("backup") / "template.sqlite"
    migrate_to_head(base_config(SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}"))
    return path


@pytest.fixture
def sqlite_app(sqlite_template, tmp_path):
    """The app on a fresh SQLite database file of its own."""
    live = tmp_path / "live" / "bench.sqlite"
    live.parent.mkdir()
    shutil.copyfile(sqlite_template, live)
    app = create_app(base_config(SQLALCHEMY_DATABASE_URI=f"sqlite:///{live}"))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def names(app) -> list[str]:
    """Return the candidates' names, oldest first."""
    with app.app_context():
        return db.session.scalars(db.select(Candidate.name).order_by(Candidate.id)).all()


def add_candidates(app, *names: str) -> None:
    """Create candidates with these names."""
    with app.app_context():
        for name in names:
            make_candidate(name=name, tags=["backup"])


def invoke(app, *args: str, input: str | None = None):
    """Run a command of the app."""
    return app.test_cli_runner().invoke(args=list(args), input=input)


def read_only(path: Path) -> sqlite3.Connection:
    """Open an SQLite file for reading only."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def test_backup_then_restore_brings_back_the_data_for_the_running_app_too(sqlite_app, tmp_path):
    add_candidates(sqlite_app, "Ana", "Bo")
    backup = tmp_path / "bench-backup.sqlite"
    result = invoke(sqlite_app, "backup", str(backup))
    assert result.exit_code == 0, result.output
    assert f"to {backup}" in result.output and "models/ and uploads/" in result.output
    assert backup.stat().st_mode & 0o077 == 0  # personal data: readable by its owner only

    add_candidates(sqlite_app, "Cy")
    # Another worker of the running app, with a pooled connection open on the live file. Its own engine:
    # test apps of the same settings share one (tests/speedups.py), so it gets settings of its own.
    url = sqlite_app.config["SQLALCHEMY_DATABASE_URI"]
    worker = create_app(base_config(SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 2}))
    assert names(worker) == ["Ana", "Bo", "Cy"]
    with sqlite_app.app_context():
        live_engine = db.engine
    with worker.app_context():
        assert db.engine is not live_engine and db.engine.pool.checkedin() == 1

    result = invoke(sqlite_app, "restore", str(backup), "--yes")
    assert result.exit_code == 0, result.output
    assert names(sqlite_app) == ["Ana", "Bo"]
    assert names(worker) == ["Ana", "Bo"]  # no restart needed
    [kept] = (tmp_path / "live").glob("bench.sqlite.before-restore-*")
    assert f"kept as {kept}" in result.output
    with read_only(kept) as replaced:
        assert replaced.execute("SELECT count(*) FROM candidate").fetchone() == (3,)
    with worker.app_context():
        db.engine.dispose()


def test_a_backup_taken_during_writes_restores_to_a_consistent_database(sqlite_app, tmp_path):
    stop = threading.Event()
    written = []

    def write_candidates() -> None:
        # Bounded in count and time, whatever happens to the test.
        deadline = time.monotonic() + 30
        with sqlite_app.app_context():
            for number in range(3000):
                if stop.is_set() or time.monotonic() > deadline:
                    break
                make_candidate(name=f"Writer {number}", tags=["busy", f"batch {number % 7}"])
                written.append(number)
            db.session.remove()

    writer = threading.Thread(target=write_candidates)
    writer.start()
    try:
        while len(written) < 50 and writer.is_alive():
            time.sleep(0.01)
        before = len(written)
        backup = tmp_path / "during-writes.sqlite"
        result = invoke(sqlite_app, "backup", str(backup))
        after = len(written)
        time.sleep(0.1)  # the writer goes on after the backup
    finally:
        stop.set()
        writer.join(30)
    assert result.exit_code == 0, result.output
    assert len(written) > after  # the app kept writing while and after the backup ran

    with read_only(backup) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert copy.execute("PRAGMA foreign_key_check").fetchall() == []
        [(count,)] = copy.execute("SELECT count(*) FROM candidate").fetchall()
        assert before <= count <= after + 1  # a commit may land between reading the count and the copy
        # The search index matches the candidate table: every candidate, and only they, can be found.
        [(last_name,)] = copy.execute("SELECT name FROM candidate ORDER BY id DESC LIMIT 1").fetchall()
        [(found,)] = copy.execute(
            "SELECT count(*) FROM candidate_fts WHERE candidate_fts MATCH ?", (f'"{last_name.split()[1]}"',)
        ).fetchall()
        assert found == 1
        [(indexed,)] = copy.execute("SELECT count(*) FROM candidate_fts WHERE candidate_fts MATCH 'writer'").fetchall()
        assert indexed == count
    with sqlite3.connect(backup) as copy:
        copy.execute("INSERT INTO candidate_fts(candidate_fts, rank) VALUES ('integrity-check', 1)")  # raises if not

    result = invoke(sqlite_app, "restore", str(backup), "--yes")
    assert result.exit_code == 0, result.output
    assert len(names(sqlite_app)) == count


def test_backup_refuses_to_overwrite_an_existing_file_unless_forced(sqlite_app, tmp_path):
    existing = tmp_path / "old-backup.sqlite"
    existing.write_text("yesterday's backup")
    result = invoke(sqlite_app, "backup", str(existing))
    assert result.exit_code == 1
    assert "already exists. Choose another file, or give --force to overwrite it." in result.output
    assert existing.read_text() == "yesterday's backup"

    result = invoke(sqlite_app, "backup", str(existing), "--force")
    assert result.exit_code == 0, result.output
    with sqlite_app.app_context():
        assert check_backup(existing) in known_revisions()


def make_sqlite(path: Path, *statements: str) -> Path:
    """Create an SQLite database at ``path`` by running ``statements``."""
    with sqlite3.connect(path) as connection:
        for statement in statements:
            connection.execute(statement)
    connection.close()
    return path


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda path: path.write_text("name,email\nAna,ana@example.com\n"), "is not an SQLite database"),
        (lambda path: make_sqlite(path, "CREATE TABLE note (text TEXT)"), "but not a Bench one"),
        (
            lambda path: make_sqlite(
                path,
                "CREATE TABLE alembic_version (version_num VARCHAR(32))",
                "INSERT INTO alembic_version VALUES ('9999_from_the_future')",
            ),
            "which this version of Bench does not know",
        ),
    ],
    ids=["csv file", "other database", "unknown schema version"],
)
def test_restore_refuses_a_file_that_is_not_a_bench_backup(sqlite_app, tmp_path, make, message):
    add_candidates(sqlite_app, "Ana")
    path = tmp_path / "not-a-backup.sqlite"
    make(path)
    result = invoke(sqlite_app, "restore", str(path), "--yes")
    assert result.exit_code == 1
    assert message in result.output and "Nothing was restored." in result.output
    assert "Traceback" not in result.output
    assert names(sqlite_app) == ["Ana"]
    assert not list((tmp_path / "live").glob("*.before-restore-*"))


def test_restore_asks_before_replacing_the_database(sqlite_app, tmp_path):
    backup = tmp_path / "empty.sqlite"
    assert invoke(sqlite_app, "backup", str(backup)).exit_code == 0
    add_candidates(sqlite_app, "Ana")
    result = invoke(sqlite_app, "restore", str(backup), input="n\n")
    assert "Replace everything in" in result.output
    assert result.exit_code == 1  # aborted
    assert names(sqlite_app) == ["Ana"]


@pytest.mark.parametrize("command", ["backup", "restore"])
def test_on_postgresql_the_commands_explain_pg_dump_and_pg_restore(tmp_path, command):
    app = create_app(base_config(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://bench:s3cret@db.internal:5432/bench"))
    path = tmp_path / "bench.dump"
    path.write_bytes(b"")  # restore's PATH must exist
    result = invoke(app, command, str(path), "--yes" if command == "restore" else "--force")
    assert result.exit_code == 1
    target = "postgresql://bench:***@db.internal:5432/bench"
    assert f'pg_dump --format=custom --file=bench.dump "{target}"' in result.output
    assert f'pg_restore --clean --if-exists --no-owner --dbname="{target}" bench.dump' in result.output
    assert "s3cret" not in result.output and "Traceback" not in result.output


def test_backup_of_the_configured_database(app, runner, tmp_path):
    """In the PostgreSQL run: the pointer to pg_dump; in the SQLite run: a backup of the test database."""
    path = tmp_path / "backup.sqlite"
    result = runner.invoke(args=["backup", str(path)])
    if POSTGRES_URL:
        assert result.exit_code == 1
        assert "pg_dump --format=custom" in result.output and "Traceback" not in result.output
        assert not path.exists()
    else:
        assert result.exit_code == 0, result.output
        with app.app_context():
            assert check_backup(path) == known_revisions()[0]
