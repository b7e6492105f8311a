"""App-wide error pages. No page ever shows a stack trace."""

from flask import render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

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
}
CSRF_MESSAGE = (
    "This form has expired or was sent from another site, so nothing was saved. "
    "Go back, reload the page and send it again."
)


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


def init_errors(app) -> None:
    """Register the error handlers on the app."""
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(InternalServerError, handle_server_error)
    app.register_error_handler(HTTPException, handle_http_error)
