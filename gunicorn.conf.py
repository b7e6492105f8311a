"""gunicorn settings for Bench: ``gunicorn --config gunicorn.conf.py "hiring:create_app()"``.

Environment variables:

- ``WEB_CONCURRENCY``: worker processes (default 4). Each serves one request at a time, so
  about two per CPU core: one waits on PostgreSQL while the other computes.
- ``BENCH_BIND``: where to listen (default 127.0.0.1:8000; put a reverse proxy with HTTPS in front).

Run several workers (or hosts) only on PostgreSQL, with ``RATELIMIT_STORAGE_URI`` pointing at
Redis: see "Scaling" in the README.
"""

import os

bind = os.environ.get("BENCH_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
worker_class = "sync"
# Load the app once in the master, then fork: workers start faster and share its memory. Safe here:
# creating the app opens no database connection and loads no model file (both happen lazily).
preload_app = True
# A request running longer than this is killed with its worker. It is above the app's 30-second
# DATABASE_STATEMENT_TIMEOUT (a slow query ends in the "database is not answering" page, not a killed
# worker) and leaves a large upload on the import page time to finish; training runs in a background
# thread, not in the request, and bigger imports belong on the command line.
timeout = 120
graceful_timeout = 30
keepalive = 5
accesslog = None  # the reverse proxy logs requests; the app's own log lines still go to errorlog
errorlog = "-"
loglevel = "info"
