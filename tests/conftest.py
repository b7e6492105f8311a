"""Fixtures: a fresh, migrated database for each test, on SQLite or PostgreSQL.

The suite runs on SQLite by default. With BENCH_TEST_DATABASE_URL set to a
PostgreSQL URL it runs there instead, in a schema of its own that is dropped
at the end; tests that never touch the database are left out of that run.
The schema is always built by the migrations, never create_all().
"""

import os
import shutil
import threading
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade
from werkzeug.serving import make_server

from hiring import ROOT, create_app, ranking
from hiring.demo import load_demo
from hiring.training import wait_for_all_jobs
from models import Role, db
from tests.factories import make_user, sign_in_as
from tests.speedups import close_connections_to

POSTGRES_URL = os.environ.get("BENCH_TEST_DATABASE_URL")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def base_config(**overrides) -> dict:
    """Return the test configuration mapping."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "WTF_CSRF_ENABLED": False,
        # The app tests check what training produces, not the evaluation's steadiness (tests/test_scoring_*).
        "FIT_CV_REPEATS": 1,
    }
    config.update(overrides)
    return config


def migrate_to_head(config: dict) -> None:
    """Build the schema of the configured database with the migrations."""
    app = create_app(config)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        db.engine.dispose()


def postgres_schema_config(schema: str) -> dict:
    """Return database settings that put every connection in ``schema``."""
    return {
        "SQLALCHEMY_DATABASE_URI": POSTGRES_URL,
        "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={schema} -csynchronous_commit=off"}},
    }


def create_postgres_schema() -> str:
    """Create an empty, uniquely named schema and return its name."""
    schema = f"bench_test_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(POSTGRES_URL)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return schema


def drop_postgres_schema(schema: str) -> None:
    """Drop a schema made by ``create_postgres_schema`` and everything in it."""
    engine = sa.create_engine(POSTGRES_URL)
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


def pytest_report_header(config):
    """Say which database this run uses."""
    return f"database: {'PostgreSQL ' + POSTGRES_URL if POSTGRES_URL else 'SQLite'}"


def pytest_sessionstart(session):
    """Skip the PostgreSQL run, loudly, when the server cannot be reached (fail in CI)."""
    if not POSTGRES_URL:
        return
    try:
        engine = sa.create_engine(POSTGRES_URL, connect_args={"connect_timeout": 5})
        with engine.connect():
            pass
        engine.dispose()
    except sa.exc.OperationalError as error:
        reason = f"PostgreSQL at {POSTGRES_URL} is not reachable ({str(error.orig).splitlines()[0]})"
        if IN_CI:
            pytest.exit(f"FAILED: {reason}; CI requires the PostgreSQL run.", returncode=1)
        pytest.exit(f"SKIPPED the PostgreSQL run: {reason}.", returncode=0)


def pytest_collection_modifyitems(config, items):
    """On PostgreSQL, run only the tests that touch the database: the others ran on SQLite already."""
    if not POSTGRES_URL:
        return
    database_free = [item for item in items if "migrated_database" not in getattr(item, "fixturenames", ())]
    if database_free:
        config.hook.pytest_deselected(items=database_free)
        items[:] = [item for item in items if "migrated_database" in getattr(item, "fixturenames", ())]


def seeded_rows(engine) -> dict[str, list[dict]]:
    """Return the rows that the migrations seeded (default traits, template ...), table by table."""
    with engine.connect() as conn:
        return {
            table.name: [dict(row._mapping) for row in conn.execute(sa.select(table))]
            for table in db.metadata.sorted_tables
        }


def reset_postgres(engine, seeds: dict[str, list[dict]]) -> None:
    """Empty every table, put the migrations' seed rows back and restart every id sequence after them.

    DELETE, not TRUNCATE: truncating all the tables re-creates their files and took ~200 ms a test;
    deleting what one test wrote takes a few. The audit log refuses DELETE (its append-only trigger),
    so it alone is truncated, and only when it has rows.
    """
    tables = db.metadata.sorted_tables
    with engine.begin() as conn:
        if conn.execute(sa.text("SELECT EXISTS (SELECT 1 FROM audit_entry)")).scalar():
            conn.execute(sa.text("TRUNCATE audit_entry"))
        for table in reversed(tables):  # children before their parents
            if table.name != "audit_entry":
                conn.execute(table.delete())
        for table in tables:
            if seeds.get(table.name):
                conn.execute(table.insert(), seeds[table.name])
        next_ids = [
            sa.func.setval(
                sa.func.pg_get_serial_sequence(table.name, "id"),
                sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0) + 1).scalar_subquery(),
                False,
            )
            for table in tables
            if "id" in table.c
        ]
        conn.execute(sa.select(*next_ids))


@contextmanager
def postgres_database() -> Iterator[dict]:
    """Yield settings of a schema of its own, migrated to head; drop it afterwards."""
    schema = create_postgres_schema()
    try:
        settings = postgres_schema_config(schema)
        migrate_to_head(base_config(**settings))
        yield settings
    finally:
        drop_postgres_schema(schema)


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    """Yield settings of a database migrated to head, shared by the tests of this run
    (on PostgreSQL also ``reset``, which empties it and puts the migrations' seed rows back)."""
    if POSTGRES_URL:
        with postgres_database() as settings:
            # One engine for the run's resets: a new one per test paid ~100 ms to connect and initialise.
            engine = sa.create_engine(POSTGRES_URL, **settings["SQLALCHEMY_ENGINE_OPTIONS"])
            seeds = seeded_rows(engine)
            yield {**settings, "reset": lambda: reset_postgres(engine, seeds)}
            engine.dispose()
    else:
        template = tmp_path_factory.mktemp("db") / "template.sqlite"
        settings = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{template}"}
        migrate_to_head(base_config(**settings))
        yield settings


@contextmanager
def empty_database(migrated_database: dict, folder) -> Iterator[dict]:
    """Yield settings of an empty, migrated database: a copy of the template in ``folder`` on SQLite,
    the run's schema on PostgreSQL (emptied and re-seeded afterwards)."""
    if POSTGRES_URL:
        try:
            yield {key: value for key, value in migrated_database.items() if key != "reset"}
        finally:  # also after a failure: the next test must find the schema empty
            migrated_database["reset"]()
    else:
        template = migrated_database["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
        copy = folder / "bench.sqlite"
        url = f"sqlite:///{copy}"
        close_connections_to(url)
        for leftover in folder.glob("bench.sqlite-*"):  # a journal left by a test must not apply to the copy
            leftover.unlink()
        copy.unlink(missing_ok=True)  # a new file: a connection a test left open keeps the old one
        shutil.copyfile(template, copy)
        yield {"SQLALCHEMY_DATABASE_URI": url}


@pytest.fixture(scope="session")
def database_folder(tmp_path_factory):
    """The folder of the tests' SQLite database: one path for every test, so that their apps share an engine."""
    return tmp_path_factory.mktemp("database")


@pytest.fixture
def database(migrated_database, database_folder):
    """Yield settings of an empty, migrated database for one test."""
    with empty_database(migrated_database, database_folder) as settings:
        yield settings


@pytest.fixture(autouse=True)
def fresh_ranker_cache():
    """Each test starts with no ranker loaded, as a fresh worker process does (and its app has its own folder)."""
    ranking.rankers.clear()
    yield
    ranking.rankers.clear()


@contextmanager
def bound_app(settings: dict, instance_path, **config) -> Iterator[Flask]:
    """Yield an app on the database of ``settings``, with its own instance folder; afterwards wait for its
    training jobs and close its connections."""
    app = create_app(base_config(**settings, **config))
    app.instance_path = str(instance_path)
    yield app
    wait_for_all_jobs()  # a training job started by the test must not outlive its database
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(database, tmp_path):
    """Yield an app bound to a fresh database."""
    with bound_app(database, tmp_path / "instance") as app:
        yield app


@pytest.fixture(scope="session")
def demo_database(migrated_database, tmp_path_factory) -> tuple[dict, str, date]:
    """Load the default demo (seed 2026, today, model trained) once per run, into a database of its own: a copy of
    the template on SQLite, a schema of its own on PostgreSQL. Yield its settings, instance folder and day.

    Loading it takes seconds; the tests that only read it share this one (see ``demo_app``).
    """
    folder = tmp_path_factory.mktemp("demo")
    with ExitStack() as stack:
        if POSTGRES_URL:
            settings = stack.enter_context(postgres_database())
        else:
            settings = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite'}"}
            shutil.copyfile(
                migrated_database["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"), folder / "bench.sqlite"
            )
        app = create_app(base_config(**settings))
        app.instance_path = str(folder / "instance")
        day = date.today()  # the demo's "today", kept: a run may go past midnight
        with app.app_context():
            load_demo(2026, day)
            db.session.remove()
        yield settings, app.instance_path, day
        close_connections_to(settings["SQLALCHEMY_DATABASE_URI"])


@pytest.fixture
def demo_app(demo_database):
    """Yield an app bound to the run's demo database (``demo_database``). Read it; never write to it."""
    settings, instance, _ = demo_database
    with bound_app(settings, instance) as app:
        yield app


@pytest.fixture
def demo_day(demo_database) -> date:
    """The day the run's demo was loaded as "today"."""
    return demo_database[2]


@pytest.fixture
def client(app):
    """Return a test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """Return a CLI runner."""
    return app.test_cli_runner()


@pytest.fixture
def manager(app, client):
    """Sign the client in as the manager Max Manager, and return him."""
    with app.app_context():
        user = make_user(Role.MANAGER, name="Max Manager")
    sign_in_as(client, user)
    return user


@pytest.fixture
def live_app(database, tmp_path):
    """The app on a fresh database, with CSRF protection on, as a browser meets it."""
    with bound_app(database, tmp_path / "instance", WTF_CSRF_ENABLED=True, TESTING=False) as app:
        yield app


@pytest.fixture
def server(live_app) -> Iterator[str]:
    """A threaded werkzeug server for the app on a free port of 127.0.0.1; yields its base URL."""
    httpd = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, name="browser-test-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(10)
