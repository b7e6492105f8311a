"""Faults: a database that is gone, slow or locked gives a 503 and a log line, and the app recovers by itself.

Each test runs on both databases; where a fault exists on one database only
(a server that stops listening, a backend killed by the server), the SQLite run
checks that database's own form of it (a missing file, a lock held by another
process, a closed connection).
"""

import logging
import shutil
import socket
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Blueprint

from hiring import create_app, csv_import
from hiring.access import public
from hiring.errors import MESSAGES
from models import AuditEntry, Candidate, Role, db
from tests.api.helpers import bearer, make_token
from tests.conftest import POSTGRES_URL, base_config
from tests.factories import PASSWORD, make_candidate, make_user, sign_in_as
from tests.test_imports import upload

UNAVAILABLE = MESSAGES[503][1]


# A database that can be taken away and given back ----------------------------------------


class TcpProxy:
    """A TCP relay on 127.0.0.1 in front of PostgreSQL, which can be cut off and opened again on the same port."""

    def __init__(self, target: tuple[str, int], port: int = 0):
        self.target = target
        self.port = port
        self.running = False
        self.sockets: set[socket.socket] = set()
        self.lock = threading.Lock()
        self.threads: list[threading.Thread] = []

    def open(self) -> None:
        """Listen (again) on the port and relay every connection to the target."""
        listener = socket.create_server(("127.0.0.1", self.port))
        listener.settimeout(0.05)  # wake up often enough to notice close()
        self.port = listener.getsockname()[1]
        self.running = True
        self.start(self.accept_loop, listener)

    def start(self, target: Callable, *args) -> None:
        """Run ``target`` in a daemon thread that close() waits for."""
        thread = threading.Thread(target=target, args=args, daemon=True)
        thread.start()
        self.threads.append(thread)

    def accept_loop(self, listener: socket.socket) -> None:
        """Accept connections until close()."""
        with listener:
            while self.running:
                try:
                    client, _ = listener.accept()
                except TimeoutError:
                    continue
                client.settimeout(None)
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
                with self.lock:
                    self.sockets |= {client, upstream}
                self.start(self.pump, client, upstream)
                self.start(self.pump, upstream, client)

    @staticmethod
    def pump(source: socket.socket, sink: socket.socket) -> None:
        """Copy bytes one way until either side closes."""
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass  # the other direction, or close(), shut the sockets

    def close(self) -> None:
        """Stop listening and cut every relayed connection, as a database server going down does."""
        self.running = False
        with self.lock:
            for sock in self.sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass  # already closed by its peer
                sock.close()
            self.sockets.clear()
        for thread in self.threads:
            thread.join(5)
        self.threads.clear()


def free_port() -> int:
    """Return a port of 127.0.0.1 on which nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_through(port: int) -> str:
    """Return the test PostgreSQL URL, reached through ``port`` of 127.0.0.1."""
    return sa.make_url(POSTGRES_URL).set(host="127.0.0.1", port=port).render_as_string(hide_password=False)


def postgres_address() -> tuple[str, int]:
    """Return the test PostgreSQL server's host and port."""
    url = sa.make_url(POSTGRES_URL)
    return url.host or "127.0.0.1", url.port or 5432


@contextmanager
def database_that_is_not_there(database: dict, tmp_path: Path) -> Iterator[tuple[dict, Callable[[], None]]]:
    """Yield settings of the test database at an address where nothing answers, and a function that brings it there.

    PostgreSQL: a port where nothing listens, until a relay to the server opens on it.
    SQLite: a file in a folder that does not exist, until the database is copied there.
    """
    if POSTGRES_URL:
        port = free_port()
        proxy = TcpProxy(postgres_address(), port)
        try:
            yield {**database, "SQLALCHEMY_DATABASE_URI": postgres_through(port)}, proxy.open
        finally:
            proxy.close()
    else:
        live = Path(database["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
        moved = tmp_path / "not-mounted-yet" / live.name

        def bring_back() -> None:
            moved.parent.mkdir()
            shutil.copyfile(live, moved)

        yield {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{moved}"}, bring_back


class SqliteLock:
    """An exclusive lock on the SQLite test database, held from another connection as a long write does."""

    def __init__(self, database: dict):
        path = database["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
        self.connection = sqlite3.connect(path, isolation_level=None)

    def acquire(self) -> None:
        """Take the lock: from now on the app can neither read nor write the file."""
        self.connection.execute("BEGIN EXCLUSIVE")

    def release(self) -> None:
        """Let go of the lock, if held."""
        if self.connection.in_transaction:
            self.connection.execute("ROLLBACK")

    def close(self) -> None:
        """Let go of the lock and close the connection."""
        self.release()
        self.connection.close()


# What the user and the operator see ------------------------------------------------------


def make_account(database: dict):
    """Create a manager in the test database and return him."""
    app = create_app(base_config(**database))
    with app.app_context():
        user = make_user(Role.MANAGER)
        db.engine.dispose()
    return user


def sign_in(app, user):
    """Post the sign-in form from a new browser; the request reads the user and writes the audit log."""
    return app.test_client().post("/sign-in", data={"email": user.email, "password": PASSWORD})


def assert_unavailable_page(response) -> None:
    """The 503 page: says nothing was saved, asks to come back, shows no internals."""
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert UNAVAILABLE in response.text
    assert "Database not answering" in response.text
    for internal in ("Traceback", "OperationalError", "sqlite3", "psycopg", "5432"):
        assert internal not in response.text


def logged_unavailable(caplog, path: str, cause: str) -> bool:
    """Return True if the log says the database was unavailable during a request to ``path``, and why."""
    return any(
        record.levelno >= logging.WARNING
        and "Database unavailable" in record.getMessage()
        and path in record.getMessage()
        and cause.lower() in record.getMessage().lower()
        for record in caplog.records
    )


def dispose(app) -> None:
    """Close the app's pooled connections."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# The database is not there ---------------------------------------------------------------


def test_an_unreachable_database_gives_a_503_page_and_a_log_line_then_recovers(database, tmp_path, caplog):
    user = make_account(database)
    with database_that_is_not_there(database, tmp_path) as (settings, bring_back):
        app = create_app(base_config(**settings))
        response = sign_in(app, user)
        assert_unavailable_page(response)
        cause = "connection refused" if POSTGRES_URL else "unable to open database file"
        assert logged_unavailable(caplog, "POST /sign-in", cause)

        bring_back()
        response = sign_in(app, user)  # no restart: the next request connects
        assert response.status_code == 302 and response.headers["Location"] == "/"
        dispose(app)


def test_the_api_answers_503_as_json_in_its_envelope(database, tmp_path, caplog):
    app = create_app(base_config(**database))
    with app.app_context():
        token = make_token(make_user(Role.MANAGER))
        db.engine.dispose()
    with database_that_is_not_there(database, tmp_path) as (settings, _):
        response = create_app(base_config(**settings)).test_client().get("/api/v1/candidates", headers=bearer(token))
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    assert response.json["error"]["code"] == "unavailable"
    assert response.json["error"]["message"] == UNAVAILABLE and response.json["error"]["fields"] == {}
    assert logged_unavailable(caplog, "GET /api/v1/candidates", "")


# The database goes away while the app runs -----------------------------------------------


def test_a_database_that_goes_away_gives_503_and_is_used_again_when_back(database, caplog):
    user = make_account(database)
    with ExitStack() as cleanup:
        if POSTGRES_URL:
            proxy = TcpProxy(postgres_address())
            proxy.open()
            cleanup.callback(proxy.close)
            app = create_app(base_config(**{**database, "SQLALCHEMY_DATABASE_URI": postgres_through(proxy.port)}))
            take_away, give_back, cause = proxy.close, proxy.open, "connection"
        else:
            # A write elsewhere holding the file's lock longer than the app waits (DATABASE_STATEMENT_TIMEOUT).
            lock = SqliteLock(database)
            cleanup.callback(lock.close)
            app = create_app(base_config(**database, DATABASE_STATEMENT_TIMEOUT=0.2))
            take_away, give_back, cause = lock.acquire, lock.release, "database is locked"
        cleanup.callback(dispose, app)
        assert sign_in(app, user).status_code == 302
        take_away()
        assert_unavailable_page(sign_in(app, user))
        assert logged_unavailable(caplog, "POST /sign-in", cause)
        give_back()
        assert sign_in(app, user).status_code == 302  # the very next request works, without a restart


def test_pooled_connections_that_died_are_replaced_without_an_error(database):
    if POSTGRES_URL:
        name = f"bench-faults-{uuid.uuid4().hex[:8]}"
        options = database["SQLALCHEMY_ENGINE_OPTIONS"]
        connect_args = {**options["connect_args"], "application_name": name}
        named = {**options, "connect_args": connect_args}
        app = create_app(base_config(**{**database, "SQLALCHEMY_ENGINE_OPTIONS": named}))
    else:
        app = create_app(base_config(**database))
    with app.app_context():
        user = make_user(Role.MANAGER)
        pooled = []
        engine = db.engine

        def remember(dbapi_connection, record):
            pooled.append(dbapi_connection)

        sa.event.listen(engine, "checkin", remember)
    try:
        client = app.test_client()
        sign_in_as(client, user)
        assert client.get("/candidates/").status_code == 200
        if POSTGRES_URL:
            # What a database restart or an administrator does to idle connections.
            admin = sa.create_engine(POSTGRES_URL)
            with admin.begin() as conn:
                query = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :name"
                killed = conn.execute(sa.text(query), {"name": name}).all()
            admin.dispose()
            assert killed and all(ok for (ok,) in killed)
        else:
            assert pooled
            for dbapi_connection in pooled:
                dbapi_connection.close()
        assert client.get("/candidates/").status_code == 200
    finally:
        sa.event.remove(engine, "checkin", remember)  # test apps share engines (tests/speedups.py)
        dispose(app)


# Slow statements ---------------------------------------------------------------------------


def app_with_route(settings: dict, sql: str):
    """Return an app with two extra public pages: /probe runs ``sql``, /ping a query that answers at once."""
    app = create_app(base_config(**settings))
    probe = Blueprint("probe", __name__)

    @probe.get("/probe")
    @public
    def run_sql():
        db.session.execute(sa.text(sql)).all()
        return "answered"

    @probe.get("/ping")
    @public
    def ping():
        return str(db.session.scalar(sa.text("SELECT 1")))

    app.register_blueprint(probe)
    return app


def test_a_statement_that_runs_too_long_is_stopped_with_a_503(database, caplog):
    if POSTGRES_URL:
        app = app_with_route({**database, "DATABASE_STATEMENT_TIMEOUT": 0.2}, "SELECT pg_sleep(3)")
        started = time.monotonic()
        assert_unavailable_page(app.test_client().get("/probe"))
        assert time.monotonic() - started < 2.5  # stopped by the server, not waited out
        assert logged_unavailable(caplog, "GET /probe", "statement timeout")
    else:
        # SQLite runs in the app's process and cannot be interrupted; what it can wait on is a lock.
        app = app_with_route({**database, "DATABASE_STATEMENT_TIMEOUT": 0.3}, "SELECT count(*) FROM candidate")
        lock = SqliteLock(database)
        lock.acquire()
        started = time.monotonic()
        try:
            assert_unavailable_page(app.test_client().get("/probe"))
        finally:
            waited = time.monotonic() - started
            lock.close()
        assert 0.3 <= waited < 4  # the setting, not SQLite's default of 5 seconds
        assert logged_unavailable(caplog, "GET /probe", "database is locked")
    assert app.test_client().get("/ping").text == "1"  # the connection is usable afterwards
    dispose(app)


def test_a_bug_in_a_query_is_a_500_not_an_outage(database, caplog):
    app = app_with_route({**database, "PROPAGATE_EXCEPTIONS": False}, "SELECT no_such_column FROM candidate")
    response = app.test_client().get("/probe")
    assert response.status_code == 500
    assert "Nothing was saved." in response.text and "no_such_column" not in response.text
    assert not logged_unavailable(caplog, "GET /probe", "")
    dispose(app)


# A crash in the middle of an import ------------------------------------------------------

CANDIDATES_FILE = "\n".join(["name,email", *(f"Person {n},person{n}@example.com" for n in range(7))]) + "\n"


@pytest.fixture
def crash_after_the_first_chunk(monkeypatch):
    """Make a real (not dry-run) candidate import fail after writing its first chunk of three rows."""
    monkeypatch.setattr(csv_import, "CHUNK_ROWS", 3)
    original = csv_import.CandidateImport.add
    written = []  # sizes of the chunks a real import wrote before crashing

    def add_then_crash(self, records):
        if self.report.dry_run:
            return original(self, records)
        if written:
            raise OSError("disk full")
        original(self, records)
        written.append(len(records))

    monkeypatch.setattr(csv_import.CandidateImport, "add", add_then_crash)
    return written


def database_state(app) -> tuple[list[str], int]:
    """Return the candidates' names and the number of audit log entries."""
    with app.app_context():
        names = db.session.scalars(db.select(Candidate.name).order_by(Candidate.id)).all()
        return names, db.session.scalar(db.select(sa.func.count()).select_from(AuditEntry))


def test_a_crash_in_the_middle_of_a_command_line_import_leaves_the_database_as_before(
    app, runner, tmp_path, crash_after_the_first_chunk
):
    with app.app_context():
        make_candidate(name="Already There")
    before = database_state(app)
    path = tmp_path / "people.csv"
    path.write_text(CANDIDATES_FILE)
    result = runner.invoke(args=["import", "candidates", str(path)])
    assert result.exit_code != 0 and isinstance(result.exception, OSError)
    assert crash_after_the_first_chunk == [3]  # the crash came after a chunk was written
    assert database_state(app) == before


def test_a_crash_in_the_middle_of_an_uploaded_import_leaves_the_database_as_before(
    app, client, manager, crash_after_the_first_chunk
):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the 500 page, not the exception
    with app.app_context():
        make_candidate(name="Already There")
    before = database_state(app)
    response = upload(client, CANDIDATES_FILE.encode())
    assert response.status_code == 500
    assert "Nothing was saved." in response.text
    assert crash_after_the_first_chunk == [3]
    assert database_state(app) == before
