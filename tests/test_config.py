"""Configuration: defaults, instance file, environment; database choice; secret key; production checks."""

import os
import stat

import pytest

from hiring import create_app
from hiring.access import public
from hiring.config import ConfigurationError, engine_options

ENV_NAMES = (
    "DATABASE_URL",
    "DATABASE_STATEMENT_TIMEOUT",
    "SECRET_KEY",
    "BENCH_ENV",
    "RATELIMIT_STORAGE_URI",
    "TRUSTED_PROXIES",
)


@pytest.fixture
def instance(tmp_path, monkeypatch):
    """An empty instance folder and an environment without Bench settings."""
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BENCH_INSTANCE_PATH", str(tmp_path))
    return tmp_path


def test_defaults_to_sqlite_in_the_instance_folder(instance):
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'bench.sqlite'}"


@pytest.mark.parametrize(
    "url, expected",
    [
        ("postgresql+psycopg://bench@db:5432/bench", "postgresql+psycopg://bench@db:5432/bench"),
        ("postgresql://bench@db/bench", "postgresql+psycopg://bench@db/bench"),
        ("postgres://bench@db/bench", "postgresql+psycopg://bench@db/bench"),
        ("sqlite:////var/lib/bench/bench.sqlite", "sqlite:////var/lib/bench/bench.sqlite"),
    ],
)
def test_database_url_picks_the_database(instance, monkeypatch, url, expected):
    monkeypatch.setenv("DATABASE_URL", url)
    assert create_app().config["SQLALCHEMY_DATABASE_URI"] == expected


def test_secret_key_is_generated_once_into_the_instance_folder(instance):
    first = create_app().config["SECRET_KEY"]
    key_file = instance / "secret_key"
    assert len(first) == 64
    assert key_file.read_text().strip() == first
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert create_app().config["SECRET_KEY"] == first


def test_environment_overrides_instance_file_which_overrides_defaults(instance, monkeypatch):
    (instance / "config.py").write_text('PAGE_SIZE = 25\nSECRET_KEY = "from-file"\nTRUSTED_PROXIES = 2\n')
    monkeypatch.setenv("SECRET_KEY", "from-environment")
    monkeypatch.setenv("FLASK_PAGE_SIZE", "10")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-environment"
    assert app.config["PAGE_SIZE"] == 10
    assert app.config["TRUSTED_PROXIES"] == 2
    assert not (instance / "secret_key").exists()


def test_test_mapping_replaces_instance_file_and_environment(instance, monkeypatch):
    (instance / "config.py").write_text("PAGE_SIZE = 25\n")
    monkeypatch.setenv("DATABASE_URL", "postgresql://ignored/db")
    app = create_app({"SECRET_KEY": "t", "TESTING": True})
    assert app.config["PAGE_SIZE"] == 50
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")


@pytest.mark.parametrize("key", ["dev", "DEV", "change-me", "too-short-a-key"])
def test_production_refuses_a_debug_or_weak_key(instance, monkeypatch, key):
    monkeypatch.setenv("BENCH_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(ConfigurationError, match="needs a real SECRET_KEY"):
        create_app()


def test_production_refuses_debug_mode(instance, monkeypatch):
    monkeypatch.setenv("BENCH_ENV", "production")
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(ConfigurationError, match="debug mode"):
        create_app()


def test_production_starts_with_a_strong_or_generated_key(instance, monkeypatch):
    monkeypatch.setenv("BENCH_ENV", "production")
    assert create_app().config["BENCH_ENV"] == "production"  # generated key
    monkeypatch.setenv("SECRET_KEY", "k" * 20 + "0123456789abcdef")
    assert create_app().config["SECRET_KEY"].endswith("abcdef")


def test_behind_a_trusted_proxy_https_and_client_address_are_seen(instance, monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "1")
    app = create_app()
    seen = {}

    @app.get("/probe")
    @public
    def probe():
        from flask import request

        seen.update(secure=request.is_secure, address=request.remote_addr)
        return ""

    app.test_client().get("/probe", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7"})
    assert seen == {"secure": True, "address": "198.51.100.7"}


@pytest.mark.parametrize(
    "url, timeout, expected_connect_args",
    [
        ("postgresql+psycopg://bench@db/bench", "2.5", {"options": "-c statement_timeout=2500"}),
        ("postgresql+psycopg://bench@db/bench", "0", {}),
        ("sqlite:////var/lib/bench/bench.sqlite", "2.5", {"timeout": 2.5}),
    ],
)
def test_the_statement_timeout_reaches_the_connections(instance, monkeypatch, url, timeout, expected_connect_args):
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DATABASE_STATEMENT_TIMEOUT", timeout)
    options = create_app().config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options == {"pool_pre_ping": True, "connect_args": expected_connect_args}


def test_the_statement_timeout_joins_connection_options_already_set():
    options = engine_options(
        "postgresql+psycopg://bench@db/bench", {"connect_args": {"options": "-csearch_path=hr"}}, 30
    )
    assert options["connect_args"]["options"] == "-csearch_path=hr -c statement_timeout=30000"
    assert options["pool_pre_ping"] is True
