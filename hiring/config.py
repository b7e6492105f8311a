"""Configuration: defaults, then ``instance/config.py``, then environment variables."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

# Values that must never sign sessions in production: Flask tutorial and
# placeholder keys that are public knowledge.
INSECURE_SECRET_KEYS = {"dev", "debug", "test", "secret", "changeme", "change-me", "development"}
MIN_PRODUCTION_KEY_LENGTH = 32

DEFAULTS = {
    "BENCH_ENV": "development",
    "SQLALCHEMY_DATABASE_URI": None,  # filled in from DATABASE_URL or the instance folder
    # Merged with DATABASE_STATEMENT_TIMEOUT and pool_pre_ping into the engine options (see engine_options).
    "SQLALCHEMY_ENGINE_OPTIONS": {},
    # Seconds one SQL statement may run on PostgreSQL, or wait for another writer's lock on SQLite, before the
    # page gives up with "the database is not answering" (503). Below gunicorn's worker timeout, so the user
    # gets that page rather than a killed worker. 0: no limit on PostgreSQL, SQLite's own 5 seconds.
    "DATABASE_STATEMENT_TIMEOUT": 30,
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    # Resume files (PDF, DOCX): the largest accepted (the upload page answers 413 above it), and the
    # limits of the child process that reads their text: wall-clock seconds and address space in bytes.
    "RESUME_MAX_BYTES": 10 * 1024 * 1024,
    "RESUME_EXTRACT_TIMEOUT": 10,
    "RESUME_EXTRACT_MEMORY": 512 * 1024 * 1024,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # Secure is also set per request when the request came over HTTPS (see sessions.py).
    "SESSION_COOKIE_SECURE": False,
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
    "WTF_CSRF_TIME_LIMIT": None,  # tokens live as long as the session: no lost forms after lunch
    "BOOTSTRAP_SERVE_LOCAL": True,  # the app must work offline: no CDN
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
    "SIGN_IN_LIMIT_PER_ACCOUNT": "5 per 15 minutes",
    "SIGN_IN_LIMIT_PER_ADDRESS": "20 per 15 minutes",
    # Requests one API token may make (Flask-Limiter notation); share RATELIMIT_STORAGE_URI across workers.
    "API_RATE_LIMIT": "120 per minute",
    "INVITATION_MAX_AGE": int(timedelta(days=7).total_seconds()),
    "TRUSTED_PROXIES": 0,
    "PAGE_SIZE": 50,
    # Phone numbers written without a country code are read as numbers of this region.
    "DEFAULT_PHONE_REGION": "US",
    # A candidate not touched for this many days is "going cold".
    "GOING_COLD_DAYS": 30,
    # Rows one upload may import through the page; larger files go through the command line.
    "IMPORT_MAX_ROWS_UPLOAD": 10_000,
    # An uploaded candidate file waits this many seconds on the server for its import, then is deleted.
    "IMPORT_PENDING_SECONDS": 3600,
    # Training evaluates the model by 5-fold cross-validation repeated this many times.
    "FIT_CV_REPEATS": 3,
    # The adverse-impact audit's "top N of the ranking": this share of the audited sample.
    "AUDIT_TOP_SHARE": 0.2,
    # Consent to keep a candidate for future roles lasts this many months after the last contact,
    # unless the candidate's record gives its own expiry; the consents page warns this many days ahead.
    "CONSENT_MONTHS": 24,
    "CONSENT_WARNING_DAYS": 30,
    # Shown to candidates on the explanation a manager hands them, and on that page.
    "AUTOMATED_ASSESSMENT_NOTICE": (
        "We use a statistical model, trained on our own sales team's interview scorecards and results, "
        "to help us review interview scorecards. The model only advises: every decision about your "
        "application was made by a person, who can explain it to you. You may ask for a review by a person, "
        "for a copy of the data we hold about you, or for it to be erased."
    ),
}

# Read without a prefix because that is how hosting platforms and operators
# name them; anything else can be set as FLASK_<NAME>.
PLAIN_ENV_VARS = (
    "SECRET_KEY",
    "DATABASE_URL",
    "DATABASE_STATEMENT_TIMEOUT",
    "BENCH_ENV",
    "RATELIMIT_STORAGE_URI",
    "TRUSTED_PROXIES",
)


class ConfigurationError(RuntimeError):
    """The app was configured in a way that is unsafe or cannot work."""


def load_config(app, test_config=None) -> None:
    """Fill ``app.config`` from defaults, the instance file and the environment.

    A ``test_config`` mapping replaces the instance file and the environment.
    """
    app.config.from_mapping(DEFAULTS)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env()
        for name in PLAIN_ENV_VARS:
            if name in os.environ:
                app.config[name] = os.environ[name]
    else:
        app.config.from_mapping(test_config)

    app.config["TRUSTED_PROXIES"] = int(app.config["TRUSTED_PROXIES"])
    app.config["SQLALCHEMY_DATABASE_URI"] = database_uri(app)
    app.config["DATABASE_STATEMENT_TIMEOUT"] = float(app.config["DATABASE_STATEMENT_TIMEOUT"])
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"],
        app.config["SQLALCHEMY_ENGINE_OPTIONS"],
        app.config["DATABASE_STATEMENT_TIMEOUT"],
    )
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(Path(app.instance_path))
    if app.config["BENCH_ENV"] == "production":
        check_production(app)


def database_uri(app) -> str:
    """Return the SQLAlchemy URL: ``DATABASE_URL`` if given, else SQLite in the instance folder."""
    url = app.config.get("SQLALCHEMY_DATABASE_URI") or app.config.get("DATABASE_URL")
    if not url:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        return "sqlite:///" + str(Path(app.instance_path) / "bench.sqlite")
    # Platforms hand out postgres:// URLs; SQLAlchemy needs the driver named (psycopg 3).
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def engine_options(url: str, configured: dict, timeout: float) -> dict:
    """Return the engine options: those configured, plus pool pre-ping and the statement timeout.

    Pre-ping tests a pooled connection before handing it out, so that after the
    database restarts (or drops connections) the next request gets a fresh one
    instead of an error; it costs one round trip per request.
    """
    options = {"pool_pre_ping": True, **configured}
    connect_args = dict(options.get("connect_args", {}))
    if url.startswith("postgresql") and timeout > 0:
        # Set at connection time, so it covers every statement, the CLI's included.
        limit = f"-c statement_timeout={max(1, round(timeout * 1000))}"
        connect_args["options"] = " ".join(filter(None, [connect_args.get("options"), limit]))
    elif url.startswith("sqlite") and timeout > 0:
        connect_args.setdefault("timeout", timeout)  # SQLite's busy timeout: how long to wait for a lock
    options["connect_args"] = connect_args
    return options


def instance_secret_key(instance_path: Path) -> str:
    """Return the key stored in the instance folder, creating it on first run."""
    instance_path.mkdir(parents=True, exist_ok=True)
    key_file = instance_path / "secret_key"
    try:
        # O_EXCL: when several workers start at once, exactly one writes the key.
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text().strip()
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w") as f:
        f.write(key + "\n")
    return key


def check_production(app) -> None:
    """Refuse to run in production with debug on or a guessable secret key."""
    key = str(app.config["SECRET_KEY"])
    if key.lower() in INSECURE_SECRET_KEYS or len(key) < MIN_PRODUCTION_KEY_LENGTH:
        raise ConfigurationError(
            "BENCH_ENV=production needs a real SECRET_KEY: at least "
            f"{MIN_PRODUCTION_KEY_LENGTH} random characters, not a placeholder like 'dev'. "
            "Unset SECRET_KEY to have one generated into the instance folder."
        )
    if app.debug:
        raise ConfigurationError("BENCH_ENV=production refuses to run with debug mode on.")
