"""Serve the app with gunicorn on a scratch PostgreSQL database, and load it like browsers would.

Shared by ``bench_throughput`` (the pool list at concurrency 8) and ``bench_load`` (mixed reads and
writes). Everything stays on 127.0.0.1: the database server, gunicorn, and the client threads.

- ``run_options`` declares the command-line options both benchmarks take.
- ``prepare_database`` creates (or reuses) a scratch database, migrates it and fills it with
  ``benchmarks.generate``, all in subprocesses configured by ``DATABASE_URL``.
- ``Gunicorn`` starts ``gunicorn.conf.py``'s server on a free port and always stops it.
- ``Browser`` is one signed-in user: a keep-alive connection, the session cookie, CSRF tokens.
- ``Load`` runs user scripts in threads for a fixed number of requests or a time limit, whichever
  comes first, and records every request's kind, latency and outcome.
"""

import argparse
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import unescape
from pathlib import Path
from urllib.parse import urlencode

import psycopg
from psycopg import sql

from benchmarks.bench_pool import RESULTS_FOLDER, database_description, percentile


def run_options(
    description: str, *, n: int, requests: int, time_limit: float, database: str, check: str
) -> argparse.ArgumentParser:
    """An argument parser with the options of a gunicorn run: data size, run bounds, workers, scratch database,
    and what ``--check`` fails on; a benchmark adds its own options to it."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--n", type=int, default=n, help="candidates (default %(default)s)")
    parser.add_argument("--requests", type=int, default=requests, help="requests in the run (default %(default)s)")
    parser.add_argument("--time-limit", type=float, default=time_limit, help="seconds at most (default %(default)s)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default %(default)s)")
    parser.add_argument("--database", default=database, help="scratch database (default %(default)s)")
    parser.add_argument("--reuse", action="store_true", help="keep the database if it already holds N candidates")
    parser.add_argument("--check", action="store_true", help=check)
    return parser


ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"  # never anywhere else
# The server's maintenance database: scratch databases are created and dropped from it.
ADMIN_URL = os.environ.get("BENCH_POSTGRES_ADMIN_URL", f"postgresql://postgres@{HOST}:5432/postgres")
PASSWORD = "bench load password"  # noqa: S105 - set on the scratch database's generated users only
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def scratch_url(name: str) -> str:
    """Return the SQLAlchemy URL of the scratch database ``name`` on the admin URL's server."""
    server = ADMIN_URL.split("://", 1)[1].rsplit("/", 1)[0]
    return f"postgresql+psycopg://{server}/{name}"


def scratch_env(name: str, instance: Path) -> dict[str, str]:
    """Return the environment that points the app at the scratch database and a scratch instance folder."""
    env = dict(os.environ)
    env["DATABASE_URL"] = scratch_url(name)
    # Its own instance folder: the secret key, model files and uploads of the run, never the app's.
    env["BENCH_INSTANCE_PATH"] = str(instance)
    env.setdefault("SECRET_KEY", secrets.token_hex(32))
    return env


def count_candidates(name: str) -> int | None:
    """Return the number of candidates in database ``name``, or None if it does not exist or is not migrated."""
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            return None
    with psycopg.connect(scratch_url(name).replace("+psycopg", ""), autocommit=True) as conn:
        if conn.execute("SELECT to_regclass('candidate')").fetchone()[0] is None:
            return None
        return conn.execute("SELECT count(*) FROM candidate").fetchone()[0]


def prepare_database(name: str, n: int, env: dict[str, str], reuse: bool = False) -> None:
    """Create database ``name`` afresh, migrate it and generate ``n`` candidates.

    With ``reuse``, a database already holding ``n`` candidates is kept as it is (generating
    100,000 takes minutes); it must then have been made by this function.
    """
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SystemExit(f"{name!r} is not a plain database name.")
    if reuse and count_candidates(name) == n:
        print(f"Reusing database {name} ({n:,} candidates).", file=sys.stderr)
        return
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    # Fixed commands of this virtualenv; the only argument from outside is an integer.
    subprocess.run([BIN / "flask", "--app", "hiring", "db", "upgrade"], cwd=ROOT, env=env, check=True)  # noqa: S603
    generate = [BIN / "python", "-m", "benchmarks.generate", "--n", str(n)]
    subprocess.run(generate, cwd=ROOT, env=env, check=True)  # noqa: S603
    with psycopg.connect(scratch_url(name).replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")  # fresh statistics, as autovacuum would give a live database


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def cpu_seconds(pids: list[int]) -> float:
    """Return the user plus system CPU seconds the processes have used so far (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue  # ended meanwhile
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def database_backends(name: str) -> list[int]:
    """Return the process ids of the PostgreSQL backends connected to database ``name``."""
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        rows = admin.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [name]).fetchall()
    return [pid for (pid,) in rows]


class Gunicorn:
    """gunicorn serving the app with ``gunicorn.conf.py`` on a free port; a context manager that always stops it."""

    def __init__(self, env: dict[str, str], workers: int = 4):
        self.env = env | {"WEB_CONCURRENCY": str(workers), "BENCH_BIND": f"{HOST}:{free_port()}"}
        self.port = int(self.env["BENCH_BIND"].rsplit(":", 1)[1])
        self.workers = workers
        self.process: subprocess.Popen | None = None
        self.log = tempfile.NamedTemporaryFile(prefix="bench-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115

    def __enter__(self) -> "Gunicorn":
        command = [BIN / "gunicorn", "--config", ROOT / "gunicorn.conf.py", "hiring:create_app()"]
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=self.log, stderr=self.log)  # noqa: S603
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def wait_ready(self, timeout: float = 60) -> None:
        """Wait until every worker is up and the sign-in page answers."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            if len(self.worker_pids()) == self.workers:
                try:
                    connection = http.client.HTTPConnection(HOST, self.port, timeout=5)
                    connection.request("GET", "/sign-in")
                    if connection.getresponse().status == 200:
                        return
                except OSError:
                    pass  # not listening yet
            time.sleep(0.2)
        raise SystemExit(f"gunicorn did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def worker_pids(self) -> list[int]:
        """Return the process ids of the master's workers."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except FileNotFoundError:
            return []

    def log_tail(self, lines: int = 40) -> str:
        """Return the end of gunicorn's log."""
        return "\n".join(Path(self.log.name).read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        """Stop gunicorn gracefully (SIGTERM), then for good if it takes over 20 s; remove its log."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)


@dataclass
class Response:
    """What a request returned: status, Location header and body text."""

    status: int
    location: str
    text: str

    def csrf_token(self) -> str:
        """Return the CSRF token of the first form on the page."""
        found = CSRF_INPUT.search(self.text)
        if found is None:
            raise RequestFailed(f"no CSRF token on the page (status {self.status})")
        return unescape(found.group(1))


class RequestFailed(Exception):
    """A request could not be made, or answered something other than expected."""


class Browser:
    """One user's browser: a keep-alive HTTP/1.1 connection and the session cookie."""

    def __init__(self, port: int):
        # http.client reconnects by itself when the server closed the connection after a response.
        self.connection = http.client.HTTPConnection(HOST, port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> Response:
        """Send one request (a form is url-encoded) and return the response; connection errors raise OSError."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            text = response.read().decode("utf-8", errors="replace")
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()  # start the next request on a new connection
            raise OSError(f"{method} {path}: {error!r}") from error
        for cookie in response.headers.get_all("Set-Cookie") or []:
            pair, _, attributes = cookie.partition(";")
            name, _, value = pair.strip().partition("=")
            if "max-age=0" in attributes.lower() or not value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return Response(response.status, response.headers.get("Location", ""), text)

    def sign_in(self, email: str, password: str = PASSWORD) -> None:
        """Sign in through the sign-in form, as a person would."""
        page = self.request("GET", "/sign-in")
        answer = self.request(
            "POST", "/sign-in", {"csrf_token": page.csrf_token(), "email": email, "password": password}
        )
        if answer.status != 302:
            raise SystemExit(f"Signing in as {email} answered {answer.status}, not a redirect.")


def scratch_app(env: dict[str, str]):
    """Return the app configured for the scratch database of ``env``, for set-up and checks in this process."""
    from hiring import create_app  # the app is only needed by the set-up, not by the client threads

    return create_app({"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"], "SECRET_KEY": env["SECRET_KEY"]})


def set_passwords(app, emails: list[str]) -> None:
    """Give these generated users ``PASSWORD``, hashed by the app (the generator leaves them without one)."""
    from models import User, db

    with app.app_context():
        for user in db.session.scalars(db.select(User).where(User.email.in_(emails))):
            user.set_password(PASSWORD)
        db.session.commit()


@dataclass
class Sample:
    """One timed request."""

    kind: str
    ms: float
    error: str = ""  # empty when the request did what it should


@dataclass
class Load:
    """A bounded load: at most ``max_requests`` requests, and nothing started after ``time_limit`` seconds."""

    max_requests: int
    time_limit: float
    samples: list[Sample] = field(default_factory=list)
    started: float = 0.0
    finished: float = 0.0

    def __post_init__(self):
        self._lock = threading.Lock()
        self._claimed = 0
        self._deadline = 0.0

    def claim(self) -> bool:
        """Take one request from the budget; False when it is spent or time is up."""
        with self._lock:
            if self._claimed >= self.max_requests or time.monotonic() >= self._deadline:
                return False
            self._claimed += 1
            return True

    def timed(
        self, browser: Browser, kind: str, method: str, path: str, form: dict | None = None, *,
        expect_status: int = 200, expect_text: str = "",
    ) -> Response:  # fmt: skip
        """Make one request of the budget and record it; raise Stop when the budget is spent.

        A wrong status, missing text or connection error is recorded as an error and raises
        RequestFailed, so that the user script starts its next step afresh.
        """
        if not self.claim():
            raise Stop
        started = time.perf_counter()
        error, response = "", None
        try:
            response = browser.request(method, path, form)
        except OSError as failure:
            error = str(failure)
        elapsed = (time.perf_counter() - started) * 1000
        if response is not None and response.status != expect_status:
            error = f"{method} {path} answered {response.status}, expected {expect_status}"
        elif response is not None and expect_text not in response.text:
            error = f"{method} {path} did not show {expect_text!r}"
        with self._lock:
            self.samples.append(Sample(kind, elapsed, error))
        if error:
            raise RequestFailed(error)
        return response

    def run(self, scripts: list[Callable[["Load"], None]]) -> None:
        """Run each user script in its own thread, over and over, until the budget is spent."""

        def loop(script):
            while True:
                try:
                    script(self)
                except Stop:
                    return
                except RequestFailed:
                    continue  # recorded; carry on with the next step, as a person would reload

        threads = [threading.Thread(target=loop, args=(script,), daemon=True) for script in scripts]
        self.started = time.perf_counter()
        self._deadline = time.monotonic() + self.time_limit
        for thread in threads:
            thread.start()
        for thread in threads:
            # The deadline only stops new requests: one in flight may still take the 30 s socket timeout.
            thread.join(self.time_limit + 60)
        self.finished = time.perf_counter()

    @property
    def seconds(self) -> float:
        """Wall-clock seconds from the first request started to the last one answered."""
        return self.finished - self.started


class Stop(Exception):
    """The load's request budget or time is spent."""


def summary(samples: list[Sample], seconds: float) -> dict:
    """Return count, errors, requests per second, median, p95 and max latency of these samples."""
    latencies = [s.ms for s in samples]
    errors = [s.error for s in samples if s.error]
    return {
        "requests": len(samples),
        "errors": len(errors),
        "requests_per_s": round(len(samples) / seconds, 1) if seconds else None,
        "median_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p95_ms": round(percentile(latencies, 0.95), 1) if latencies else None,
        "max_ms": round(max(latencies), 1) if latencies else None,
        "first_errors": errors[:5],
    }


def scratch_instance(name: str) -> Path:
    """Return an empty scratch instance folder for a run (its secret key, model files, uploads)."""
    folder = Path(tempfile.gettempdir()) / f"{name}-instance"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    return folder


def save_results(prefix: str, results: dict) -> Path:
    """Write the results as JSON to benchmarks/results/<prefix>-<timestamp>.json and return the path."""
    RESULTS_FOLDER.mkdir(exist_ok=True)
    path = RESULTS_FOLDER / f"{prefix}-{datetime.now(UTC).strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(results, indent=2) + "\n")
    return path


def run_facts(app, workers: int) -> dict:
    """Return what the figures depend on: when, database version, workers, Python, machine."""
    with app.app_context():
        database = database_description()
    return {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": database,
        "gunicorn_workers": workers,
        "python": platform.python_version(),
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
    }
