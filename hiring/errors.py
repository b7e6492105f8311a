"""App-wide error pages. No page ever shows a stack trace."""

from flask import current_app, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from hiring.api import handle_api_error
from models import db

MESSAGES = {
    400: ("Bad request", "The request could not be understood. Go back, check what you entered and try again."),
    403: ("Not allowed", "Your account does not have access to this page. Ask an admin if you need it."),
    404: ("Not found", "There is no such page, or the record was removed."),
    405: ("Not allowed", "This page cannot be used that way."),
    413: (
        "File too large",
        "The upload is larger than this server accepts. Split it, or import it from the command line "
        "(flask --app hiring import candidates FILE.csv), which takes files of any size.",
    ),
    429: ("Too many requests", "Too many requests in a short time. Wait a few minutes and try again."),
    500: ("Something went wrong", "Nothing was saved. The error has been logged; please try again."),
    503: (
        "Database not answering",
        "The database is not answering, so nothing was saved. Try again in a minute; "
        "if it keeps happening, tell whoever runs Bench.",
    ),
}
CSRF_MESSAGE = (
    "This form has expired or was sent from another site, so nothing was saved. "
    "Go back, reload the page and send it again."
)


# SQLite raises the same exception class for a locked or unreachable file as for bad SQL;
# only these messages mean "try again later". On PostgreSQL every OperationalError does
# (connection lost or refused, statement timeout, server shutting down, deadlock).
SQLITE_UNAVAILABLE = (
    "database is locked",
    "database table is locked",
    "unable to open database file",
    "disk i/o error",
)
RETRY_AFTER_SECONDS = 60


def render_error(code: int, message: str | None = None):
    """Render the error page for an HTTP status code."""
    title, default = MESSAGES.get(code, ("Error", "The request failed."))
    return render_template("errors/error.html", code=code, title=title, message=message or default), code


def handle_http_error(error: HTTPException):
    """Render any HTTP error, or return the ready response one carries (e.g. throttled sign-in)."""
    if request.path.startswith("/api/"):
        return handle_api_error(error)
    if error.response is not None:
        return error.response
    return render_error(error.code)


def handle_csrf_error(error: CSRFError):
    """A missing or bad CSRF token: explain, and say that nothing was saved."""
    return render_error(400, CSRF_MESSAGE)


def handle_server_error(error: InternalServerError):
    """Roll back whatever the failed request had half-written, then apologise."""
    db.session.rollback()
    if request.path.startswith("/api/"):
        return handle_api_error(error)
    return render_error(500)


def database_unavailable(error: Exception) -> bool:
    """Return True if ``error`` means the database cannot answer now (rather than a bug in a query)."""
    if isinstance(error, sa_exc.TimeoutError):  # every pooled connection busy for pool_timeout seconds
        return True
    if not isinstance(error, sa_exc.DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    if not isinstance(error, sa_exc.OperationalError):
        return False
    if type(error.orig).__module__ == "sqlite3":
        return str(error.orig).lower().startswith(SQLITE_UNAVAILABLE)
    return True


def failure_cause(error: Exception) -> str:
    """Return the first line of what the database driver said, for the log."""
    cause = getattr(error, "orig", None) or error
    lines = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {lines[0] if lines else ''}"


def handle_database_error(error: sa_exc.SQLAlchemyError):
    """A database that does not answer: log why, roll back, and answer 503 (a page, or JSON under /api/).

    Any other database error is re-raised, to become a 500 like every unexpected error.
    """
    if not database_unavailable(error):
        raise error
    current_app.logger.error(
        "Database unavailable during %s %s: %s", request.method, request.path, failure_cause(error)
    )
    db.session.rollback()
    title, message = MESSAGES[503]
    if request.path.startswith("/api/"):
        response, status = handle_api_error(ServiceUnavailable(message))
    else:
        # A page of its own: the normal page shell reads the signed-in user, and so the database.
        response, status = render_template("errors/unavailable.html", code=503, title=title, message=message), 503
    # On a throttled route (sign-in), Flask-Limiter replaces this with its own Retry-After.
    return response, status, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def init_errors(app) -> None:
    """Register the error handlers on the app."""
    app.register_error_handler(sa_exc.DBAPIError, handle_database_error)
    app.register_error_handler(sa_exc.TimeoutError, handle_database_error)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(InternalServerError, handle_server_error)
    app.register_error_handler(HTTPException, handle_http_error)
