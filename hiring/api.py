"""The REST API under /api/v1: personal-token authentication, per-token rate limits, JSON errors.

Every request carries ``Authorization: Bearer <token>``; a browser session cookie is never used
here, so no page can be made to call the API on a user's behalf (and the API needs no CSRF
token). A token acts with its user's current role; a read-only token may only read. Every use
is written to the audit log. Endpoints live in hiring/api_*.py and use ``@allow`` like pages.
"""

import hashlib
import secrets

from flask import Blueprint, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException

from hiring.access import PUBLIC, signed_in
from hiring.audit import record
from hiring.extensions import csrf, limiter
from models import ApiToken, db, utcnow

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

TOKEN_PREFIX = "bench_"  # noqa: S105 - the recognisable start of every token, not a secret
READ_METHODS = {"GET", "HEAD", "OPTIONS"}
# The stable error codes clients can rely on, by HTTP status.
ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition_failed",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    428: "precondition_required",
    429: "rate_limited",
    500: "server_error",
    503: "unavailable",
}


class ApiError(HTTPException):
    """An error answered as ``{"error": {"code", "message", "fields"}}`` with its status."""

    def __init__(self, status: int, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.code = status
        self.message = message
        self.fields = fields or {}


def error_response(status: int, message: str, fields: dict | None = None):
    """The JSON body and status of an API error."""
    body = {"error": {"code": ERROR_CODES.get(status, "error"), "message": message, "fields": fields or {}}}
    return jsonify(body), status


def new_token() -> tuple[str, str, str]:
    """A fresh token: (the token, shown once; its prefix, kept to recognise it; its SHA-256, kept to check it)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, token[:12], token_hash(token)


def token_hash(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def bearer_token() -> str | None:
    """The token of the request's Authorization header, or None."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def rate_limit_key() -> str:
    """Rate limits count per token (per address for requests without one)."""
    token = bearer_token()
    return "token:" + token_hash(token)[:32] if token else "address:" + (request.remote_addr or "")


# Every API route counts against its token's limit (API_RATE_LIMIT, e.g. "120 per minute").
limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=rate_limit_key)(bp)


def authenticate_api_request() -> None:
    """Before ``enforce_access``: an API request acts as its token's user, or is refused with 401/403."""
    if request.blueprint != "api" or request.endpoint is None:
        return
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "access", None) == PUBLIC:
        return
    authenticate()


def authenticate() -> ApiToken:
    """Find the request's token and act as its user (for ``@allow``); raise ApiError when it cannot."""
    token = bearer_token()
    if token is None:
        raise ApiError(401, "Send a personal API token: Authorization: Bearer <token>.")
    found = db.session.scalar(db.select(ApiToken).where(ApiToken.token_hash == token_hash(token)))
    if found is None or not found.active or not found.user.is_active:
        raise ApiError(401, "This token is not valid: it was revoked, mistyped, or its user was deactivated.")
    if found.read_only and request.method not in READ_METHODS:
        raise ApiError(403, "This token is read-only.")
    # Flask-Login keeps the request's user in g._login_user: the token's user, never a session's.
    g._login_user = found.user
    g.api_token = found
    found.last_used_at = utcnow()
    record("api.used", found, actor=found.user, details={"method": request.method, "endpoint": request.endpoint})
    db.session.commit()
    return found


def handle_api_error(error: HTTPException):
    """Any HTTP error under /api/ as JSON, with a stable code."""
    if isinstance(error, ApiError):
        return error_response(error.code, error.message, error.fields)
    message = error.description if error.code != 500 else "Something went wrong; nothing was saved."
    return error_response(error.code or 500, message)


# Lists and ids, the same on every endpoint ------------------------------------------------

MAX_PER_PAGE = 200
DEFAULT_PER_PAGE = 50
MAX_PAGE = 1_000_000
# Ids are 32-bit in PostgreSQL; a larger number in a URL names nothing (SQLite would overflow on it).
MAX_ID = 2**31 - 1


def paging(errors: dict[str, list[str]] | None = None) -> tuple[int, int]:
    """The ``page`` and ``per_page`` query parameters; ApiError 400 naming them (and ``errors``) if any is invalid."""
    errors = dict(errors or {})
    values = {}
    for name, default, limit in (("page", 1, MAX_PAGE), ("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)):
        raw = request.args.get(name, "")
        if not raw.strip():
            values[name] = default
        elif not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= limit:
            errors[name] = [f"Must be a whole number from 1 to {limit}."]
        else:
            values[name] = int(raw)
    if errors:
        raise ApiError(400, "Some query parameters are not valid.", errors)
    return values["page"], values["per_page"]


def envelope(items: list, page: int, per_page: int, total: int, **extra) -> dict:
    """A list response: the page's items, where it is, how many there are in all."""
    return {"items": items, "page": page, "per_page": per_page, "total": total, **extra}


def check_id(value: int, what: str) -> int:
    """The id from the URL, or ApiError 404 if no row could have it."""
    if value > MAX_ID:
        raise ApiError(404, f"There is no {what} with this id.")
    return value


@bp.get("/me")
@signed_in
def me():
    """Who the token acts as: the user, their role, and whether the token is read-only."""
    user, token = g._login_user, g.api_token
    return jsonify(
        {"id": user.id, "email": user.email, "name": user.name, "role": user.role.value, "read_only": token.read_only}
    )
