"""Throughput of the pool list under gunicorn on PostgreSQL, at concurrency 8.

Run from the repository root (``make bench-throughput`` does)::

    .venv/bin/python -m benchmarks.bench_throughput [--n 100000] [--requests 4000] [--check]

It (re)creates the scratch database ``bench_throughput`` on the PostgreSQL server of
``BENCH_POSTGRES_ADMIN_URL`` (default postgres@127.0.0.1:5432), migrates it, fills it with
``benchmarks.generate``, gives a generated manager a password, and starts gunicorn
(``gunicorn.conf.py``, 4 workers) on a free port of 127.0.0.1. Eight client threads, each a
signed-in manager on a keep-alive connection, then request the first page of ``/candidates/``
until 4,000 requests are made or 60 seconds have passed. A request counts as an error unless it
answers 200 with "Showing 1–50 of N candidates" (N counted by SQL). Requests per second, median
and p95 latency, the errors, and the CPU the workers, PostgreSQL and the client spent per request
are printed and written to ``benchmarks/results/throughput-<timestamp>.json``.
"""

import sys
import time

from benchmarks import server
from models import Candidate, Role, User, db

TARGET_RPS = 200  # on PostgreSQL with 4 workers, concurrency 8, 100,000 candidates, 0 errors


def pool_script(browser: server.Browser, url: str, expected_text: str):
    """Return a user script that requests the pool list once."""

    def script(load: server.Load) -> None:
        load.timed(browser, "pool list", "GET", url, expect_text=expected_text)

    return script


def setup_users(app) -> tuple[str, str]:
    """Give the first generated manager a password; return their e-mail and the expected page text."""
    with app.app_context():
        email = db.session.scalar(
            db.select(User.email).where(User.role == Role.MANAGER, User.active.is_(True)).order_by(User.id).limit(1)
        )
        total = db.session.scalar(db.select(db.func.count()).select_from(Candidate))
        page_size = app.config["PAGE_SIZE"]
        db.session.remove()
    if email is None:
        raise SystemExit("No manager in the database; benchmarks.generate did not run.")
    server.set_passwords(app, [email])
    return email, f"Showing 1–{min(page_size, total)} of {total} candidates"


def measure(args, env: dict[str, str], email: str, expected_text: str) -> dict:
    """Start gunicorn, warm it up, run the bounded load and return the figures."""
    with server.Gunicorn(env, args.workers) as gunicorn:
        browsers = [server.Browser(gunicorn.port) for _ in range(args.concurrency)]
        for browser in browsers:
            browser.sign_in(email)
        # Untimed: each worker's first requests compile templates and open its database connection.
        warmup = server.Load(args.warmup * args.concurrency, args.time_limit)
        warmup.run([pool_script(b, args.url, expected_text) for b in browsers])
        if any(s.error for s in warmup.samples):
            raise SystemExit(f"The warm-up failed: {next(s.error for s in warmup.samples if s.error)}")
        processes = {
            "gunicorn_workers": gunicorn.worker_pids(),
            "postgresql_backends": server.database_backends(args.database),
        }
        cpu_before = {name: server.cpu_seconds(pids) for name, pids in processes.items()}
        client_before = time.process_time()
        load = server.Load(args.requests, args.time_limit)
        load.run([pool_script(b, args.url, expected_text) for b in browsers])
        cpu = {name: server.cpu_seconds(pids) - cpu_before[name] for name, pids in processes.items()}
        cpu["client"] = time.process_time() - client_before
    figures = server.summary(load.samples, load.seconds)
    count = max(1, figures["requests"])
    figures["seconds"] = round(load.seconds, 2)
    figures["cpu_ms_per_request"] = {name: round(seconds * 1000 / count, 2) for name, seconds in cpu.items()}
    return figures


def main(argv: list[str] | None = None) -> None:
    """Parse the command line, prepare the database, run the load and save the results."""
    parser = server.run_options(
        __doc__.split("\n")[0],
        n=100_000,
        requests=4000,
        time_limit=60,
        database="bench_throughput",
        check=f"exit 1 under {TARGET_RPS} requests/s or on an error",
    )
    parser.add_argument("--concurrency", type=int, default=8, help="client threads (default %(default)s)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per thread (default %(default)s)")
    parser.add_argument("--url", default="/candidates/", help="page to request (default %(default)s)")
    args = parser.parse_args(argv)

    env = server.scratch_env(args.database, server.scratch_instance(args.database))
    server.prepare_database(args.database, args.n, env, reuse=args.reuse)
    app = server.scratch_app(env)
    email, expected_text = setup_users(app)
    figures = measure(args, env, email, expected_text)
    met = figures["errors"] == 0 and figures["requests_per_s"] >= TARGET_RPS
    results = {
        "benchmark": "throughput",
        **server.run_facts(app, args.workers),
        "candidates": args.n,
        "url": args.url,
        "concurrency": args.concurrency,
        "request_budget": args.requests,
        "time_limit_s": args.time_limit,
        "target_requests_per_s": TARGET_RPS,
        "target_met": met,
        **figures,
    }
    cpu = figures["cpu_ms_per_request"]
    print(
        f"{args.url} on {results['database']}, {args.n:,} candidates, {args.workers} workers, "
        f"concurrency {args.concurrency}:\n"
        f"  {figures['requests']} requests in {figures['seconds']} s: {figures['requests_per_s']} requests/s "
        f"(target {TARGET_RPS}: {'met' if met else 'MISSED'}), median {figures['median_ms']} ms, "
        f"p95 {figures['p95_ms']} ms, errors {figures['errors']}\n"
        f"  CPU per request: workers {cpu['gunicorn_workers']} ms, PostgreSQL {cpu['postgresql_backends']} ms, "
        f"client {cpu['client']} ms"
    )
    for error in figures["first_errors"]:
        print(f"  error: {error}")
    print(f"Results written to {server.save_results('throughput', results)}")
    if args.check and not met:
        sys.exit(1)


if __name__ == "__main__":
    main()
