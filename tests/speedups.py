"""What every test app would otherwise build again, shared across the run; imported by tests/conftest.py.

Each test builds its own app on a fresh database, which keeps tests apart but made each one compile the
templates, the URL builders and the SQL statements anew. These patches apply to the test process only.
"""

import sqlalchemy as sa
from flask import Flask
from jinja2 import BytecodeCache
from sqlalchemy.engine import Engine
from werkzeug.routing import Rule

from models import db


class TemplateCodeCache(BytecodeCache):
    """Jinja bytecode kept in memory, shared by every app of the run (keyed by template name and source)."""

    def __init__(self):
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        """Fill ``bucket`` with the template's code if it was compiled before."""
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket):
        """Keep the code just compiled for the next app."""
        self.compiled[bucket.key] = bucket.bytecode_to_string()


# Each test builds its own app, and each app compiled every template it rendered again: over half
# of a typical page test's time. Jinja's bytecode cache compiles each template once per run.
Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": TemplateCodeCache()}


_compile_builder = Rule._compile_builder
_builders: dict[tuple, object] = {}


def _cached_builder(rule: Rule, append_unknown: bool = True):
    # Werkzeug compiles two URL-building functions per route from an AST whenever an app is built:
    # ~25 ms of the ~30 ms that create_app takes, paid by every test. The function depends only on the
    # rule and takes the rule itself as its first argument, so one per distinct rule serves every app.
    key = (rule.rule, rule.subdomain, rule.host, repr(rule.defaults), tuple(rule._trace), append_unknown)
    if key not in _builders:
        _builders[key] = _compile_builder(rule, append_unknown)
    return _builders[key]


Rule._compile_builder = _cached_builder


_make_engine = db._make_engine
_engines: dict[str, Engine] = {}


def _shared_engine(bind_key, options: dict, app) -> Engine:
    # Each test builds its own app, and each app had an engine of its own, whose statement cache started
    # cold: compiling the same SQL again was ~17% of a page test. Apps of the same database and options
    # share one engine instead (the app fixture still disposes its connections after each test).
    key = repr(sorted(options.items()))
    if key not in _engines:
        _engines[key] = _make_engine(bind_key, options, app)
    return _engines[key]


db._make_engine = _shared_engine


def close_connections_to(url: str) -> None:
    """Close the pooled connections of every shared engine of ``url``, e.g. before its file is replaced."""
    for engine in _engines.values():
        if engine.url.render_as_string(hide_password=False) == url:
            engine.dispose()


@sa.event.listens_for(Engine, "connect")
def _skip_sqlite_fsync(dbapi_connection, connection_record):
    # A test database need not survive a power cut: waiting for the disk on every commit cost the
    # SQLite run about a minute. (PostgreSQL gets synchronous_commit=off in postgres_schema_config.)
    if type(dbapi_connection).__module__ == "sqlite3":
        dbapi_connection.execute("PRAGMA synchronous=OFF")
