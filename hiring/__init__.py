"""Bench: a hiring pipeline for sales teams. ``create_app`` builds the Flask app."""

import os
from pathlib import Path

from flask import Flask

from hiring.access import enforce_access
from hiring.api import authenticate_api_request
from hiring.commands import init_commands
from hiring.config import load_config
from hiring.errors import init_errors
from hiring.extensions import bootstrap, csrf, limiter, login_manager, migrate
from hiring.security import init_security
from models import contact, db

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, error pages and commands."""
    # Templates, static files and migrations live at the top level, beside hiring/.
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        # The instance folder holds the SQLite file and the generated secret key.
        instance_path=os.environ.get("BENCH_INSTANCE_PATH", str(ROOT / "instance")),
        instance_relative_config=True,
    )
    load_config(app, test_config)
    contact.default_phone_region = app.config["DEFAULT_PHONE_REGION"]
    init_extensions(app)
    init_security(app)
    register_blueprints(app)
    # An API request first becomes its token's user, so that enforce_access judges that user.
    app.before_request(authenticate_api_request)
    app.before_request(enforce_access)
    init_errors(app)
    init_commands(app)
    return app


def init_extensions(app: Flask) -> None:
    """Bind the extensions to the app."""
    db.init_app(app)
    # Batch mode lets Alembic alter SQLite tables (it copies them); PostgreSQL ignores it.
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    bootstrap.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"


def register_blueprints(app: Flask) -> None:
    """Import and register every blueprint."""
    from hiring import (
        account,
        api,
        api_candidates,
        api_resources,
        audit,
        auth,
        candidates,
        compare,
        dashboard,
        decisions,
        eeo,
        exports,
        fairness,
        fit,
        imports,
        interviews,
        main,
        merge,
        openapi,
        openings,
        privacy,
        reps,
        resumes,
        shortlists,
        tier_rule,
        traits,
        users,
    )

    for module in (
        main,
        auth,
        account,
        users,
        audit,
        candidates,
        openings,
        imports,
        merge,
        interviews,
        traits,
        reps,
        tier_rule,
    ):
        app.register_blueprint(module.bp)
    del api_candidates, api_resources, openapi  # imported for their routes on api.bp
    for module in (fit, fairness, eeo, decisions, privacy, dashboard, compare, shortlists, exports, resumes, api):
        app.register_blueprint(module.bp)
